"""Pacing and retry decisions (sans-IO): no sleeping and no I/O here.

:class:`Pacer` hands out send slots so that a client never exceeds its rate limit, for all
the threads or tasks that share it; :class:`RetryPolicy` says whether and how long to wait
before repeating a request. The transports in ``_transport`` do the waiting.
"""

from __future__ import annotations

import bisect
import json
import math
import re
import threading
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import httpx

from ._responses import rate_limit_numbers, reset_after

#: Brevo's contacts budgets are per second (general plan 10/s, Professional 20/s, Enterprise 60/s).
_WINDOW = 1.0
#: How much longer than Brevo's second the client's sliding window is: the tolerance for
#: requests that reach Brevo later or earlier than their neighbours (latency jitter, a
#: thread that wakes late). Each 429 widens it a step; clean traffic narrows it back.
_WINDOW_MARGIN = 0.04
_MARGIN_STEP = 0.02
_MARGIN_MAX = 0.25
#: Sends without a 429 after which a widened margin narrows one step again.
_CLEAN_SENDS_PER_STEP = 200
#: A slot refused at send time is planned again; this bounds how often (never reached in
#: practice: each refusal waits until the refusing condition has passed).
MAX_REPLANS = 100


@dataclass(frozen=True)
class Slot:
    """A send slot: how long to wait for it, and when it is planned to leave.

    ``at`` is the planned time until :meth:`Pacer.commit` accepts the slot, then the
    time the request really left (what :meth:`Pacer.observe` compares with).
    """

    wait: float
    at: float
    committed: bool = False


