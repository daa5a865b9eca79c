"""Pacing and retry decisions (sans-IO): no sleeping and no I/O here.

:class:`_Pacer` hands out send slots so that a client never exceeds its rate limit, for all
the threads or tasks that share it; :class:`_RetryPolicy` says whether and how long to wait
before repeating a request. The transports in ``_transport`` do the waiting.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import httpx

from ._responses import reset_after

#: When Brevo says fewer than this share of the window is left, requests are spread over
#: the rest of the window instead of spending it at full speed and hitting a 429.
_LOW_WATER_SHARE = 0.1
_LOW_WATER_MIN = 2


class _Pacer:
    """A thread-safe slot scheduler (a token bucket of depth 1).

    Each :meth:`reserve` claims the next free slot, at least ``1 / rate`` seconds after the
    previous one, and returns how long the caller must wait for it. The lock is held only
    to compute the slot, never while waiting, so it is safe for threads and, because it
    never blocks for long, for an asyncio loop too.
    """

    def __init__(self, rate: float, clock: Callable[[], float]) -> None:
        self._interval = 1.0 / rate
        self._clock = clock
        self._lock = threading.Lock()
        self._next = -math.inf
        self._not_before = -math.inf

    def reserve(self) -> float:
        """Claim the next send slot; returns seconds to wait before sending (>= 0)."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next, self._not_before)
            self._next = slot + self._interval
            return slot - now

    def wait_left(self) -> float:
        """Seconds left of a pause set after the caller reserved its slot (429, quota)."""
        with self._lock:
            return max(0.0, self._not_before - self._clock())

    def pause(self, seconds: float) -> None:
        """Send nothing for ``seconds`` (e.g. after a 429), whoever is asking."""
        with self._lock:
            until = self._clock() + seconds
            self._not_before = max(self._not_before, until)
            self._next = max(self._next, until)

    def observe(self, headers: Mapping[str, str]) -> None:
        """Slow down when Brevo says the window is nearly spent.

        With ``remaining`` requests left and ``reset`` seconds to go, the next request is
        pushed back to ``reset / remaining`` seconds from now (all of ``reset`` when
        nothing is left), so the quota lasts until the window resets.
        """
        remaining = _int_header(headers, "x-sib-ratelimit-remaining")
        reset = reset_after(headers)
        if remaining is None or reset is None:
            return
        limit = _int_header(headers, "x-sib-ratelimit-limit") or 0
        low_water = max(_LOW_WATER_MIN, int(limit * _LOW_WATER_SHARE))
        if remaining <= 0:
            self.pause(reset)
        elif remaining < low_water:
            with self._lock:
                self._next = max(self._next, self._clock() + reset / remaining)


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        return int(float(raw))
    except ValueError:
        return None


#: POSTs that are safe to repeat. Adding or removing list members is a set operation;
#: an upsert with updateEnabled=true ends in the same state however often it runs.
#: Creating an attribute is retried too: names are unique, so a repeat can't make a second
#: attribute, only answer 400 "already exists", which provisioning checks by reading back.
_SAFE_POST_PATHS = (
    re.compile(r"/contacts/lists/[^/]+/contacts/(add|remove)"),
    re.compile(r"/contacts/attributes/[^/]+/[^/]+"),
)
_UPSERT_PATH = "/contacts"
#: Exceptions raised before the request left: repeating can't duplicate anything.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_RETRY_STATUSES = frozenset({408, 500, 502, 503, 504})


def _is_retry_safe(method: str, path: str, content: bytes) -> bool:
    """Whether repeating this request can't create a duplicate.

    Args:
        method: HTTP method.
        path: the path relative to the base URL (``/contacts/lists/3/contacts/add``).
        content: the request body.

    Returns:
        True for GET/HEAD/PUT/DELETE, list add/remove, attribute creation and a
        createContact with ``updateEnabled: true``; False for every other POST (folder,
        list, import, a plain contact create).
    """
    method = method.upper()
    if method in ("GET", "HEAD", "OPTIONS", "PUT", "DELETE"):
        return True
    if method != "POST":
        return False
    if any(pattern.fullmatch(path) for pattern in _SAFE_POST_PATHS):
        return True
    if path == _UPSERT_PATH:
        # Cheap check first; the body is JSON written by the generated client.
        return b'"updateEnabled"' in content and _update_enabled(content)
    return False


