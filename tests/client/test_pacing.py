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
from tajo_brevo._pacing import Pacer, RetryPolicy
from tajo_brevo._responses import rate_limit_numbers, reset_after

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
    pacer = Pacer(20, clock)
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


class VirtualTime:
    """Virtual time for threads: when every thread sleeps (or is done), time jumps to the
    earliest wake-up and that thread runs; no real time passes, the order is exact."""

    def __init__(self, threads: int) -> None:
        self.now = 0.0
        self._cv = threading.Condition()
        self._awake = threads
        self._sleepers: list[tuple[float, int]] = []
        self._woken: set[int] = set()
        self._tokens = itertools.count()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._cv:
            token = next(self._tokens)
            heapq.heappush(self._sleepers, (self.now + seconds, token))
            self._awake -= 1
            self._advance()
            assert self._cv.wait_for(lambda: token in self._woken, timeout=10)
            self._woken.discard(token)

    def done(self) -> None:
        with self._cv:
            self._awake -= 1
            self._advance()

    def _advance(self) -> None:
        if self._awake == 0 and self._sleepers:
            wake, token = heapq.heappop(self._sleepers)
            self.now = max(self.now, wake)
            self._woken.add(token)
            self._awake += 1
            self._cv.notify_all()


class AsyncVirtualTime:
    """:class:`VirtualTime` for the tasks of one event loop."""

    def __init__(self, tasks: int) -> None:
        self.now = 0.0
        self._awake = tasks
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._tokens = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        woken = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._tokens), woken))
        self._awake -= 1
        self._advance()
        await asyncio.wait_for(woken, timeout=10)

    def done(self) -> None:
        self._awake -= 1
        self._advance()

    def _advance(self) -> None:
        if self._awake == 0 and self._sleepers:
            wake, _, woken = heapq.heappop(self._sleepers)
            self.now = max(self.now, wake)
            self._awake += 1
            woken.set_result(None)


def test_threads_sharing_a_client_share_its_rate() -> None:
    time = VirtualTime(threads=4)
    lock = threading.Lock()
    sent: list[float] = []

    def record(request: httpx.Request) -> httpx.Response:
        with lock:
            sent.append(time.now)
        return httpx.Response(200, json=ATTRS)

    def work() -> None:
        try:
            for _ in range(5):
                client.refresh_attributes()
        finally:
            time.done()

    client = TajoBrevo(api_key=KEY, rate_limit=10, sleep=time.sleep, clock=time)
    with client, respx.mock(base_url=BASE) as router:
        router.get("/contacts/attributes").mock(side_effect=record)
        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    # 20 requests from 4 threads at 10/s: two windows of ten slots 0.1 s apart.
    expected = [round(w * 1.04 + i * 0.1, 6) for w in range(2) for i in range(10)]
    assert sorted(round(t, 6) for t in sent) == expected


