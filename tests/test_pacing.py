"""Pacing: a client never sends faster than its rate limit, across threads and tasks."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import random
import threading
from typing import Any

import httpx
import pytest
import respx
from _client_support import BASE, KEY, FakeClock, no_jitter
from tajo_brevo import AsyncTajoBrevo, PlanRate, TajoBrevo
from tajo_brevo._pacing import _Pacer, _RetryPolicy
from tajo_brevo._responses import reset_after

ATTRS = {"attributes": []}


def sent_times(clock: FakeClock) -> tuple[list[float], respx.MockRouter]:
    times: list[float] = []
    router = respx.mock(base_url=BASE)

    def record(request: httpx.Request) -> httpx.Response:
        times.append(clock.now)
        return httpx.Response(200, json=ATTRS)

    router.get("/contacts/attributes").mock(side_effect=record)
    return times, router


def test_sequential_requests_are_spaced_by_the_rate_limit() -> None:
    clock = FakeClock()
    times, router = sent_times(clock)
    client = TajoBrevo(api_key=KEY, rate_limit=PlanRate.GENERAL, sleep=clock.sleep, clock=clock)
    with client, router:
        for _ in range(25):
            client.refresh_attributes()
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) == pytest.approx(0.1)
    # 10 per client window of 1.04 s (Brevo's second plus the jitter margin), 0.1 s apart:
    # the third window's fifth request leaves 2.48 s after the first.
    assert times[-1] - times[0] == pytest.approx(2 * 1.04 + 0.4)
    # Never more than 10 in any one second.
    assert all(sum(1 for t in times if start <= t < start + 1.0) <= 10 for start in times)


def test_the_first_request_is_not_delayed() -> None:
    clock = FakeClock()
    times, router = sent_times(clock)
    with TajoBrevo(api_key=KEY, sleep=clock.sleep, clock=clock) as client, router:
        client.refresh_attributes()
    assert clock.sleeps == [] and times == [1000.0]


def test_pacer_slots_are_unique_and_spaced_across_threads() -> None:
    clock = FakeClock()  # frozen: every thread asks at the same instant
    pacer = _Pacer(20, clock)
    delays: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(25):
            delay = pacer.reserve()
            with lock:
                delays.append(delay)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 200 requests at 20/s: 20 slots 0.05 s apart per window of 1.04 s, each handed out once.
    expected = [round(w * 1.04 + i * 0.05, 6) for w in range(10) for i in range(20)]
    assert sorted(round(d, 6) for d in delays) == expected


def test_threads_sharing_a_client_share_its_rate() -> None:
    # A frozen clock: a thread's wait is the time of its slot; record it per thread.
    lock = threading.Lock()
    slot = threading.local()
    sent: list[float] = []

    def sleep(seconds: float) -> None:
        slot.value = seconds

    def record(request: httpx.Request) -> httpx.Response:
        with lock:
            sent.append(getattr(slot, "value", 0.0))
        slot.value = 0.0
        return httpx.Response(200, json=ATTRS)

    client = TajoBrevo(api_key=KEY, rate_limit=10, sleep=sleep, clock=lambda: 0.0)
    with client, respx.mock(base_url=BASE) as router:
        router.get("/contacts/attributes").mock(side_effect=record)
        threads = [
            threading.Thread(target=lambda: [client.refresh_attributes() for _ in range(5)])
            for _ in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    # 20 requests from 4 threads at 10/s: two windows of ten slots 0.1 s apart.
    expected = [round(w * 1.04 + i * 0.1, 6) for w in range(2) for i in range(10)]
    assert sorted(round(t, 6) for t in sent) == expected


def test_tasks_sharing_an_async_client_share_its_rate() -> None:
    clock = FakeClock(now=0.0)
    targets: list[float] = []

    async def sleep(seconds: float) -> None:
        targets.append(clock.now + seconds)
        await asyncio.sleep(0)

    async def run() -> None:
        async with AsyncTajoBrevo(api_key=KEY, rate_limit=5, sleep=sleep, clock=clock) as client:
            with respx.mock(base_url=BASE) as router:
                router.get("/contacts/attributes").respond(200, json=ATTRS)
                await asyncio.gather(*(client.refresh_attributes() for _ in range(10)))

    asyncio.run(run())
    # The first goes at once; the others wait for their slots: five per window at 5/s.
    expected = [round(w * 1.04 + i * 0.2, 6) for w in range(2) for i in range(5)][1:]
    assert sorted(round(t, 6) for t in targets) == expected


def test_a_quota_spent_by_someone_else_slows_the_client_down() -> None:
    clock = FakeClock()
    times: list[float] = []
    remaining = iter([50, 3, 2, 1, 100])

    def record(request: httpx.Request) -> httpx.Response:
        times.append(clock.now)
        left = next(remaining)
        headers = {
            "x-sib-ratelimit-limit": "100",
            "x-sib-ratelimit-remaining": str(left),
            "x-sib-ratelimit-reset": "6",
        }
        return httpx.Response(200, json=ATTRS, headers=headers)

    client = TajoBrevo(api_key=KEY, rate_limit=100, sleep=clock.sleep, clock=clock)
    with client, respx.mock(base_url=BASE) as router:
        router.get("/contacts/attributes").mock(side_effect=record)
        for _ in range(5):
            client.refresh_attributes()
    gaps = [round(b - a, 6) for a, b in itertools.pairwise(times)]
    # Brevo counts far more than this client sent (another process uses the key): what is
    # left (50, 3, 2, 1) is spread over the 6 s until the reset.
    assert gaps == [0.12, 2.0, 3.0, 6.0]


def test_an_exhausted_quota_pauses_until_the_reset() -> None:
    clock = FakeClock()
    times: list[float] = []

    def record(request: httpx.Request) -> httpx.Response:
        times.append(clock.now)
        headers = {"x-sib-ratelimit-remaining": "0", "x-sib-ratelimit-reset": "30"}
        return httpx.Response(200, json=ATTRS, headers=headers)

    client = TajoBrevo(api_key=KEY, sleep=clock.sleep, clock=clock, jitter=no_jitter)
    with client, respx.mock(base_url=BASE) as router:
        router.get("/contacts/attributes").mock(side_effect=record)
        client.refresh_attributes()
        client.refresh_attributes()
    assert times[1] - times[0] == pytest.approx(30.0)


def test_a_429_pauses_every_caller_of_the_client() -> None:
    clock = FakeClock()
    pacer = _Pacer(10, clock)
    assert pacer.reserve() == 0
    pacer.pause(5)
    assert pacer.reserve() == pytest.approx(5.0)
    assert pacer.reserve() == pytest.approx(5.1)


# ---------------------------------------------------------------------------------------
# A simulated Brevo window: the pacer against fixed one-second windows (fake clock)
# ---------------------------------------------------------------------------------------


class SimulatedBrevo:
    """Fixed one-second windows opened by the first request after the last one closed;
    every answer carries limit, remaining and a reset counting down (whole seconds)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.start: float | None = None
        self.used = 0
        self.arrivals: list[float] = []
        self.refused = 0

    def hit(self, now: float) -> tuple[bool, dict[str, str]]:
        if self.start is None or now - self.start >= 1.0:
            self.start, self.used = now, 0
        ok = self.used < self.limit
        if ok:
            self.used += 1
            self.arrivals.append(now)
        else:
            self.refused += 1
        headers = {
            "x-sib-ratelimit-limit": str(self.limit),
            "x-sib-ratelimit-remaining": str(self.limit - self.used),
            "x-sib-ratelimit-reset": str(max(1, math.ceil(self.start + 1.0 - now))),
        }
        return ok, headers


