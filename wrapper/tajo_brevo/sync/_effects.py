"""What an engine plan yields besides a call: the driver (``_driver``) carries them out."""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Any

from .._adapter import Call
from .._plans import Sleep  # the one Sleep: the client's plans wait with it too

__all__ = ["Download", "Effect", "Parallel", "Plan", "SaveFile", "Sleep"]


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


Effect = Call | Parallel | Sleep | Download | SaveFile
Plan = Generator[Any, Any, Any]