def test_tasks_sharing_an_async_client_share_its_rate() -> None:
    time = AsyncVirtualTime(tasks=10)
    sent: list[float] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(time.now)
        return httpx.Response(200, json=ATTRS)

    async def run() -> None:
        async with AsyncTajoBrevo(
            api_key=KEY, rate_limit=5, sleep=time.sleep, clock=time
        ) as client:

            async def one() -> None:
                try:
                    await client.refresh_attributes()
                finally:
                    time.done()

            with respx.mock(base_url=BASE) as router:
                router.get("/contacts/attributes").mock(side_effect=record)
                await asyncio.gather(*(one() for _ in range(10)))

    asyncio.run(run())
    # Five per window at 5/s, 0.2 s apart; the first goes at once.
    expected = [round(w * 1.04 + i * 0.2, 6) for w in range(2) for i in range(5)]
    assert sorted(round(t, 6) for t in sent) == expected


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
    pacer = Pacer(10, clock)
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
    up: float,
    down: float,
    jitter: float = 0.01,
    late: float = 0.0,
    requests: int = 300,
    seed: int = 1,
    server: SimulatedBrevo | None = None,
) -> SimulatedBrevo:
    """Discrete-event run of `callers` sharing one pacer, each sending back to back.

    A request reaches Brevo `up` seconds after it leaves plus up to `jitter` (so a later
    request may overtake an earlier one), and its answer comes back `down` seconds after
    that; each send may leave up to `late` seconds after its slot (a busy machine wakes the
    thread late). The transport's loop, step by step: reserve a slot, wait, commit it (or
    wait for the new slot the pacer plans), send, observe the answer; a 429 pauses every
    caller for the policy's wait and the request is repeated.
    """
    rng = random.Random(seed)
    clock = FakeClock(now=0.0)
    pacer = Pacer(rate, clock)
    policy = RetryPolicy(max_retries=10, max_rate_limit_wait=60, jitter=rng.random)
    server = server if server is not None else SimulatedBrevo(limit)
    events: list[tuple[float, int, str, int, Any]] = []
    seq = itertools.count()
    for caller in range(callers):
        heapq.heappush(events, (0.0, next(seq), "ready", caller, None))
    started = 0
    for _ in range(requests * 50):  # bounded: every request needs a handful of events
        if not events or len(server.arrivals) >= requests:
            break
        at, _, kind, caller, data = heapq.heappop(events)
        clock.now = at
        if kind == "ready":
            if started >= requests:
                continue
            started += 1
            slot = pacer.reserve_slot()
            heapq.heappush(events, (at + slot.wait, next(seq), "wake", caller, slot))
        elif kind == "wake":
            # The thread wakes, a little late on a busy machine, and commits its slot.
            wake = at + rng.uniform(0, late) if late else at
            heapq.heappush(events, (wake, next(seq), "send", caller, data))
        elif kind == "send":
            slot = pacer.commit(data)
            if not slot.committed:
                heapq.heappush(events, (at + slot.wait, next(seq), "wake", caller, slot))
                continue
            arrive = at + up + rng.uniform(0, jitter)
            heapq.heappush(events, (arrive, next(seq), "arrive", caller, slot))
        elif kind == "arrive":
            ok, headers = server.hit(at)
            heapq.heappush(events, (at + down, next(seq), "answer", caller, (data, ok, headers)))
        else:
            slot, ok, headers = data
            pacer.observe(headers, slot)
            if ok:
                heapq.heappush(events, (at, next(seq), "ready", caller, None))
                continue
            wait = policy.after_response(429, headers, attempt=0, safe=True)
            assert wait is not None
            pacer.pause(wait, rate_limited=True)
            started -= 1  # the same request again, after the pause
            heapq.heappush(events, (at + wait, next(seq), "ready", caller, None))
    assert len(server.arrivals) >= requests
    return server


def budget_use(server: SimulatedBrevo, limit: int) -> float:
    arrivals = server.arrivals
    return (len(arrivals) - 1) / (arrivals[-1] - arrivals[0]) / limit


_BUDGET_CASES = [
    (10, 10, 1, 0.001, 0.001),  # the case: one caller at the rate Brevo allows
    (10, 10, 4, 0.125, 0.125),  # concurrent callers over a slow link
    (10, 10, 8, 0.001, 0.25),  # the sync's per-contact path: Brevo answers 250 ms late
    (50, 50, 1, 0.001, 0.001),
    (50, 50, 26, 0.125, 0.125),
    (None, 10, 4, 0.125, 0.125),  # "auto": Brevo's headers only
    (None, 50, 20, 0.125, 0.125),
    (100, 10, 4, 0.025, 0.025),  # a client rate above the account's: the header wins
]


