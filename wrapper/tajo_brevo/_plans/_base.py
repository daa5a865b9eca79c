"""What every plan module shares: the plan type and small helpers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, TypeVar

from .._adapter import _Call, _Result

_log = logging.getLogger("tajo_brevo")
T = TypeVar("T")
Plan = Generator[_Call, _Result, T]
#: One API call a plan yields, and its answer (public names for the plan modules).
Call = _Call
Result = _Result
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Sleep:
    """Wait before polling again (a plan yields it; the driver sleeps, then sends None)."""

    seconds: float


#: A plan that may also wait (polling a Brevo process): it yields calls and sleeps.
WaitingPlan = Generator[_Call | Sleep, Any, T]