def _update_enabled(content: bytes) -> bool:
    try:
        body = json.loads(content)
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("updateEnabled") is True


@dataclass(frozen=True, kw_only=True)
class _RetryPolicy:
    """When to repeat a request and how long to wait first.

    Attributes:
        max_retries: repeats allowed after the first attempt (all causes together).
        max_rate_limit_wait: cap on a 429 wait, whatever x-sib-ratelimit-reset says.
        jitter: returns a number in [0, 1); injectable so tests are deterministic.
        base_delay: first backoff delay; doubles per attempt up to ``max_delay``.
    """

    max_retries: int
    max_rate_limit_wait: float
    jitter: Callable[[], float]
    base_delay: float = 0.5
    max_delay: float = 8.0

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with "equal jitter": half fixed, half random."""
        ceiling = min(self.max_delay, self.base_delay * (2**attempt))
        return float(ceiling / 2 + ceiling / 2 * self.jitter())

    def after_response(
        self, status_code: int, headers: Mapping[str, str], attempt: int, safe: bool
    ) -> float | None:
        """Seconds to wait before a retry, or None to return the response as it is."""
        if attempt >= self.max_retries:
            return None
        if status_code == 429:
            # Brevo rejected the request before doing anything: repeating any request,
            # a create included, can't duplicate.
            wait = reset_after(headers)
            if wait is None:
                wait = self.backoff(attempt)
            return min(wait, self.max_rate_limit_wait) + 0.1 * self.jitter()
        if status_code in _RETRY_STATUSES and safe:
            return self.backoff(attempt)
        return None

    def after_exception(self, exc: Exception, attempt: int, safe: bool) -> float | None:
        """Seconds to wait before a retry after a transport error, or None to raise it."""
        if attempt >= self.max_retries or not isinstance(exc, httpx.TransportError):
            return None
        if isinstance(exc, _NOT_SENT) or (
            safe and isinstance(exc, (httpx.TimeoutException, httpx.NetworkError))
        ):
            return self.backoff(attempt)
        if safe and isinstance(exc, httpx.RemoteProtocolError):
            return self.backoff(attempt)
        return None


@dataclass(frozen=True)
class RequestStats:
    """What a client has sent so far.

    Attributes:
        requests: HTTP requests sent, retries included.
        by_method: requests sent per HTTP method (``{"GET": 3, "POST": 5}``).
        retries: requests that were repeats of a failed attempt.
        rate_limited: retries caused by a 429.
        waited: seconds spent waiting for pacing and retries.
    """

    requests: int
    by_method: Mapping[str, int]
    retries: int
    rate_limited: int
    waited: float

    @property
    def writes(self) -> int:
        """Requests that may change data (every method but GET and HEAD)."""
        return sum(n for m, n in self.by_method.items() if m not in ("GET", "HEAD"))


@dataclass
class _Stats:
    """Counters of what the client sent (thread-safe)."""

    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    sent: Counter[str] = field(default_factory=Counter)
    retries: int = 0
    rate_limited: int = 0
    waited: float = 0.0

    def record_send(self, method: str) -> None:
        with self._lock:
            self.sent[method.upper()] += 1

    def record_retry(self, status_code: int | None) -> None:
        with self._lock:
            self.retries += 1
            if status_code == 429:
                self.rate_limited += 1

    def record_wait(self, seconds: float) -> None:
        with self._lock:
            self.waited += seconds

    def snapshot(self) -> RequestStats:
        with self._lock:
            return RequestStats(
                requests=sum(self.sent.values()),
                by_method=dict(self.sent),
                retries=self.retries,
                rate_limited=self.rate_limited,
                waited=self.waited,
            )
