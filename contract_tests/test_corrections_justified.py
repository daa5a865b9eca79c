"""Why openapi/corrections.yml exists: the raw pin rejects what production Brevo does.

Each exchange below is production behaviour that a correction records (its comment in
openapi/corrections.yml names the source). The
pinned upstream spec (openapi/brevo-contacts.yml) declares it a contract violation; the
effective spec (pin + corrections) accepts it. If a correction is dropped, or upstream
starts documenting the behaviour, the matching test fails and says which.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from _specs import BASE_URL
from tajo_brevo.contract.validation import ContractViolation, SpecValidator

RATE_HEADERS = {
    "x-sib-ratelimit-limit": "10",
    "x-sib-ratelimit-remaining": "0",
    "x-sib-ratelimit-reset": "1",
}


@dataclass(frozen=True)
class Exchange:
    fact: str
    method: str
    path: str
    status: int
    body: Any = None
    request_json: Any = None
    headers: tuple[tuple[str, str], ...] = tuple(RATE_HEADERS.items())

    def request(self) -> httpx.Request:
        kwargs: dict[str, Any] = {"headers": {"api-key": "k"}}
        if self.request_json is not None:
            kwargs["json"] = self.request_json
        return httpx.Request(self.method, f"{BASE_URL}{self.path}", **kwargs)

    def response(self) -> httpx.Response:
        headers = dict(self.headers)
        if self.body is None:
            return httpx.Response(self.status, headers=headers)
        headers["content-type"] = "application/json"
        return httpx.Response(self.status, headers=headers, content=json.dumps(self.body))


PRODUCTION = [
    Exchange(
        "upsert of an existing contact answers 204 with no body",
        "POST",
        "/contacts",
        204,
        request_json={"email": "ada@example.com", "updateEnabled": True},
    ),
    Exchange(
        "any call can be rate limited: 429 with x-sib-ratelimit-* headers",
        "GET",
        "/contacts/ada%40example.com",
        429,
        body={"code": "too_many_requests", "message": "Too many requests"},
    ),
    Exchange(
        "deleting the account's own email is refused with 405",
        "DELETE",
        "/contacts/owner%40example.com",
        405,
        body={"code": "method_not_allowed", "message": "Operation not allowed"},
    ),
    Exchange(
        "an invalid sort on listContactLists answers 400",
        "GET",
        "/contacts/lists?sort=AAA",
        400,
        body={"code": "invalid_parameter", "message": "sort is not valid"},
    ),
    Exchange(
        "listFolders with limit=1000 answers 400 out_of_range (max 50)",
        "GET",
        "/contacts/folders?limit=1000",
        400,
        body={"code": "out_of_range", "message": "limit should be less than 50"},
    ),
    Exchange(
        "listContactAttributes can answer 400",
        "GET",
        "/contacts/attributes",
        400,
        body={"code": "bad_request", "message": "Bad request"},
    ),
]


@pytest.mark.parametrize("exchange", PRODUCTION, ids=lambda e: e.fact)
def test_pin_rejects_production_behaviour_the_effective_spec_documents(
    exchange: Exchange, pin_validator: SpecValidator, validator: SpecValidator
) -> None:
    request, response = exchange.request(), exchange.response()
    with pytest.raises(ContractViolation) as raised:
        pin_validator.validate_response(request, response)
    assert raised.value.check == "response"
    # Each of these is an undocumented status in the pin, not a schema mismatch.
    assert "ResponseNotFound" in raised.value.detail, raised.value.detail
    validator.validate_response(request, response)


def test_limit_1000_is_valid_on_contacts_only_in_the_effective_spec(
    pin_validator: SpecValidator, validator: SpecValidator
) -> None:
    # Production: GET /contacts takes up to 1000, lists and folders stop at 50. The pin
    # has one unbounded limit for all three, so a client validated against it would send
    # ?limit=1000 to /contacts/lists and get a 400.
    contacts = httpx.Request("GET", f"{BASE_URL}/contacts?limit=1000", headers={"api-key": "k"})
    lists = httpx.Request("GET", f"{BASE_URL}/contacts/lists?limit=1000", headers={"api-key": "k"})
    validator.validate_request(contacts)
    pin_validator.validate_request(lists)
    with pytest.raises(ContractViolation) as raised:
        validator.validate_request(lists)
    assert raised.value.operation == "listContactLists"
    assert "limit" in raised.value.detail


def test_add_members_over_150_is_rejected_only_by_the_effective_spec(
    pin_validator: SpecValidator, validator: SpecValidator
) -> None:
    body = {"emails": [f"c{i}@example.com" for i in range(151)]}
    request = httpx.Request(
        "POST", f"{BASE_URL}/contacts/lists/7/contacts/add", headers={"api-key": "k"}, json=body
    )
    pin_validator.validate_request(request)
    with pytest.raises(ContractViolation) as raised:
        validator.validate_request(request)
    assert raised.value.operation == "addContactsToList"