class Pacer:
    """A thread-safe send scheduler: never more than the budget in any window of ``1 s + margin``.

    A sliding window, not fixed ones: Brevo counts fixed one-second windows that open at
    the first request after the last one closed, and where they fall depends on when
    requests *arrive* (latency, jitter, other processes), which the client can't see. The
    one rule that keeps every Brevo window within budget whatever its phase is: any
    ``budget + 1`` consecutive sends of this client span at least ``1 s + margin``, where
    the margin covers how much the arrival order may differ from the send order.

    * reserve: a slot is planned at ``max(now, previous slot + 1/rate, pause end,
      budget-th most recent send or planned slot + 1 s + margin)``; slots planned by
      callers still waiting count like sends, so concurrent callers never plan the same
      capacity twice.
    * commit: when the wait is over the slot is checked again against what really left
      (a thread may wake late, a 429 may have paused everyone meanwhile): if sending now
      would break the rule or the pause, the slot is planned again instead of all waiting
      callers rushing out at once when a pause ends.
    * spacing ``1 / rate`` keeps a fresh client from bursting into a Brevo window that
      another process (or the previous run) has partly spent; "auto" (``rate`` None)
      follows Brevo's headers only.

    The budget is the smaller of ``rate`` and Brevo's ``x-sib-ratelimit-limit`` once seen.
    Brevo's ``x-sib-ratelimit-remaining`` is compared with what this client itself sent in
    the second before the request: only when Brevo counts more (another process uses the
    key) does the client slow down: it spreads what is left over
    ``x-sib-ratelimit-reset``, or waits for the reset when nothing is left. Requests still
    in flight are in the client's count and not yet in Brevo's, so they never look like
    someone else's. An answer to a request sent more than a window ago says nothing about
    the current window and is ignored.

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
        self._clean = 0
        #: When the sends of the last two windows really left, oldest first.
        self._sent: deque[float] = deque()
        #: Planned times of slots handed out and not yet committed, sorted.
        self._planned: list[float] = []

    def _budget(self) -> int | None:
        limits = [b for b in (self._rate_budget, self._server_limit) if b is not None]
        return min(limits) if limits else None

    def _span(self) -> float:
        return _WINDOW + self._margin

    def _forget(self, now: float) -> None:
        """Drop what can no longer constrain a slot or explain an answer."""
        horizon = now - self._span()
        sent = self._sent
        # observe() counts the sends of the window before a request up to a window old.
        while sent and sent[0] < horizon - self._span():
            sent.popleft()
        planned = self._planned
        if planned and planned[0] < horizon:
            # A caller that planned this long ago and never sent has given up.
            del planned[: bisect.bisect_left(planned, horizon)]

    def _plan(self, now: float) -> float:
        """Plan a slot (lock held) and record it as planned."""
        self._forget(now)
        slot = max(now, self._next, self._not_before)
        budget = self._budget()
        if budget is not None:
            planned = self._planned
            if len(planned) >= budget:
                slot = max(slot, planned[-budget] + self._span())
            else:
                older = budget - len(planned)
                if len(self._sent) >= older:
                    slot = max(slot, self._sent[-older] + self._span())
        self._next = slot + self._interval
        bisect.insort(self._planned, slot)
        return slot

    def reserve_slot(self) -> Slot:
        """Plan the next send slot (its wait >= 0); pass it to :meth:`commit` when due."""
        with self._lock:
            now = self._clock()
            slot = self._plan(now)
            return Slot(slot - now, slot)

    def reserve(self) -> float:
        """Plan the next send slot; returns seconds to wait before sending (>= 0)."""
        return self.reserve_slot().wait

    def commit(self, slot: Slot) -> Slot:
        """The caller of ``slot`` is ready to send now: may it?

        Returns:
            The committed slot (``committed`` True, ``at`` = now): send now. Or a new
            plan (``committed`` False, ``wait`` > 0): a pause began meanwhile, or the
            sends that really left leave no room now; wait and commit that one.
        """
        with self._lock:
            now = self._clock()
            planned = self._planned
            index = bisect.bisect_left(planned, slot.at)
            if index < len(planned) and planned[index] == slot.at:
                del planned[index]
            self._forget(now)
            budget = self._budget()
            blocked = now < self._not_before or (
                budget is not None
                and len(self._sent) >= budget
                and now < self._sent[-budget] + self._span()
            )
            if blocked:
                again = self._plan(now)
                return Slot(again - now, again)
            self._sent.append(now)
            if self._margin > _WINDOW_MARGIN:
                self._clean += 1
                if self._clean >= _CLEAN_SENDS_PER_STEP:
                    self._margin = max(_WINDOW_MARGIN, self._margin - _MARGIN_STEP)
                    self._clean = 0
            return Slot(0.0, now, committed=True)

    def pause(self, seconds: float, *, rate_limited: bool = False) -> None:
        """Send nothing for ``seconds`` (e.g. after a 429), whoever is asking.

        Args:
            seconds: how long.
            rate_limited: the pause follows a 429: the window margin grows a step, since
                arrivals at Brevo varied more than it allowed.
        """
        with self._lock:
            self._pause_until(self._clock() + seconds)
            if rate_limited:
                self._margin = min(_MARGIN_MAX, self._margin + _MARGIN_STEP)
                self._clean = 0

    def _pause_until(self, until: float) -> None:
        self._not_before = max(self._not_before, until)
        self._next = max(self._next, until)

    def observe(self, headers: Mapping[str, str], slot: Slot | None = None) -> None:
        """Learn Brevo's limit, and slow down when Brevo counts more than this client sent.

        Args:
            headers: a response's headers.
            slot: the committed slot the request was sent in; None when unknown (taken
                as sent just now).
        """
        limit, remaining, reset = rate_limit_numbers(headers)
        with self._lock:
            if limit is not None and limit >= 1:
                self._server_limit = int(limit)
            budget = self._budget()
            if remaining is None or reset is None or budget is None:
                return
            allowed = self._server_limit if self._server_limit is not None else budget
            if remaining >= allowed - 1:
                return  # at most this request counted: nothing to learn (the usual case)
            now = self._clock()
            sent_at = slot.at if slot is not None else now
            if sent_at < now - self._span():
                return  # Brevo's window of that request has closed since
            # This client's sends Brevo may have counted in the window of this request:
            # those of the window before it was sent, itself, and those sent just after
            # it that may have overtaken it on the way (within the margin).
            sent = self._sent
            ours = bisect.bisect_right(sent, sent_at + self._margin) - bisect.bisect_left(
                sent, sent_at - self._span()
            )
            if remaining >= allowed - max(ours, 1):
                return
            # Someone else spends the key. What Brevo has left must also take this
            # client's requests sent after this one (in flight, not yet counted when this
            # one was) and those already planned.
            later = len(sent) - bisect.bisect_right(sent, sent_at)
            left = remaining - later - len(self._planned)
            if left < 1:
                self._pause_until(now + reset)
            else:
                self._next = max(self._next, now + reset / left)


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


def is_retry_safe(method: str, path: str, content: bytes) -> bool:
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
class RetryPolicy:
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
class Stats:
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
