"""What every plan module shares: the plan type and small helpers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from typing import TypeVar

from .._adapter import Call, Result

_log = logging.getLogger("tajo_brevo")
T = TypeVar("T")
Plan = Generator[Call, Result, T]
Progress = Callable[[int], None]
