"""BrevoMock's test-facing reads (contacts, lists, calls) and its rate-limit/fault switches."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from tajo_brevo.mock import ApiCall, BrevoMock, Fault, MockContact


@pytest.fixture
def mock() -> BrevoMock:
    return BrevoMock()


@pytest.fixture
def http(mock: BrevoMock) -> Iterator[httpx.Client]:
    with mock.client() as client:
        yield client


def make_list(http: httpx.Client, name: str) -> int:
    folder = http.post("/contacts/folders", json={"name": f"F {name}"}).json()["id"]
    answer = http.post("/contacts/lists", json={"name": name, "folderId": folder})
    assert answer.status_code == 201
    return int(answer.json()["id"])


def test_contact_is_a_snapshot_with_attributes_and_list_names(
    mock: BrevoMock, http: httpx.Client
) -> None:
    gold = make_list(http, "Shop - Gold")
    body = {"email": "Ada@Example.com", "attributes": {"FIRSTNAME": "Ada"}, "listIds": [gold]}
    assert http.post("/contacts", json=body).status_code == 201

    contact = mock.contact("ada@example.com")
    assert isinstance(contact, MockContact)
    assert contact.email == "ada@example.com"
    assert contact.attributes == {"FIRSTNAME": "Ada"}
    assert contact.list_ids == {gold} and contact.lists == {"Shop - Gold"}
    assert not contact.email_blacklisted
    assert mock.contact(contact.id) == contact
    # A copy: changing it changes nothing in the mock.
    mock.contact_attributes("ada@example.com")["FIRSTNAME"] = "Eve"
    assert mock.contact_attributes("ada@example.com") == {"FIRSTNAME": "Ada"}
    assert [c.email for c in mock.contacts()] == ["ada@example.com"]


def test_a_missing_contact_is_a_lookup_error_naming_what_exists(
    mock: BrevoMock, http: httpx.Client
) -> None:
    http.post("/contacts", json={"email": "ada@example.com"})
    assert mock.has_contact("ada@example.com") and not mock.has_contact("bob@example.com")
    with pytest.raises(LookupError, match=r"no contact 'bob@example.com'; it has 1: ada@"):
        mock.contact("bob@example.com")


def test_emails_in_list_by_name_or_id(mock: BrevoMock, http: httpx.Client) -> None:
    gold = make_list(http, "Gold")
    silver = make_list(http, "Silver")
    http.post("/contacts", json={"email": "a@example.com", "listIds": [gold]})
    http.post("/contacts", json={"email": "b@example.com", "listIds": [gold, silver]})
    http.post("/contacts", json={"email": "c@example.com"})

    assert mock.emails_in_list("Gold") == {"a@example.com", "b@example.com"}
    assert mock.emails_in_list(silver) == {"b@example.com"}
    assert mock.list_names() == {"Gold", "Silver"}
    assert mock.list_id("Silver") == silver
    with pytest.raises(LookupError, match=r"no list is named 'Bronze'; the mock's lists: Gold"):
        mock.emails_in_list("Bronze")
    with pytest.raises(LookupError, match="no list with id 99"):
        mock.emails_in_list(99)


def test_a_list_name_used_twice_is_ambiguous(mock: BrevoMock, http: httpx.Client) -> None:
    make_list(http, "Gold")
    make_list(http, "Gold")
    with pytest.raises(LookupError, match="several lists are named 'Gold'"):
        mock.list_id("Gold")


def test_calls_read_like_the_spec_and_filter(mock: BrevoMock, http: httpx.Client) -> None:
    http.post("/contacts", json={"email": "ada@example.com"})
    http.get("/contacts/ada%40example.com")
    http.get("/contacts", params={"limit": "5"})
    http.post("/contacts", content=b"not json", headers={"content-type": "application/json"})

    calls = mock.calls()
    assert [str(c) for c in calls] == [
        "POST /contacts",
        "GET /contacts/ada@example.com",
        "GET /contacts",
        "POST /contacts",
    ]
    first = calls[0]
    assert isinstance(first, ApiCall)
    assert first.body == {"email": "ada@example.com"} and first.status == 201
    assert first.operation_id == "createContact" and first.response == {"id": 1}
    assert calls[2].query == {"limit": "5"}
    assert calls[3].body == "not json" and calls[3].status == 400
    assert [c.path for c in mock.calls(path="/contacts/{identifier}")] == [
        "/contacts/ada@example.com"
    ]
    assert len(mock.calls("get")) == 2
    assert len(mock.calls(operation="createContact")) == 2
    assert mock.calls("DELETE") == []
    mock.clear_requests()
    assert mock.calls() == []


def test_rate_limit_switched_on_and_off_while_running() -> None:
    now = [0.0]
    mock = BrevoMock(clock=lambda: now[0])
    assert mock.rate_limit is None
    mock.set_rate_limit("general")
    assert mock.rate_limit == 10
    with mock.client() as http:
        statuses = [http.get("/contacts/lists").status_code for _ in range(11)]
        assert statuses == [200] * 10 + [429]
        now[0] += 1.0
        assert http.get("/contacts/lists").status_code == 200
        mock.set_rate_limit(None)
        assert all(http.get("/contacts/lists").status_code == 200 for _ in range(20))
    with pytest.raises(ValueError, match="at least 1"):
        mock.set_rate_limit(0)


def test_faults_switched_on_and_off_while_running(mock: BrevoMock, http: httpx.Client) -> None:
    mock.set_faults(["createContact:status=502"])
    assert mock.faults == (Fault("status", "createContact", status=502),)
    assert http.post("/contacts", json={"email": "a@example.com"}).status_code == 502
    assert http.get("/contacts").status_code == 200
    mock.set_faults([])
    assert http.post("/contacts", json={"email": "a@example.com"}).status_code == 201
    with pytest.raises(ValueError, match="not an operationId"):
        mock.set_faults(["noSuchOperation:drop"])


def test_response_problems_names_a_response_the_spec_lacks_and_only_that(
    mock: BrevoMock, http: httpx.Client
) -> None:
    # An injected 503 is no response the spec documents; the rest has nothing to check:
    # a production extra (getFolder), a 405, an unrouted path, a dropped connection.
    mock.set_faults(["getContactInfo:status=503", "listFolders:drop"])
    assert http.get("/contacts/ada@example.com").status_code == 503
    assert http.post("/contacts/folders", json={"name": "F"}).status_code == 201
    assert http.get("/contacts/folders/1").status_code == 200
    assert http.post("/contacts/folders/1").status_code == 405
    assert http.get("/nowhere").status_code == 404
    with pytest.raises(httpx.RemoteProtocolError):
        http.get("/contacts/folders")
    assert [(r.operation_id, r.status) for r in mock.requests][-1] == ("listFolders", None)
    assert mock.response_problems() == [
        "GET /v3/contacts/ada@example.com -> 503: ResponseNotFound: "
        "Unknown response http status: 503"
    ]