@pytest.mark.parametrize(
    ("rate", "limit", "callers", "up", "down", "jitter"),
    [
        (*case, jitter)
        for case in _BUDGET_CASES
        for jitter in (0.01, 0.04)
        # One caller waits out each round trip: 40 ms of jitter would bound it, not pacing.
        if case[2] > 1 or jitter == 0.01
    ],
)
def test_pacing_uses_95_percent_of_brevos_window_without_a_429(
    rate: float | None, limit: int, callers: int, up: float, down: float, jitter: float
) -> None:
    # Arrivals at Brevo vary by up to the window margin (40 ms): Brevo's windows fall
    # wherever its first arrivals open them, and none may see more than the limit.
    server = simulate(rate=rate, limit=limit, callers=callers, up=up, down=down, jitter=jitter)
    assert server.refused == 0
    assert budget_use(server, limit) >= 0.95


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_arrivals_varying_more_than_the_margin_cost_a_429_or_two_not_a_cascade(
    seed: int,
) -> None:
    # The sync's per-contact path on a loaded machine: arrivals vary by up to 80 ms, twice
    # the margin. A first 429 can't be avoided without knowing when requests arrive; it
    # widens the margin. Before the sliding window, a pause let every waiting caller out
    # at once, and the client fell into a 429 every second or so (in this simulation, 92
    # of 300 requests refused with arrivals varying by 50 ms).
    server = simulate(rate=10, limit=10, callers=8, up=0.001, down=0.25, jitter=0.08, seed=seed)
    assert server.refused <= 3
    assert budget_use(server, 10) >= 0.85


@pytest.mark.parametrize("late", [0.02, 0.05])
def test_threads_waking_late_cost_time_but_no_429(late: float) -> None:
    # A busy machine wakes each sender up to `late` after its slot: the rule is kept on
    # the times requests really left, so lateness is lost time, never a 429.
    server = simulate(rate=10, limit=10, callers=8, up=0.001, down=0.25, late=late)
    assert server.refused == 0
    assert budget_use(server, 10) >= 0.9


def test_a_window_partly_spent_by_a_previous_run_costs_no_429() -> None:
    # The previous process (a sync round) sent 6 requests in the last 0.4 s of a Brevo
    # window that is still open when this client starts: its headers show the
    # difference, and the spacing keeps the first requests from bursting into it.
    server = SimulatedBrevo(10)
    for i in range(6):
        server.hit(-0.4 + i * 0.05)
    server.arrivals.clear()
    simulate(rate=10, limit=10, callers=8, up=0.001, down=0.25, server=server)
    assert server.refused == 0


def test_slots_waiting_when_a_pause_begins_are_spread_after_it_not_released_at_once() -> None:
    clock = FakeClock(now=0.0)
    pacer = Pacer(10, clock)
    slots = [pacer.reserve_slot() for _ in range(5)]  # planned at 0, 0.1, ... 0.4
    assert [round(s.wait, 6) for s in slots] == [0.0, 0.1, 0.2, 0.3, 0.4]
    assert pacer.commit(slots[0]).committed
    pacer.pause(2.0, rate_limited=True)  # a 429 for everyone, until t = 2
    left = []
    for slot in slots[1:]:
        clock.now = slot.at  # each waiter wakes at its planned time
        again = pacer.commit(slot)
        assert not again.committed
        left.append(round(clock.now + again.wait, 6))
    # Planned anew after the pause, still 0.1 s apart.
    assert left == [2.0, 2.1, 2.2, 2.3]


def test_a_slot_is_checked_against_when_the_others_really_left() -> None:
    # Eleven slots 0.1 s apart (the 11th at 1.04 s, a window after the first). The first
    # sender wakes late, at 0.95 s, after the nine others: the 11th, due at 1.04 s, would
    # then be the 11th send within 0.94 s, so it is planned anew for 1.04 s after the
    # second send left (0.1 s).
    clock = FakeClock(now=0.0)
    pacer = Pacer(10, clock)
    slots = [pacer.reserve_slot() for _ in range(11)]
    assert slots[-1].at == pytest.approx(1.04)
    for slot in slots[1:10]:
        clock.now = slot.at
        assert pacer.commit(slot).committed
    clock.now = 0.95
    assert pacer.commit(slots[0]).committed
    clock.now = 1.04
    again = pacer.commit(slots[10])
    assert not again.committed
    assert clock.now + again.wait == pytest.approx(0.1 + 1.04)


