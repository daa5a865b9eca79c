"""What every plan module shares: the plan type and small helpers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
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


#: A plan that may also wait (polling a Brevo process): it yields calls and sleeps.
WaitingPlan = Generator[Call | Sleep, Any, T]
