"""What every plan module shares: the plan type and what a plan may yield besides a call."""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from .._adapter import Call, Result

_log = logging.getLogger("tajo_brevo")
T = TypeVar("T")
Plan = Generator[Call, Result, T]
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Sleep:
    """Wait before polling again (a plan yields it; the driver sleeps, then sends None)."""

    seconds: float


@dataclass(frozen=True)
class Parallel:
    """Run these sub-plans concurrently; the plan receives their values (or exceptions)."""

    plans: Sequence[Generator[Any, Any, Any]]


@dataclass(frozen=True)
class Download:
    """Fetch a report file Brevo points to; the plan receives its text."""

    url: str


@dataclass(frozen=True)
class SaveFile:
    """Fetch a (large) file Brevo points to onto disk; the plan receives its path and
    removes the file when done (a contact export: memory stays flat)."""

    url: str


#: A plan that may also wait (polling a Brevo process): it yields calls and sleeps.
WaitingPlan = Generator[Call | Sleep, Any, T]
