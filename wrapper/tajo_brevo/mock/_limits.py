"""Rate limiting and fault injection of the mock.

Rate limit: a fixed one-second window per account (Brevo's per-second budget on the
contacts endpoints), off by default. Every response carries ``x-sib-ratelimit-limit``,
``-remaining`` and ``-reset`` (seconds until the window resets), limited or not.

Faults: rules ``[OPERATION:]KIND[=VALUE][@PROBABILITY]`` drawn from one seeded random
generator, so a run is reproducible: ``status=503`` answers a 5xx, ``latency=0.2`` adds
seconds before answering, ``drop`` cuts the connection before the response is complete.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

#: Brevo's per-second budgets on the contacts endpoints, by plan. The mock stands in for
#: Brevo and shares no code with the client (ARCHITECTURE.md), so it states the published
#: plans itself; tests/mock/test_mock_limits_faults.py checks they equal the client's PlanRate.
RATE_LIMIT_TIERS: dict[str, int] = {"general": 10, "professional": 20, "enterprise": 60}
#: What the headers announce when rate limiting is off (no client should ever wait).
UNLIMITED = 1_000_000
_MAX_LATENCY = 30.0


class RateLimiter:
    """Fixed one-second windows.

    Args:
        per_second: requests allowed per window, or None for no limit.
        clock: monotonic seconds (injectable so tests take no real time).
    """

    def __init__(self, per_second: int | None, clock: Callable[[], float]) -> None:
        if per_second is not None and per_second < 1:
            raise ValueError("rate limit must be at least 1 request per second")
        self.per_second = per_second
        self._clock = clock
        self._lock = threading.Lock()
        self._window_start: float | None = None
        self._used = 0

    def reconfigure(self, per_second: int | None) -> None:
        """Change the limit in place (the app holds this object); the window starts afresh.

        Raises:
            ValueError: a limit below 1.
        """
        if per_second is not None and per_second < 1:
            raise ValueError("rate limit must be at least 1 request per second")
        with self._lock:
            self.per_second = per_second
            self._window_start = None
            self._used = 0

    def _roll(self, now: float) -> None:
        if self._window_start is None or now - self._window_start >= 1.0:
            self._window_start = now
            self._used = 0

    def _headers(self, now: float) -> dict[str, str]:
        if self.per_second is None:
            return {
                "x-sib-ratelimit-limit": str(UNLIMITED),
                "x-sib-ratelimit-remaining": str(UNLIMITED),
                "x-sib-ratelimit-reset": "1",
            }
        start = self._window_start if self._window_start is not None else now
        reset = max(1, math.ceil(start + 1.0 - now))
        return {
            "x-sib-ratelimit-limit": str(self.per_second),
            "x-sib-ratelimit-remaining": str(max(0, self.per_second - self._used)),
            "x-sib-ratelimit-reset": str(reset),
        }

    def acquire(self) -> tuple[bool, dict[str, str]]:
        """Count one request. Returns whether it is allowed and the headers to send."""
        with self._lock:
            now = self._clock()
            if self.per_second is None:
                return True, self._headers(now)
            self._roll(now)
            if self._used >= self.per_second:
                return False, self._headers(now)
            self._used += 1
            return True, self._headers(now)

    def peek(self) -> dict[str, str]:
        """The headers for a response that does not count (e.g. a 401)."""
        with self._lock:
            now = self._clock()
            if self.per_second is not None:
                self._roll(now)
            return self._headers(now)


@dataclass(frozen=True)
class Fault:
    """One fault rule.

    Attributes:
        kind: ``"status"`` (answer ``status``), ``"latency"`` (wait ``seconds`` first) or
            ``"drop"`` (cut the connection before the response is complete).
        operation: an operationId of the spec, or ``"*"`` for every operation.
        probability: chance in (0, 1] that the rule fires on a matching request.
        status: the 5xx status of a ``"status"`` fault.
        seconds: the added latency of a ``"latency"`` fault.
    """

    kind: str
    operation: str = "*"
    probability: float = 1.0
    status: int = 503
    seconds: float = 0.0

    def describe(self) -> str:
        """The rule in the command-line syntax, e.g. ``createContact:status=503@0.1``."""
        value = {"status": f"={self.status}", "latency": f"={self.seconds:g}", "drop": ""}
        return f"{self.operation}:{self.kind}{value[self.kind]}@{self.probability:g}"

    def __post_init__(self) -> None:
        if self.kind not in ("status", "latency", "drop"):
            raise ValueError(f"fault kind must be status, latency or drop, not {self.kind!r}")
        if not 0.0 < self.probability <= 1.0:
            raise ValueError(f"fault probability must be in (0, 1], not {self.probability}")
        if self.kind == "status" and not 500 <= self.status <= 599:
            raise ValueError(f"a status fault answers a 5xx status, not {self.status}")
        if self.kind == "latency" and not 0.0 < self.seconds <= _MAX_LATENCY:
            raise ValueError(f"latency must be in (0, {_MAX_LATENCY:g}] seconds")

    @classmethod
    def parse(cls, text: str) -> Fault:
        """Parse ``[OPERATION:]KIND[=VALUE][@PROBABILITY]``.

        Examples: ``status=503``, ``createContact:drop@0.1``, ``latency=0.25@0.5``.

        Raises:
            ValueError: the text is not a valid rule.
        """
        rule = text.strip()
        operation = "*"
        if ":" in rule:
            operation, rule = (part.strip() for part in rule.split(":", 1))
        probability = 1.0
        if "@" in rule:
            rule, prob_text = rule.rsplit("@", 1)
            try:
                probability = float(prob_text)
            except ValueError:
                raise ValueError(
                    f"fault {text!r}: probability {prob_text!r} is not a number"
                ) from None
        kind, _, value = rule.partition("=")
        kind = kind.strip()
        try:
            if kind == "status":
                return cls("status", operation, probability, status=int(value or "503"))
            if kind == "latency":
                return cls("latency", operation, probability, seconds=float(value))
            if kind == "drop" and not value:
                return cls("drop", operation, probability)
        except ValueError as exc:
            raise ValueError(f"fault {text!r}: {exc}") from None
        raise ValueError(
            f"fault {text!r}: expected [OPERATION:]status=5xx|latency=SECONDS|drop[@PROBABILITY]"
        )


@dataclass(frozen=True)
class FaultOutcome:
    """What the fault rules decided for one request."""

    latency: float = 0.0
    status: int | None = None
    drop: bool = False


class FaultInjector:
    """Draws the fault rules for each request from one seeded generator."""

    def __init__(self, faults: Iterable[Fault], seed: int, operations: Sequence[str]) -> None:
        self._lock = threading.Lock()
        self.faults: tuple[Fault, ...] = ()
        self.reconfigure(faults, seed, operations)

    def reconfigure(self, faults: Iterable[Fault], seed: int, operations: Sequence[str]) -> None:
        """Replace the rules in place (the app holds this object), with a fresh generator.

        Raises:
            ValueError: a rule names an operation that is not in ``operations``.
        """
        rules = tuple(faults)
        known = set(operations)
        for fault in rules:
            if fault.operation != "*" and fault.operation not in known:
                raise ValueError(
                    f"fault operation {fault.operation!r} is not an operationId of the spec"
                )
        with self._lock:
            self.faults = rules
            self._random = random.Random(seed)

    def draw(self, operation_id: str) -> FaultOutcome:
        """Decide the faults for one request to ``operation_id``."""
        if not self.faults:
            return FaultOutcome()
        latency = 0.0
        status: int | None = None
        drop = False
        with self._lock:
            for fault in self.faults:
                if fault.operation not in ("*", operation_id):
                    continue
                if self._random.random() >= fault.probability:
                    continue
                if fault.kind == "latency":
                    latency += fault.seconds
                elif status is None and not drop:
                    if fault.kind == "drop":
                        drop = True
                    else:
                        status = fault.status
        return FaultOutcome(latency=latency, status=status, drop=drop)
