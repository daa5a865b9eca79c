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

from ._responses import header_number, reset_after

#: Brevo's contacts budgets are per second (BREVO_FACTS "Rate limits").
_WINDOW = 1.0
#: A client window lasts a little longer than Brevo's, so that the first request of the
#: next one reaches Brevo after its window rolled even when this request travels faster
#: than the one that opened the previous window (latency jitter). Each 429 widens it.
_WINDOW_MARGIN = 0.04
_MARGIN_STEP = 0.02
_MARGIN_MAX = 0.25


@dataclass(frozen=True)
class _Slot:
    """A send slot: how long to wait for it, and which client window it belongs to."""

    wait: float
    window: int
    #: The first slot of its window: when it really leaves fixes the window's start.
    first: bool = False


class _Pacer:
    """A thread-safe send scheduler that follows Brevo's per-second windows.

    Two rules, both applied when a slot is handed out:

    * spacing: consecutive slots are at least ``1 / rate`` seconds apart (none when
      ``rate`` is None, the "auto" mode that follows only Brevo's headers);
    * budget: at most ``budget`` slots per client window of ``1 s + margin``, where the
      budget is the smaller of ``rate`` and Brevo's ``x-sib-ratelimit-limit`` once seen.
      The next window opens as soon as the last one closes: a spent window costs the
      margin, never a whole window.

    Brevo's ``x-sib-ratelimit-remaining`` is compared with what this client itself has
    sent in the window: only when Brevo counts more (another process uses the key) does
    the client slow down: it spreads what is left over ``x-sib-ratelimit-reset``, or waits
    for the reset when nothing is left. A response of an earlier window says nothing
    about the current one and is ignored.

    The lock is held only to compute a slot, never while waiting, so it is safe for
    threads and, because it never blocks for long, for an asyncio loop too.
    """

    def __init__(self, rate: float | None, clock: Callable[[], float]) -> None:
        self._interval = 1.0 / rate if rate else 0.0
        self._rate_budget = max(1, int(rate * _WINDOW)) if rate else None
        self._server_limit: int | None = None
        self._clock = clock
        self._lock = threading.Lock()
        self._next = -math.inf
        self._not_before = -math.inf
        self._margin = _WINDOW_MARGIN
        self._window = 0
        self._window_start = -math.inf
        self._window_count = 0

    def _budget(self) -> int | None:
        limits = [b for b in (self._rate_budget, self._server_limit) if b is not None]
        return min(limits) if limits else None

    def reserve_slot(self) -> _Slot:
        """Claim the next send slot (its wait >= 0 and its window, for :meth:`observe`)."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next, self._not_before)
            length = _WINDOW + self._margin
            budget = self._budget()
            if slot >= self._window_start + length:
                self._open_window(slot)
            elif budget is not None and self._window_count >= budget:
                slot = self._window_start + length
                self._open_window(slot)
            self._window_count += 1
            self._next = slot + self._interval
            return _Slot(slot - now, self._window, first=self._window_count == 1)

    def sent(self, slot: _Slot) -> None:
        """The request of ``slot`` leaves now (after its wait).

        A first request that leaves late (a busy machine wakes its thread late) opens
        Brevo's window late too: the client window moves with it, so that the next one
        does not open before Brevo's has closed.
        """
        if not slot.first:
            return
        with self._lock:
            if slot.window == self._window:
                self._window_start = max(self._window_start, self._clock())

    def _open_window(self, at: float) -> None:
        self._window += 1
        self._window_start = at
        self._window_count = 0

    def reserve(self) -> float:
        """Claim the next send slot; returns seconds to wait before sending (>= 0)."""
        return self.reserve_slot().wait

    def wait_left(self) -> float:
        """Seconds left of a pause set after the caller reserved its slot (429, quota)."""
        with self._lock:
            return max(0.0, self._not_before - self._clock())

    def pause(self, seconds: float, *, rate_limited: bool = False) -> None:
        """Send nothing for ``seconds`` (e.g. after a 429), whoever is asking.

        Args:
            seconds: how long.
            rate_limited: the pause follows a 429: the window margin grows a step, since
                the client's windows did not keep up with Brevo's.
        """
        with self._lock:
            self._pause_until(self._clock() + seconds)
            if rate_limited:
                self._margin = min(_MARGIN_MAX, self._margin + _MARGIN_STEP)

    def _pause_until(self, until: float) -> None:
        self._not_before = max(self._not_before, until)
        self._next = max(self._next, until)
        # The window after a pause starts afresh.
        self._window_start = -math.inf

    def observe(self, headers: Mapping[str, str], window: int | None = None) -> None:
        """Learn Brevo's limit, and slow down when Brevo counts more than this client sent.

        Args:
            headers: a response's headers.
            window: the window the request was sent in (:attr:`_Slot.window`); None when
                unknown, which is taken as the current one.
        """
        limit = header_number(headers, "x-sib-ratelimit-limit")
        remaining = header_number(headers, "x-sib-ratelimit-remaining")
        reset = reset_after(headers)
        with self._lock:
            if limit is not None and limit >= 1:
                self._server_limit = int(limit)
            budget = self._budget()
            if remaining is None or reset is None or budget is None:
                return
            if window is not None and window != self._window:
                return
            # What this client alone would leave; less means someone else spends the key.
            if remaining >= budget - self._window_count:
                return
            now = self._clock()
            if remaining < 1:
                self._pause_until(now + reset)
            else:
                self._next = max(self._next, now + reset / remaining)


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
        waited: seconds spent waiting for pacing and retries, summed over every caller
            (concurrent requests wait at the same time, so it can exceed the wall time).
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
