"""Every tajo_brevo exception survives pickle (multiprocessing, celery), evidence included."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import httpx
import pytest
import respx
from _client_support import BASE, KEY, FakeClock, no_jitter
from tajo_brevo import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AttributeMismatchError,
    BrevoError,
    ConfigurationError,
    ContactWithoutEmailError,
    DuplicateContactError,
    InvalidParameterError,
    NotFoundError,
    ProfileValidationError,
    RateLimitError,
    ServerError,
    TajoBrevo,
    ValidationError,
)


def client() -> TajoBrevo:
    clock = FakeClock()
    return TajoBrevo(api_key=KEY, max_retries=0, sleep=clock.sleep, clock=clock, jitter=no_jitter)


def raised_by(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> APIError:
    """The error the client raises for this answer to a GET /contacts/{email}."""
    with client() as brevo, respx.mock(base_url=BASE) as router:
        router.get("/contacts/ada%40example.com").respond(status, json=body, headers=headers)
        with pytest.raises(APIError) as raised:
            brevo.get_customer("ada@example.com")
    return raised.value


def round_trip(error: BrevoError) -> Any:
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error)
    assert str(again) == str(error) and repr(again) == repr(error)
    assert again.args == error.args
    return again


@pytest.mark.parametrize(
    ("status", "body", "headers", "kind", "extra"),
    [
        (
            404,
            {"code": "document_not_found", "message": "Contact does not exist"},
            None,
            NotFoundError,
            {},
        ),
        (
            400,
            {"code": "invalid_parameter", "message": "List ID(s) 999 not found"},
            None,
            InvalidParameterError,
            {"values": [999]},
        ),
        (
            400,
            {
                "code": "duplicate_parameter",
                "message": "Contact already exist",
                "details": {"existingId": 42},
            },
            None,
            DuplicateContactError,
            {"existing_id": 42},
        ),
        (
            429,
            {"code": "too_many_requests", "message": "slow down"},
            {"x-sib-ratelimit-reset": "3"},
            RateLimitError,
            {"reset_after": 3.0},
        ),
        (503, {"code": "internal_error", "message": f"down (key {KEY})"}, None, ServerError, {}),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else None,
)
def test_an_api_error_round_trips_through_pickle_with_its_evidence(
    status: int,
    body: dict[str, Any],
    headers: dict[str, str] | None,
    kind: type[APIError],
    extra: dict[str, Any],
) -> None:
    error = raised_by(status, body, headers)
    assert type(error) is kind
    again = round_trip(error)
    assert (again.status_code, again.code, again.message) == (
        error.status_code,
        error.code,
        error.message,
    )
    assert (again.method, again.path, again.metadata, again.body) == (
        error.method,
        error.path,
        error.metadata,
        error.body,
    )
    for name, value in extra.items():
        assert getattr(again, name) == value
    # The redacted evidence: request and response with body, headers and status.
    assert isinstance(again.request, httpx.Request)
    assert isinstance(again.response, httpx.Response)
    assert again.request.method == "GET"
    assert str(again.request.url) == str(error.request.url)
    assert again.request.headers["api-key"] == "***"
    assert again.response.status_code == status
    assert again.response.json() == error.response.json()
    assert again.response.headers.multi_items() == error.response.headers.multi_items()
    assert again.response.request.url == again.request.url
    assert KEY not in pickle.dumps(error).decode("latin-1")


def test_a_connection_error_round_trips_through_pickle_with_its_request() -> None:
    with client() as brevo, respx.mock(base_url=BASE) as router:
        router.get("/contacts/attributes").mock(side_effect=httpx.ReadTimeout("slow"))
        with pytest.raises(APITimeoutError) as raised:
            brevo.refresh_attributes()
    again = round_trip(raised.value)
    assert isinstance(again, APIConnectionError)
    assert (again.method, again.path) == ("GET", raised.value.path)
    assert again.request is not None and again.request.url.path == "/v3/contacts/attributes"
    assert again.request.headers["api-key"] == "***"


@pytest.mark.parametrize(
    "error",
    [
        ValidationError([("email", "must contain exactly one '@'")]),
        ProfileValidationError([("loyalty_points", "must be >= 0, got -1")]),
        AttributeMismatchError([("LOYALTY_POINTS", "expected float, got text")]),
        ConfigurationError("no API key"),
        ContactWithoutEmailError(
            identifier="+33612345678", contact_id=7, contact={"id": 7, "attributes": {}}
        ),
    ],
    ids=lambda error: type(error).__name__,
)
def test_the_other_errors_round_trip_through_pickle(error: BrevoError) -> None:
    again = round_trip(error)
    assert vars(again) == vars(error)
    if isinstance(error, ValidationError):
        assert again.errors == error.errors


def test_an_error_copies_with_its_evidence() -> None:
    error = raised_by(404, {"code": "document_not_found", "message": "gone"})
    duplicate = copy.deepcopy(error)
    assert duplicate.status_code == 404 and duplicate.response is not None
    assert duplicate.response.json()["message"] == "gone"
