"""Retries: 429 waits for the window, 5xx/timeouts back off, creates are never repeated."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import respx
from _client_support import BASE, KEY, FakeClock, no_jitter
from _scenario_support import fake_provisioning
from tajo_brevo import (
    APIConnectionError,
    APITimeoutError,
    AsyncTajoBrevo,
    RateLimitError,
    ServerError,
    TajoBrevo,
)
from tajo_brevo import _adapter as calls
from tajo_brevo._pacing import RetryPolicy, is_retry_safe
from tajo_brevo.mock import BrevoMock, Fault

ATTRS_OK = httpx.Response(200, json={"attributes": []})


def make_client(clock: FakeClock, **kwargs: object) -> TajoBrevo:
    settings: dict[str, object] = {"max_retries": 3, "rate_limit": 1000}
    settings.update(kwargs)
    return TajoBrevo(
        api_key=KEY,
        sleep=clock.sleep,
        clock=clock,
        jitter=no_jitter,
        **settings,  # type: ignore[arg-type]
    )


def err(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(
        status, json={"code": "x", "message": f"status {status}"}, headers=headers
    )


def test_get_is_retried_on_5xx_with_exponential_backoff() -> None:
    clock = FakeClock()
    with make_client(clock) as client, respx.mock(base_url=BASE) as router:
        route = router.get("/contacts/attributes").mock(
            side_effect=[err(500), err(502), err(503), ATTRS_OK]
        )
        client.refresh_attributes()
    assert route.call_count == 4
    backoffs = [s for s in clock.sleeps if s >= 0.2]
    # base 0.5 doubling, "equal jitter" with jitter()=0 gives half of each ceiling
    assert backoffs == [0.25, 0.5, 1.0]
    assert client.stats.retries == 3 and client.stats.requests == 4


def test_backoff_jitter_stays_within_half_to_full_ceiling() -> None:
    for jitter in (0.0, 0.5, 0.999):
        policy = RetryPolicy(max_retries=5, max_rate_limit_wait=60, jitter=lambda j=jitter: j)
        for attempt in range(6):
            ceiling = min(8.0, 0.5 * 2**attempt)
            assert ceiling / 2 <= policy.backoff(attempt) <= ceiling


def test_backoff_is_the_drawn_jitter_not_just_a_value_within_the_bounds() -> None:
    # Each wait must be ceiling/2 + ceiling/2 * (the value jitter() returned for it): a
    # backoff that ignored the draw, or drew it twice, or used it for another wait, would
    # still fall within the bounds the test above checks.
    draws = iter([0.25, 0.75, 0.5, 0.1, 0.9])
    used: list[float] = []

    def jitter() -> float:
        used.append(next(draws))
        return used[-1]

    clock = FakeClock()
    client = TajoBrevo(
        api_key=KEY, sleep=clock.sleep, clock=clock, jitter=jitter, max_retries=3, rate_limit=1000
    )
    with client, respx.mock(base_url=BASE) as router:
        router.get("/contacts/attributes").mock(
            side_effect=[err(500), err(502), err(503), ATTRS_OK]
        )
        client.refresh_attributes()
    backoffs = [s for s in clock.sleeps if s >= 0.2]
    assert used == [0.25, 0.75, 0.5]  # one draw per wait, in order
    ceilings = [0.5, 1.0, 2.0]
    assert backoffs == [c / 2 + c / 2 * j for c, j in zip(ceilings, used, strict=True)]
    assert backoffs == [0.3125, 0.875, 1.5]
    # A 429 without a reset header: the backoff draw, then a 0.1 s spread draw of its own.
    policy = RetryPolicy(max_retries=5, max_rate_limit_wait=60, jitter=jitter)
    assert policy.after_response(429, {}, 0, safe=True) == 0.25 + 0.25 * 0.1 + 0.1 * 0.9


def test_retries_stop_at_max_retries_and_raise_the_last_error() -> None:
    clock = FakeClock()
    with make_client(clock, max_retries=2) as client, respx.mock(base_url=BASE) as router:
        route = router.get("/contacts/attributes").mock(return_value=err(503))
        with pytest.raises(ServerError):
            client.refresh_attributes()
    assert route.call_count == 3


def test_429_waits_for_the_reset_header_then_retries() -> None:
    clock = FakeClock()
    with make_client(clock) as client, respx.mock(base_url=BASE) as router:
        route = router.get("/contacts/attributes").mock(
            side_effect=[err(429, **{"x-sib-ratelimit-reset": "4"}), ATTRS_OK]
        )
        client.refresh_attributes()
    assert route.call_count == 2
    assert 4.0 in clock.sleeps
    assert client.stats.rate_limited == 1


def test_429_wait_is_capped() -> None:
    clock = FakeClock()
    with (
        make_client(clock, max_rate_limit_wait=5) as client,
        respx.mock(base_url=BASE) as router,
    ):
        router.get("/contacts/attributes").mock(
            side_effect=[err(429, **{"x-sib-ratelimit-reset": "3600"}), ATTRS_OK]
        )
        client.refresh_attributes()
    assert max(clock.sleeps) == 5.0


def test_429_is_retried_even_for_a_create() -> None:
    # Brevo refused the request before doing anything: a repeat can't duplicate.
    clock = FakeClock()
    with make_client(clock) as client, respx.mock(base_url=BASE) as router:
        route = router.post("/contacts/folders").mock(
            side_effect=[
                err(429, **{"x-sib-ratelimit-reset": "1"}),
                httpx.Response(201, json={"id": 3}),
            ]
        )
        result = client._run(_single(calls.create_folder_call("Tajo")))
    assert route.call_count == 2 and result.body == {"id": 3}


def test_rate_limit_error_after_retries_carries_reset_after() -> None:
    clock = FakeClock()
    with make_client(clock, max_retries=1) as client, respx.mock(base_url=BASE) as router:
        router.get("/contacts/attributes").mock(
            return_value=err(429, **{"x-sib-ratelimit-reset": "9"})
        )
        with pytest.raises(RateLimitError) as info:
            client.refresh_attributes()
    assert info.value.reset_after == 9.0


def _single(call: calls.Call):  # type: ignore[no-untyped-def]
    result = yield call
    return result


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/contacts/folders", {"name": "Tajo"}),
        ("/contacts/lists", {"name": "Gold", "folderId": 1}),
        ("/contacts/import", {"fileBody": "EMAIL\na@b.co", "listIds": [1]}),
        ("/contacts", {"email": "a@b.co"}),
        ("/contacts", {"email": "a@b.co", "updateEnabled": False}),
    ],
)
def test_creates_that_could_duplicate_are_not_retried_on_5xx_or_timeouts(
    path: str, body: dict[str, object]
) -> None:
    clock = FakeClock()
    with make_client(clock) as client, respx.mock(base_url=BASE) as router:
        route = router.post(path).mock(side_effect=[err(503), httpx.Response(201, json={"id": 1})])
        response = client.generated.get_httpx_client().post(path, json=body)
        assert response.status_code == 503
        assert route.call_count == 1

        route.mock(side_effect=[httpx.ReadTimeout("slow"), httpx.Response(201, json={"id": 1})])
        with pytest.raises(httpx.ReadTimeout):
            client.generated.get_httpx_client().post(path, json=body)
        assert route.call_count == 2


def test_a_plain_contact_create_is_not_retried_and_raises_the_server_error() -> None:
    from tajo_brevo import LoyaltyProfile, Tier
    from tajo_brevo._plans import create_plan

    clock = FakeClock()
    with make_client(clock) as client, respx.mock(base_url=BASE) as router:
        router.get("/contacts/attributes").respond(
            200,
            json={
                "attributes": [
                    {"name": n, "category": "normal", "type": t}
                    for n, t in [
                        ("LOYALTY_ID", "text"),
                        ("LOYALTY_POINTS", "float"),
                        ("LOYALTY_TIER", "text"),
                    ]
                ]
            },
        )
        route = router.post("/contacts").mock(
            side_effect=[err(500), httpx.Response(201, json={"id": 1})]
        )
        profile = LoyaltyProfile(
            email="a@example.com", loyalty_id="L1", loyalty_points=10, loyalty_tier=Tier.BRONZE
        )
        with pytest.raises(ServerError):
            client._run(create_plan(client._account, profile, provisioning=fake_provisioning()))
    assert route.call_count == 1


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/contacts", b""),
        ("PUT", "/contacts/a%40b.co", b'{"attributes":{}}'),
        ("DELETE", "/contacts/a%40b.co", b""),
        ("POST", "/contacts", b'{"email":"a@b.co","updateEnabled":true}'),
        ("POST", "/contacts/lists/3/contacts/add", b'{"emails":["a@b.co"]}'),
        ("POST", "/contacts/lists/3/contacts/remove", b'{"ids":[1]}'),
        ("POST", "/contacts/attributes/normal/LOYALTY_ID", b'{"type":"text"}'),
    ],
)
def test_safe_operations_are_classified_safe(method: str, path: str, body: bytes) -> None:
    assert is_retry_safe(method, path, body)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/contacts", b'{"email":"a@b.co"}'),
        ("/contacts", b'{"email":"a@b.co","updateEnabled":false}'),
        ("/contacts", b'{"email":"a@b.co","attributes":{"X":"\\"updateEnabled\\": true"}}'),
        ("/contacts/lists", b'{"name":"x","folderId":1}'),
        ("/contacts/folders", b'{"name":"x"}'),
        ("/contacts/import", b'{"fileBody":"EMAIL"}'),
    ],
)
def test_unsafe_creates_are_classified_unsafe(path: str, body: bytes) -> None:
    assert not is_retry_safe("POST", path, body)


def test_upsert_with_update_enabled_is_retried_on_5xx() -> None:
    clock = FakeClock()
    with make_client(clock) as client, respx.mock(base_url=BASE) as router:
        route = router.post("/contacts").mock(side_effect=[err(503), httpx.Response(204)])
        response = client.generated.get_httpx_client().post(
            "/contacts", json={"email": "a@b.co", "updateEnabled": True}
        )
    assert response.status_code == 204 and route.call_count == 2


def test_a_connect_error_is_retried_even_for_a_create() -> None:
    # The request never left: nothing can be duplicated.
    clock = FakeClock()
    with make_client(clock) as client, respx.mock(base_url=BASE) as router:
        route = router.post("/contacts/folders").mock(
            side_effect=[httpx.ConnectError("refused"), httpx.Response(201, json={"id": 8})]
        )
        result = client._run(_single(calls.create_folder_call("Tajo")))
    assert route.call_count == 2 and result.body == {"id": 8}


def test_timeouts_on_safe_requests_are_retried_then_raised_as_timeout() -> None:
    clock = FakeClock()
    with make_client(clock, max_retries=2) as client, respx.mock(base_url=BASE) as router:
        route = router.get("/contacts/attributes").mock(side_effect=httpx.ReadTimeout("slow"))
        with pytest.raises(APITimeoutError):
            client.refresh_attributes()
    assert route.call_count == 3


def test_4xx_other_than_429_are_never_retried() -> None:
    clock = FakeClock()
    with make_client(clock) as client, respx.mock(base_url=BASE) as router:
        route = router.get("/contacts/attributes").mock(return_value=err(400))
        with pytest.raises(Exception):  # noqa: B017 - mapped class tested elsewhere
            client.refresh_attributes()
    assert route.call_count == 1


def test_retries_are_logged_without_the_key(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    caplog.set_level(logging.DEBUG)
    with make_client(clock) as client, respx.mock(base_url=BASE) as router:
        router.get("/contacts/attributes").mock(side_effect=[err(503), ATTRS_OK])
        client.refresh_attributes()
    messages = [r.getMessage() for r in caplog.records if r.name == "tajo_brevo"]
    assert any("503" in m and "retry 1/3" in m for m in messages)


def test_async_client_retries_the_same_way() -> None:
    clock = FakeClock()

    async def run() -> int:
        async with AsyncTajoBrevo(
            api_key=KEY, sleep=clock.asleep, clock=clock, jitter=no_jitter, rate_limit=1000
        ) as client:
            with respx.mock(base_url=BASE) as router:
                route = router.get("/contacts/attributes").mock(
                    side_effect=[err(429, **{"x-sib-ratelimit-reset": "2"}), err(500), ATTRS_OK]
                )
                await client.refresh_attributes()
                post = router.post("/contacts/folders").mock(return_value=err(503))
                with pytest.raises(ServerError):
                    await client._run(_single(calls.create_folder_call("Tajo")))
                assert post.call_count == 1
                return route.call_count

    assert asyncio.run(run()) == 3
    assert 2.0 in clock.sleeps


def test_async_connection_error_after_retries() -> None:
    clock = FakeClock()

    async def run() -> None:
        async with AsyncTajoBrevo(
            api_key=KEY, sleep=clock.asleep, clock=clock, jitter=no_jitter, max_retries=1
        ) as client:
            with respx.mock(base_url=BASE) as router:
                router.get("/contacts/attributes").mock(side_effect=httpx.ConnectError("down"))
                with pytest.raises(APIConnectionError):
                    await client.refresh_attributes()

    asyncio.run(run())


def test_request_body_is_resent_identically_on_retry() -> None:
    clock = FakeClock()
    bodies: list[bytes] = []

    def record(request: httpx.Request) -> httpx.Response:
        bodies.append(request.content)
        return err(503) if len(bodies) == 1 else httpx.Response(204)

    with make_client(clock) as client, respx.mock(base_url=BASE) as router:
        router.put("/contacts/a%40b.co").mock(side_effect=record)
        client.generated.get_httpx_client().put("/contacts/a%40b.co", json={"attributes": {"A": 1}})
    assert len(bodies) == 2 and bodies[0] == bodies[1]
    assert json.loads(bodies[1]) == {"attributes": {"A": 1}}


# ---------------------------------------------------------------------------------------
# The whole exchange: a connection dropped while the body is read is retried too
# ---------------------------------------------------------------------------------------


class _BodyThatDrops(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body that breaks off after its first bytes, like a dropped connection."""

    def __iter__(self) -> Iterator[bytes]:
        yield b'{"attribu'
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'{"attribu'
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")


