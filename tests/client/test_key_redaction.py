"""The API key never appears in a message, a repr or a log record."""

from __future__ import annotations

import asyncio
import logging
import pickle

import httpx
import pytest
import respx
from _client_support import BASE, KEY, FakeClock, no_jitter
from tajo_brevo import AsyncTajoBrevo, AuthenticationError, BrevoError, TajoBrevo


def all_log_text(caplog: pytest.LogCaptureFixture) -> str:
    parts = []
    for record in caplog.records:
        parts.append(record.getMessage())
        parts.append(repr(record.args))
        parts.append(repr(record.__dict__))
    return "\n".join(parts)


def test_repr_of_the_clients_and_their_parts_hide_the_key() -> None:
    client = TajoBrevo(api_key=KEY)
    for text in (
        repr(client),
        str(client),
        repr(client.generated),
        repr(client._config),
        repr(client._http.auth),
        repr(vars(client)),
        repr(client.generated.token),
    ):
        assert KEY not in text
    assert KEY not in repr(AsyncTajoBrevo(api_key=KEY))
    # The key still works where it is needed.
    assert str(client.generated.token) == KEY


def test_key_is_not_in_the_httpx_client_default_headers() -> None:
    with TajoBrevo(api_key=KEY) as client:
        assert KEY not in repr(client._http.headers)


def test_errors_and_logs_never_show_the_key(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # httpx, httpcore, tajo_brevo: everything
    clock = FakeClock()
    client = TajoBrevo(api_key=KEY, sleep=clock.sleep, clock=clock, jitter=no_jitter)
    errors: list[BrevoError] = []
    with client, respx.mock(base_url=BASE) as router:
        router.get("/contacts/attributes").mock(
            side_effect=[
                httpx.Response(503, text="upstream down"),
                httpx.Response(
                    429, json={"code": "x", "message": "y"}, headers={"x-sib-ratelimit-reset": "1"}
                ),
                httpx.Response(
                    401, json={"code": "unauthorized", "message": f"Key not found: {KEY}"}
                ),
            ]
        )
        with pytest.raises(AuthenticationError) as info:
            client.refresh_attributes()
        errors.append(info.value)
        router.get("/contacts/x%40y.co").mock(side_effect=httpx.ConnectError(f"boom {KEY}"))
        with pytest.raises(BrevoError) as info2:
            client.get_customer("x@y.co")
        errors.append(info2.value)
    assert any(r.name == "tajo_brevo" for r in caplog.records)  # retries were logged
    assert KEY not in all_log_text(caplog)
    for error in errors:
        assert KEY not in str(error)
        assert KEY not in repr(error)
        assert KEY not in repr(getattr(error, "body", None))
        assert KEY.encode() not in pickle.dumps(str(error))


def test_async_errors_and_logs_never_show_the_key(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    async def run() -> AuthenticationError:
        async with AsyncTajoBrevo(api_key=KEY, max_retries=0) as client:
            with respx.mock(base_url=BASE) as router:
                router.get("/contacts/attributes").respond(
                    401, json={"code": "unauthorized", "message": f"bad key {KEY}"}
                )
                try:
                    await client.refresh_attributes()
                except AuthenticationError as exc:
                    return exc
        raise AssertionError("no error")

    error = asyncio.run(run())
    assert KEY not in str(error) and KEY not in repr(error)
    assert KEY not in all_log_text(caplog)


def test_the_prepared_request_parts_hide_the_key() -> None:
    # The wrapper prepares its requests' fixed parts once per client: the key is added
    # to each request, never kept where a repr would show it.
    with TajoBrevo(api_key=KEY) as client:
        assert KEY not in repr(vars(client._requests))