def test_a_client_sharing_the_key_with_another_slows_down_instead_of_hitting_429s() -> None:
    # Brevo allows 10/s but someone else already spent 6 in every window: this client's
    # own count says 10 are left, the headers say 4.
    clock = FakeClock(now=0.0)
    pacer = Pacer(10, clock)
    slot = pacer.commit(pacer.reserve_slot())
    pacer.observe(
        {
            "x-sib-ratelimit-limit": "10",
            "x-sib-ratelimit-remaining": "3",
            "x-sib-ratelimit-reset": "1",
        },
        slot,
    )
    # The 3 left are spread over the second until the reset.
    assert pacer.reserve() == pytest.approx(1 / 3)


def test_a_response_of_an_earlier_window_does_not_slow_the_current_one() -> None:
    clock = FakeClock(now=0.0)
    pacer = Pacer(10, clock)
    old = pacer.commit(pacer.reserve_slot())
    clock.now = 5.0  # a new window has opened since
    assert pacer.reserve() == 0
    pacer.observe({"x-sib-ratelimit-remaining": "0", "x-sib-ratelimit-reset": "1"}, old)
    assert pacer.reserve() == pytest.approx(0.1)


@pytest.mark.parametrize("reset", ["-5", "-0.5", "nan", "inf", "soon"])
def test_a_negative_or_non_numeric_reset_is_ignored(reset: str) -> None:
    headers = httpx.Headers({"x-sib-ratelimit-reset": reset, "x-sib-ratelimit-remaining": "0"})
    assert reset_after(headers) is None
    clock = FakeClock(now=0.0)
    pacer = Pacer(10, clock)
    pacer.observe(headers)
    assert pacer.reserve() == 0  # no pause, no "wait until the past"
    policy = RetryPolicy(max_retries=3, max_rate_limit_wait=60, jitter=no_jitter)
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


@pytest.mark.parametrize("as_httpx", [True, False], ids=["httpx.Headers", "dict"])
def test_rate_limit_headers_are_read_in_one_pass_whatever_their_case(as_httpx: bool) -> None:
    raw = {
        "Content-Type": "application/json",
        "X-Sib-RateLimit-Limit": "10",
        "x-sib-ratelimit-remaining": "4",
        "Retry-After": "7",
    }
    headers: Any = httpx.Headers(raw) if as_httpx else raw
    # No x-sib-ratelimit-reset: Retry-After stands in for it.
    assert rate_limit_numbers(headers) == (10.0, 4.0, 7.0)
    headers = {"x-sib-ratelimit-reset": "-1", "x-sib-ratelimit-remaining": "soon"}
    assert rate_limit_numbers(httpx.Headers(headers) if as_httpx else headers) == (
        None,
        None,
        None,
    )


def test_a_429_widens_the_margin_and_clean_sends_narrow_it_back() -> None:
    clock = FakeClock(now=0.0)
    pacer = Pacer(10, clock)

    def send(count: int) -> list[float]:
        times = []
        for _ in range(count):
            slot = pacer.reserve_slot()
            clock.now += slot.wait
            assert pacer.commit(slot).committed
            times.append(clock.now)
        return times

    def span_of_eleven() -> float:
        times = send(11)
        return times[10] - times[0]

    assert span_of_eleven() == pytest.approx(1.04)
    pacer.pause(0.0, rate_limited=True)  # a 429: arrivals varied more than 40 ms
    assert span_of_eleven() == pytest.approx(1.06)
    send(200)  # clean sends
    assert span_of_eleven() == pytest.approx(1.04)
