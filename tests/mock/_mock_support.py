"""Helpers of the mock's behaviour tests: a ticking wall clock for the mock
(``BrevoMock(now=Ticking())``) and a bounded wait for a process to finish."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import httpx


class Ticking:
    """A wall clock one second further at each reading: every write gets its own date."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=1)
        return self.now


def wait_process(http: httpx.Client, process_id: int, timeout: float = 10.0) -> dict[str, Any]:
    """Poll ``GET /processes/{id}`` until it is completed or failed (at most ``timeout`` s)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        process: dict[str, Any] = http.get(f"/processes/{process_id}").json()
        if process["status"] in ("completed", "failed"):
            return process
        time.sleep(0.01)
    raise AssertionError(f"process {process_id} did not finish in {timeout} s")
