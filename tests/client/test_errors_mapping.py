"""One function maps every Brevo error response to the exception tree."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import respx
from _client_support import BASE, KEY
from tajo_brevo import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AsyncTajoBrevo,
    AuthenticationError,
    BadRequestError,
    DuplicateContactError,
    InvalidParameterError,
    MethodNotAllowedError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TajoBrevo,
)
from tajo_brevo._responses import error_from_response


def mapped(
    status: int,
    body: object = None,
    *,
    path: str = "/contacts",
    method: str = "POST",
    headers: dict[str, str] | None = None,
    raw: bytes | None = None,
) -> APIError:
    content = raw if raw is not None else json.dumps(body).encode()
    return error_from_response(
        status_code=status,
        content=content,
        headers=httpx.Headers(headers or {}),
        method=method,
        path=path,
        secrets=(KEY,),
    )


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (400, "bad_request", BadRequestError),
        (400, "invalid_parameter", InvalidParameterError),
        (400, "missing_parameter", InvalidParameterError),
        (400, "out_of_range", InvalidParameterError),
        (400, "duplicate_request", BadRequestError),
        (400, "not_acceptable", BadRequestError),
        (401, "unauthorized", AuthenticationError),
        (402, "not_enough_credits", PaymentRequiredError),
        (403, "permission_denied", PermissionDeniedError),
        (403, "account_under_validation", PermissionDeniedError),
        (404, "document_not_found", NotFoundError),
        (405, "method_not_allowed", MethodNotAllowedError),
        (406, "not_acceptable", APIError),
        (422, "unprocessable_entity", APIError),
        (429, "too_many_requests", RateLimitError),
        (500, "internal_error", ServerError),
        (503, None, ServerError),
    ],
)
def test_every_documented_status_and_code_maps_to_its_class(
    status: int, code: str | None, kind: type[APIError]
) -> None:
    error = mapped(status, {"code": code, "message": "m"}, path="/contacts/lists")
    assert type(error) is kind
    assert (error.status_code, error.code, error.message) == (status, code, "m")
    assert error.method == "POST" and error.path == "/contacts/lists"


def test_duplicate_matched_on_the_duplicate_code() -> None:
    error = mapped(400, {"code": "duplicate_parameter", "message": "Contact already exist"})
    assert isinstance(error, DuplicateContactError)
    assert error.existing_id is None


def test_duplicate_matched_on_the_message_under_invalid_parameter() -> None:
    error = mapped(400, {"code": "invalid_parameter", "message": "Contact already exists"})
    assert isinstance(error, DuplicateContactError)


def test_duplicate_matched_on_metadata_duplicate_identifiers() -> None:
    body = {
        "code": "invalid_parameter",
        "message": "Unable to create contact",
        "metadata": {"duplicate_identifiers": ["email"], "existingId": 77},
    }
    error = mapped(400, body)
    assert isinstance(error, DuplicateContactError)
    assert error.existing_id == 77
    assert error.metadata["duplicate_identifiers"] == ["email"]


def test_duplicate_carries_the_existing_id_from_the_guides_details() -> None:
    body = {
        "code": "duplicate_parameter",
        "message": "Contact already exists",
        "details": {"email": "john.doe@example.com", "existingId": 123456},
    }
    error = mapped(400, body)
    assert isinstance(error, DuplicateContactError)
    assert error.existing_id == 123456


def test_a_duplicate_on_a_non_contact_endpoint_is_not_a_duplicate_contact() -> None:
    error = mapped(
        400,
        {"code": "invalid_parameter", "message": "Attribute name already exists"},
        path="/contacts/attributes/normal/LOYALTY_ID",
    )
    assert type(error) is InvalidParameterError


def test_invalid_parameter_carries_the_offending_list_ids() -> None:
    body = {
        "code": "invalid_parameter",
        "message": "Invalid list ID",
        "details": {"listIds": [999]},
    }
    error = mapped(400, body)
    assert isinstance(error, InvalidParameterError)
    assert error.values == [999]


def test_invalid_parameter_values_from_the_message_when_nothing_else_names_them() -> None:
    error = mapped(400, {"code": "invalid_parameter", "message": "List ID(s) 999, 1000 not found"})
    assert isinstance(error, InvalidParameterError)
    assert error.values == [999, 1000]


def test_rate_limit_error_carries_the_reset_delay() -> None:
    error = mapped(
        429,
        {"code": "too_many_requests", "message": "slow down"},
        headers={"x-sib-ratelimit-reset": "7", "x-sib-ratelimit-remaining": "0"},
    )
    assert isinstance(error, RateLimitError)
    assert error.reset_after == 7.0


def test_rate_limit_falls_back_to_retry_after() -> None:
    error = mapped(429, {"code": "x", "message": "y"}, headers={"retry-after": "3"})
    assert isinstance(error, RateLimitError) and error.reset_after == 3.0


def test_a_non_json_error_body_keeps_its_text() -> None:
    error = mapped(502, raw=b"<html>Bad gateway</html>")
    assert isinstance(error, ServerError)
    assert error.code is None and error.message == "<html>Bad gateway</html>"


def test_an_echoed_api_key_is_blanked_from_message_and_body() -> None:
    error = mapped(401, {"code": "unauthorized", "message": f"Key {KEY} not found"})
    assert KEY not in str(error) and KEY not in repr(error)
    assert KEY not in json.dumps(error.body)
    assert "Key *** not found" in str(error)


# -- through the client: the generated client's types never leak ---------------------


def test_client_raises_mapped_errors_not_generated_types() -> None:
    with TajoBrevo(api_key=KEY, max_retries=0) as client, respx.mock(base_url=BASE) as router:
        router.get("/contacts/nobody%40example.com").respond(
            404, json={"code": "document_not_found", "message": "Contact does not exist"}
        )
        with pytest.raises(NotFoundError) as info:
            client.get_customer("nobody@example.com")
    assert info.value.path == "/contacts/nobody@example.com"
    assert info.value.__cause__ is None


def test_an_error_body_the_generated_client_cannot_parse_still_maps() -> None:
    # No "code": the generated ErrorResponse.from_dict raises KeyError on it.
    with TajoBrevo(api_key=KEY, max_retries=0) as client, respx.mock(base_url=BASE) as router:
        router.get("/contacts/attributes").respond(401, json={"message": "Key not found"})
        with pytest.raises(AuthenticationError, match="Key not found"):
            client.refresh_attributes()


def test_an_undocumented_status_maps_too() -> None:
    with TajoBrevo(api_key=KEY, max_retries=0) as client, respx.mock(base_url=BASE) as router:
        router.get("/contacts/attributes").respond(
            403, json={"code": "permission_denied", "message": "IP not authorised"}
        )
        with pytest.raises(PermissionDeniedError):
            client.refresh_attributes()


def test_connection_failures_map_to_connection_errors() -> None:
    with TajoBrevo(api_key=KEY, max_retries=0) as client, respx.mock(base_url=BASE) as router:
        router.get("/contacts/attributes").mock(side_effect=httpx.ConnectError("refused"))
        with pytest.raises(APIConnectionError) as info:
            client.refresh_attributes()
        assert not isinstance(info.value, APITimeoutError)
        router.get("/contacts/attributes").mock(side_effect=httpx.ReadTimeout("slow"))
        with pytest.raises(APITimeoutError):
            client.refresh_attributes()


def test_async_client_maps_errors_the_same_way() -> None:
    async def run() -> None:
        async with AsyncTajoBrevo(api_key=KEY, max_retries=0) as client:
            with respx.mock(base_url=BASE) as router:
                router.get("/contacts/42").respond(
                    404, json={"code": "document_not_found", "message": "Contact does not exist"}
                )
                with pytest.raises(NotFoundError):
                    await client.get_customer(42)

    asyncio.run(run())


def test_a_status_http_does_not_know_still_maps() -> None:
    # The generated client builds HTTPStatus(599), which raises ValueError: still mapped.
    with TajoBrevo(api_key=KEY, max_retries=0) as client, respx.mock(base_url=BASE) as router:
        router.get("/contacts/attributes").respond(599, json={"code": "x", "message": "odd"})
        with pytest.raises(ServerError) as info:
            client.refresh_attributes()
    assert info.value.status_code == 599


def test_only_the_adapter_calls_the_generated_api() -> None:
    import ast
    from pathlib import Path

    import tajo_brevo

    package = Path(tajo_brevo.__file__).parent
    offenders = []
    for path in package.rglob("*.py"):
        if path.name == "_adapter.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            if any(
                n.startswith("brevo_contacts.api") or n == "brevo_contacts.errors" for n in names
            ):
                offenders.append(str(path.relative_to(package)))
    assert offenders == []
