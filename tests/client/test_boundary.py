"""The boundary to the generated client: one HTTP client, one parse, errors with evidence."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import brevo_contacts.models
import httpx
import pytest
import respx
from _client_support import BASE, KEY, FakeClock, no_jitter
from tajo_brevo import (
    APIConnectionError,
    APIError,
    AsyncTajoBrevo,
    CommunicationError,
    NotFoundError,
    TajoBrevo,
)
from tajo_brevo import _adapter as calls
from tajo_brevo.mock import BrevoMock

CONTACT = {
    "id": 7,
    "email": "ada@example.com",
    "attributes": {"LOYALTY_ID": "L7", "LOYALTY_POINTS": 120, "LOYALTY_TIER": "Silver"},
    "listIds": [1, 3],
    "emailBlacklisted": False,
    "smsBlacklisted": False,
    "createdAt": "2024-01-01T00:00:00Z",
    "modifiedAt": "2024-01-01T00:00:00Z",
}


def client(**kwargs: Any) -> TajoBrevo:
    clock = FakeClock()
    settings: dict[str, Any] = {"max_retries": 0, "rate_limit": 1000}
    settings.update(kwargs)
    return TajoBrevo(api_key=KEY, sleep=clock.sleep, clock=clock, jitter=no_jitter, **settings)


def test_the_wrapper_and_its_generated_client_share_one_http_client() -> None:
    with client() as brevo:
        assert brevo.generated.get_httpx_client() is brevo._http


def test_each_response_is_decoded_once_and_never_by_the_generated_models(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    decoded: list[bytes] = []

    class CountingJson:
        @staticmethod
        def loads(content: bytes) -> Any:
            decoded.append(content)
            return json.loads(content)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the generated model parsed a response")

    monkeypatch.setattr(calls, "json", CountingJson)
    monkeypatch.setattr(brevo_contacts.models.Contact, "from_dict", refuse)
    with client() as brevo, respx.mock(base_url=BASE) as router:
        router.get("/contacts/ada%40example.com").respond(200, json=CONTACT)
        profile = brevo.get_customer("ada@example.com")
    assert profile.loyalty_points == 120
    assert len(decoded) == 1


def test_an_api_error_keeps_the_request_and_response_with_the_key_blanked() -> None:
    with client() as brevo, respx.mock(base_url=BASE) as router:
        router.get("/contacts/nobody%40example.com").respond(
            404,
            json={"code": "document_not_found", "message": f"no contact (key {KEY})"},
            headers={"x-request-id": "abc"},
        )
        with pytest.raises(NotFoundError) as raised:
            brevo.get_customer("nobody@example.com")
    error = raised.value
    assert isinstance(error.request, httpx.Request)
    assert isinstance(error.response, httpx.Response)
    assert error.response.request is error.request
    assert error.request.method == "GET"
    assert error.request.url.path == "/v3/contacts/nobody@example.com"
    assert error.request.headers["api-key"] == "***"
    assert error.response.status_code == 404
    assert error.response.headers["x-request-id"] == "abc"
    assert error.response.json()["code"] == "document_not_found"
    evidence = repr(vars(error)) + error.response.text + str(error.request.headers)
    assert KEY not in evidence


def test_a_connection_error_keeps_the_request_with_the_key_blanked() -> None:
    with client() as brevo, respx.mock(base_url=BASE) as router:
        router.get("/contacts/attributes").mock(side_effect=httpx.ConnectError("refused"))
        with pytest.raises(APIConnectionError) as raised:
            brevo.refresh_attributes()
    request = raised.value.request
    assert request is not None and request.url.path == "/v3/contacts/attributes"
    assert request.headers["api-key"] == "***"


def test_one_class_catches_anything_that_went_wrong_talking_to_brevo() -> None:
    assert issubclass(APIError, CommunicationError)
    assert issubclass(APIConnectionError, CommunicationError)
    mock = BrevoMock(api_keys=["right-key"])
    wrong = TajoBrevo(api_key="wrong-key", base_url=BASE, transport=mock.transport())
    with wrong, pytest.raises(CommunicationError) as raised:
        wrong.refresh_attributes()
    assert raised.value.request is not None


def test_a_transport_is_used_directly_without_a_second_http_client() -> None:
    mock = BrevoMock()
    transport = mock.transport()
    with TajoBrevo(api_key=mock.api_key, base_url=BASE, transport=transport) as brevo:
        assert {info.name for info in brevo.refresh_attributes()} >= {"EMAIL"}
        assert brevo._http._transport._inner is transport  # type: ignore[attr-defined]


def test_transport_and_http_client_are_exclusive() -> None:
    from tajo_brevo import ConfigurationError

    mock = BrevoMock()
    with pytest.raises(ConfigurationError, match="not both"):
        TajoBrevo(api_key=KEY, http_client=mock.client(), transport=mock.transport())


def test_async_errors_carry_the_same_evidence() -> None:
    async def run() -> NotFoundError:
        clock = FakeClock()
        async with AsyncTajoBrevo(
            api_key=KEY, sleep=clock.asleep, clock=clock, jitter=no_jitter, max_retries=0
        ) as brevo:
            with respx.mock(base_url=BASE) as router:
                router.get("/contacts/7").respond(404, json={"code": "document_not_found"})
                try:
                    await brevo.get_customer(7)
                except NotFoundError as exc:
                    return exc
        raise AssertionError("no error")

    error = asyncio.run(run())
    assert error.request is not None and error.request.headers["api-key"] == "***"
    assert error.response is not None and error.response.status_code == 404


def _sent(request: httpx.Request) -> tuple[str, str, list[tuple[str, str]], bytes]:
    # The same headers in the same order, the key last (as the auth flow adds it).
    return request.method, str(request.url), request.headers.multi_items(), request.content


@pytest.mark.parametrize(
    "call",
    [
        calls.get_contact_call("ada+1@example.com"),
        calls.list_contacts_call(limit=50, offset=100),
        calls.create_contact_call({"email": "ada@example.com", "updateEnabled": True}),
        calls.update_contact_call(7, {"attributes": {"FIRSTNAME": "Adé"}}),
        calls.add_to_list_call(3, emails=["ada@example.com"]),
    ],
    ids=lambda call: call.operation,
)
def test_the_wrapper_sends_the_request_its_httpx_client_would_build(call: calls.Call) -> None:
    # The wrapper builds its requests itself (fewer steps per call); what goes out must
    # be what httpx.Client.request(**call.request) with the client's auth would send.
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    with client(transport=httpx.MockTransport(answer)) as brevo:
        brevo._execute(call)
        brevo._http.request(**call.request)
    direct, through_httpx = seen
    assert _sent(direct) == _sent(through_httpx)
    assert direct.extensions["timeout"] == through_httpx.extensions["timeout"]


def test_a_closed_client_sends_nothing() -> None:
    brevo = client(transport=httpx.MockTransport(lambda request: httpx.Response(200)))
    brevo.close()
    with pytest.raises(RuntimeError, match="closed"):
        brevo.get_customer("ada@example.com")


def test_the_async_client_sends_the_request_its_httpx_client_would_build() -> None:
    seen: list[httpx.Request] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=CONTACT)

    async def run() -> None:
        clock = FakeClock()

        async def asleep(seconds: float) -> None:
            clock.sleep(seconds)

        call = calls.get_contact_call("ada@example.com")
        async with AsyncTajoBrevo(
            api_key=KEY, transport=httpx.MockTransport(answer), sleep=asleep, clock=clock
        ) as brevo:
            profile = await brevo.get_customer("ada@example.com")
            assert profile.loyalty_points == 120
            await brevo._http.request(**call.request)

    asyncio.run(run())
    direct, through_httpx = seen
    assert _sent(direct) == _sent(through_httpx)


def test_every_generated_module_the_adapter_uses_still_has_its_request_builder() -> None:
    # The adapter reads each generated operation module's private request builder (see
    # calls.generated_builder for why); a generator upgrade that renames it fails here.
    modules = [
        value
        for value in vars(calls).values()
        if getattr(value, "__name__", "").startswith("brevo_contacts.api.")
    ]
    assert len(modules) >= 15
    missing = [
        m.__name__ for m in modules if not callable(getattr(m, calls.GENERATED_BUILDER, None))
    ]
    assert missing == [], (
        f"openapi-python-client no longer generates {calls.GENERATED_BUILDER} in {missing}: "
        "update tajo_brevo._adapter.generated_builder"
    )


def test_the_api_key_header_is_set_the_same_way_on_every_path() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"attributes": []})

    from brevo_contacts.api.contact_attributes import list_contact_attributes

    with client(transport=httpx.MockTransport(handler)) as brevo:
        brevo.refresh_attributes()  # the wrapper's own request builder
        list_contact_attributes.sync_detailed(client=brevo.generated)  # through httpx.Client
        # An httpx client the generated client builds itself authenticates the same way.
        fallback = brevo.generated.get_async_httpx_client()
        assert isinstance(fallback.auth, calls.ApiKeyAuth)
    assert [r.headers.get_list(calls.API_KEY_HEADER) for r in seen] == [[KEY], [KEY]]
