"""Helpers for the client tests: a fake clock and a sleeping spy (no real time passes)."""

from __future__ import annotations

from dataclasses import dataclass, field

BASE = "https://api.brevo.com/v3"
KEY = "xkeysib-0123456789abcdef-SECRET"


@dataclass
class FakeClock:
    """A monotonic clock that only moves when someone sleeps on it."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


def no_jitter() -> float:
    return 0.0