def dropped_mid_body() -> httpx.Response:
    return httpx.Response(200, headers={"content-length": "40"}, stream=_BodyThatDrops())


def test_a_connection_dropped_while_reading_the_body_is_retried() -> None:
    clock = FakeClock()
    client = make_client(clock)
    answers = iter([dropped_mid_body(), dropped_mid_body()])
    with client, respx.mock(base_url=BASE) as router:
        route = router.get("/contacts/attributes").mock(
            side_effect=lambda request: next(answers, ATTRS_OK)
        )
        assert client.refresh_attributes() == []
    assert route.call_count == 3
    assert client.stats.retries == 2


def test_async_client_retries_a_body_dropped_midway() -> None:
    clock = FakeClock()

    async def run() -> int:
        answers = iter([dropped_mid_body()])
        async with AsyncTajoBrevo(
            api_key=KEY, sleep=clock.asleep, clock=clock, jitter=no_jitter, rate_limit=1000
        ) as client:
            with respx.mock(base_url=BASE) as router:
                router.get("/contacts/attributes").mock(
                    side_effect=lambda request: next(answers, ATTRS_OK)
                )
                assert await client.refresh_attributes() == []
            return client.stats.retries

    assert asyncio.run(run()) == 1


def test_a_create_dropped_midway_is_not_repeated() -> None:
    # Brevo may have created the contact before the answer broke off: repeating the
    # request could make a second one.
    clock = FakeClock()
    client = make_client(clock)
    with client, respx.mock(base_url=BASE) as router:
        route = router.post("/contacts").mock(side_effect=lambda request: dropped_mid_body())
        with pytest.raises(httpx.RemoteProtocolError):
            client.generated.get_httpx_client().post("/contacts", json={"email": "a@b.co"})
    assert route.call_count == 1