def simulate(
    *,
    rate: float | None,
    limit: int,
    callers: int,
    latency: float,
    requests: int,
    late: float = 0.0,
    seed: int = 1,
) -> SimulatedBrevo:
    """Discrete-event run of `callers` sharing one pacer, each sending back to back.

    Each request travels `latency / 2` (plus up to 10 ms of jitter) each way; the first
    request of a window may leave up to `late` seconds after its slot (a busy machine);
    a 429 pauses every caller for the reset, as the transport does.
    """
    rng = random.Random(seed)
    clock = FakeClock(now=0.0)
    pacer = _Pacer(rate, clock)
    server = SimulatedBrevo(limit)
    events: list[tuple[float, int, str, int, Any]] = []
    seq = itertools.count()
    for caller in range(callers):
        heapq.heappush(events, (0.0, next(seq), "ready", caller, None))
    started = 0
    for _ in range(requests * 20):  # bounded: every request needs a handful of events
        if not events or len(server.arrivals) >= requests:
            break
        at, _, kind, caller, data = heapq.heappop(events)
        clock.now = at
        if kind == "ready":
            if started >= requests:
                continue
            started += 1
            slot = pacer.reserve_slot()
            heapq.heappush(events, (at + slot.wait, next(seq), "send", caller, (slot, False)))
        elif kind == "send":
            if (left := pacer.wait_left()) > 0:
                heapq.heappush(events, (at + left, next(seq), "send", caller, data))
                continue
            slot, delayed = data
            if late and slot.first and not delayed:
                # A busy machine wakes the sender late.
                later = at + rng.uniform(0, late)
                heapq.heappush(events, (later, next(seq), "send", caller, (slot, True)))
                continue
            pacer.sent(slot)
            arrive = at + latency / 2 + rng.uniform(0, 0.01)
            heapq.heappush(events, (arrive, next(seq), "arrive", caller, slot.window))
        elif kind == "arrive":
            ok, headers = server.hit(at)
            back = at + latency / 2 + rng.uniform(0, 0.01)
            heapq.heappush(events, (back, next(seq), "answer", caller, (data, ok, headers)))
        else:
            window, ok, headers = data
            pacer.observe(headers, window)
            if not ok:
                reset = float(headers["x-sib-ratelimit-reset"])
                pacer.pause(reset, rate_limited=True)
                started -= 1  # the same request again
            heapq.heappush(events, (at, next(seq), "ready", caller, None))
    assert len(server.arrivals) >= requests
    return server


