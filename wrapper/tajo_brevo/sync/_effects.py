"""What an engine plan yields besides a call (the one driver, ``_plans.driving``, carries
them out): the client's plans yield ``Sleep`` too, so all of them live in ``_plans``."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from .._adapter import Call
from .._plans import Download, Parallel, SaveFile, Sleep

__all__ = ["Download", "Effect", "Parallel", "Plan", "SaveFile", "Sleep"]

Effect = Call | Parallel | Sleep | Download | SaveFile
Plan = Generator[Any, Any, Any]
