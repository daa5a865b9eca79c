"""Pacing: a client never sends faster than its rate limit, across threads and tasks."""

from __future__ import annotations

import asyncio
import itertools
import threading

import httpx
import pytest
import respx
from _client_support import BASE, KEY, FakeClock, no_jitter
from tajo_brevo import AsyncTajoBrevo, RateLimit, TajoBrevo
from tajo_brevo._pacing import _Pacer

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
    client = TajoBrevo(api_key=KEY, rate_limit=RateLimit.GENERAL, sleep=clock.sleep, clock=clock)
    with client, router:
        for _ in range(25):
            client.refresh_attributes()
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) == pytest.approx(0.1)
    # 25 requests at 10/s: the last leaves 2.4 s after the first, not earlier.
    assert times[-1] - times[0] == pytest.approx(2.4)


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
    # 200 requests at 20/s: slots 0, 0.05, ..., 9.95 s, each handed out exactly once.
    assert sorted(round(d, 6) for d in delays) == [round(i * 0.05, 6) for i in range(200)]


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
    # 20 requests from 4 threads at 10/s: the send times are the slots 0.0 .. 1.9.
    assert sorted(round(t, 6) for t in sent) == [round(i * 0.1, 6) for i in range(20)]


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
    # The first goes at once; the nine others wait for slots 0.2 .. 1.8 s.
    assert sorted(round(t, 6) for t in targets) == [round(i * 0.2, 6) for i in range(1, 10)]


def test_low_remaining_quota_slows_the_client_down() -> None:
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
    # plenty left: 1/100 s; then 3, 2, 1 left of the window's 6 s: spread them out.
    assert gaps == [0.01, 2.0, 3.0, 6.0]


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