def budget_use(server: SimulatedBrevo, limit: int) -> float:
    arrivals = server.arrivals
    return (len(arrivals) - 1) / (arrivals[-1] - arrivals[0]) / limit


@pytest.mark.parametrize(
    ("rate", "limit", "callers", "latency"),
    [
        (10, 10, 1, 0.002),  # the case: one caller at the rate Brevo allows
        (10, 10, 4, 0.25),  # concurrent callers over a slow link
        (50, 50, 1, 0.002),
        (50, 50, 20, 0.25),
        (None, 10, 4, 0.25),  # "auto": Brevo's headers only
        (None, 50, 20, 0.25),
        (100, 10, 4, 0.05),  # a client rate above the account's: the header wins
    ],
)
@pytest.mark.parametrize("late", [0.0, 0.2], ids=["on-time", "first-sent-200ms-late"])
def test_pacing_uses_95_percent_of_brevos_window_without_a_429(
    rate: float | None, limit: int, callers: int, latency: float, late: float
) -> None:
    server = simulate(
        rate=rate, limit=limit, callers=callers, latency=latency, requests=300, late=late
    )
    assert server.refused == 0
    # A window whose first request leaves late opens late at Brevo too: that time is lost
    # to everyone, but it must not cost a 429.
    assert budget_use(server, limit) >= (0.95 if not late else 0.85)


def test_a_client_sharing_the_key_with_another_slows_down_instead_of_hitting_429s() -> None:
    # Brevo allows 10/s but someone else already spent 6 in every window: this client's
    # own count says 10 are left, the headers say 4.
    clock = FakeClock(now=0.0)
    pacer = _Pacer(10, clock)
    slot = pacer.reserve_slot()
    pacer.observe(
        {
            "x-sib-ratelimit-limit": "10",
            "x-sib-ratelimit-remaining": "3",
            "x-sib-ratelimit-reset": "1",
        },
        slot.window,
    )
    # The 3 left are spread over the second until the reset.
    assert pacer.reserve() == pytest.approx(1 / 3)


def test_a_response_of_an_earlier_window_does_not_slow_the_current_one() -> None:
    clock = FakeClock(now=0.0)
    pacer = _Pacer(10, clock)
    old = pacer.reserve_slot()
    clock.now = 5.0  # a new window has opened since
    assert pacer.reserve() == 0
    pacer.observe({"x-sib-ratelimit-remaining": "0", "x-sib-ratelimit-reset": "1"}, old.window)
    assert pacer.reserve() == pytest.approx(0.1)


@pytest.mark.parametrize("reset", ["-5", "-0.5", "nan", "inf", "soon"])
def test_a_negative_or_non_numeric_reset_is_ignored(reset: str) -> None:
    headers = httpx.Headers({"x-sib-ratelimit-reset": reset, "x-sib-ratelimit-remaining": "0"})
    assert reset_after(headers) is None
    clock = FakeClock(now=0.0)
    pacer = _Pacer(10, clock)
    pacer.observe(headers)
    assert pacer.reserve() == 0  # no pause, no "wait until the past"
    policy = _RetryPolicy(max_retries=3, max_rate_limit_wait=60, jitter=no_jitter)
    # A 429 with a bad reset falls back to the exponential backoff, never a negative wait.
    assert policy.after_response(429, headers, attempt=0, safe=True) == pytest.approx(0.25)


def test_a_429_seen_by_one_thread_pauses_the_other() -> None:
    # Thread A gets a 429 "reset in 2 s"; thread B, sending afterwards through the same
    # client, must wait those 2 s too, not go straight to Brevo and earn its own 429.
    clock = FakeClock(now=0.0)  # frozen: only the recorded waits tell who waited
    paused = threading.Event()
    waits: dict[str, list[float]] = {"A": [], "B": []}
    who = threading.local()

    def sleep(seconds: float) -> None:
        waits[who.name].append(seconds)
        if who.name == "A":
            paused.set()  # A has taken its 429 and waits for the retry

    answers = iter([httpx.Response(429, headers={"x-sib-ratelimit-reset": "2"})])

    def answer(request: httpx.Request) -> httpx.Response:
        return next(answers, httpx.Response(200, json=ATTRS))

    client = TajoBrevo(api_key=KEY, sleep=sleep, clock=clock, jitter=no_jitter)

    def run(name: str) -> None:
        who.name = name
        if name == "B":
            assert paused.wait(5)
        client.refresh_attributes()

    with client, respx.mock(base_url=BASE) as router:
        router.get("/contacts/attributes").mock(side_effect=answer)
        threads = [threading.Thread(target=run, args=(n,)) for n in "AB"]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    # The clock is frozen, so a pause never ends by itself: every wait is "until 2 s".
    assert waits["A"][0] == pytest.approx(2.0)
    assert waits["B"] and waits["B"][0] >= 2.0  # after A's retry slot, or with it
    assert client.stats.rate_limited == 1 and client.stats.requests == 3
