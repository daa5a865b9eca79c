"""A wall clock for the mock (``BrevoMock(now=Ticking())``) whose every reading is one
second later than the last: every write gets its own modification date."""

from __future__ import annotations

import datetime as dt


class Ticking:
    """A wall clock one second further at each reading: every write gets its own date."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=1)
        return self.now
