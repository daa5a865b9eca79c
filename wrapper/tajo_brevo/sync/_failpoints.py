"""Failpoints: where the durability tests kill a run, as a crash would."""

from __future__ import annotations

import os
import signal
import threading
from collections import Counter

__all__ = ["FAILPOINT_ENV", "failpoint"]

#: Test hook for the durability tests: ``NAME`` or ``NAME#N`` kills the process (SIGKILL)
#: the N-th time the engine passes the named point. Unset in normal use.
FAILPOINT_ENV = "TAJO_BREVO_SYNC_FAILPOINT"
_passed: Counter[str] = Counter()
_passed_lock = threading.Lock()


def failpoint(name: str) -> None:
    """Die here, as a crash would, when the failpoint variable names this point."""
    wanted = os.environ.get(FAILPOINT_ENV)
    if not wanted:
        return
    point, _, nth = wanted.partition("#")
    if point != name:
        return
    with _passed_lock:
        _passed[name] += 1
        count = _passed[name]
    if count == (int(nth) if nth.isdigit() else 1):
        os.kill(os.getpid(), signal.SIGKILL)