def test_drops_over_real_http_are_retried_on_a_loopback_mock() -> None:
    # Every listContactAttributes answer is cut off: each attempt is retried, then the
    # connection error is raised; the mock saw 1 + max_retries attempts.
    mock = BrevoMock(faults=[Fault("drop", "listContactAttributes")])
    with mock.serve() as server:
        client = TajoBrevo(
            api_key=mock.api_key, base_url=server.base_url, max_retries=2, sleep=lambda s: None
        )
        with client, pytest.raises(APIConnectionError):
            client.refresh_attributes()
        assert client.stats.retries == 2
    assert sum(1 for ex in mock.requests if ex.operation_id == "listContactAttributes") == 3


def test_per_contact_upserts_survive_10_percent_drops_over_real_http() -> None:
    mock = BrevoMock(faults=[Fault("drop", "*", probability=0.1)], seed=7)
    rows = [
        {"email": f"c{i}@example.com", "loyalty_id": f"L{i}", "loyalty_points": i * 10}
        for i in range(40)
    ]
    with mock.serve() as server:
        client = TajoBrevo(
            api_key=mock.api_key,
            base_url=server.base_url,
            max_retries=5,
            rate_limit="auto",
            sleep=lambda s: None,
        )
        with client:
            client.provision()
            result = client.upsert_customers(rows, import_threshold=1000)
        dropped = client.stats.retries
    assert [o.status for o in result.outcomes] == ["created"] * 40
    assert dropped > 0  # the faults did fire, and every one was retried
    assert len(mock.state.contacts) == 40
