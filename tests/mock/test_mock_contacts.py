"""Contacts: create, upsert, lookup, update, delete, pagination, like production Brevo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from tajo_brevo.mock import BrevoMock


def create(http: httpx.Client, **body: object) -> httpx.Response:
    return http.post("/contacts", json=body)


def test_create_answers_201_with_the_new_id_and_timestamps(
    http: httpx.Client, mock: BrevoMock
) -> None:
    first = create(http, email="ada@example.com")
    second = create(http, email="bob@example.com")
    assert first.status_code == 201 and second.status_code == 201
    assert second.json()["id"] == first.json()["id"] + 1
    body = http.get(f"/contacts/{first.json()['id']}").json()
    assert body["email"] == "ada@example.com"
    assert body["createdAt"] == body["modifiedAt"]
    assert body["createdAt"].endswith("Z")
    assert body["emailBlacklisted"] is False and body["smsBlacklisted"] is False
    assert body["listIds"] == [] and body["attributes"] == {}


def test_email_is_unique_case_insensitively_and_duplicate_names_the_existing_id(
    http: httpx.Client,
) -> None:
    created = create(http, email="Ada@Example.com")
    duplicate = create(http, email="ADA@example.COM")
    assert duplicate.status_code == 400
    assert duplicate.json() == {
        "code": "duplicate_parameter",
        "message": "Contact already exist",
        "metadata": {"duplicate_identifiers": ["email"], "existing_id": created.json()["id"]},
    }


def test_update_enabled_upserts_201_then_204_with_no_body(http: httpx.Client) -> None:
    created = create(
        http, email="ada@example.com", updateEnabled=True, attributes={"FIRSTNAME": "Ada"}
    )
    assert created.status_code == 201
    updated = create(
        http, email="ADA@example.com", updateEnabled=True, attributes={"LASTNAME": "Lovelace"}
    )
    assert updated.status_code == 204
    assert updated.content == b""
    assert "content-type" not in updated.headers
    body = http.get("/contacts/ada@example.com").json()
    assert body["attributes"] == {"FIRSTNAME": "Ada", "LASTNAME": "Lovelace"}
    assert body["id"] == created.json()["id"]


def test_lookup_by_url_encoded_email_id_and_sms(http: httpx.Client) -> None:
    created = create(
        http, email="o'neil+loyalty@example.com", attributes={"SMS": "+33612345678"}
    ).json()
    encoded = "o%27neil%2Bloyalty%40example.com"
    assert http.get(f"/contacts/{encoded}").json()["id"] == created["id"]
    assert http.get(f"/contacts/{created['id']}").json()["id"] == created["id"]
    assert http.get("/contacts/%2B33612345678").json()["id"] == created["id"]
    assert http.get("/contacts/33612345678").json()["id"] == created["id"]


def test_an_email_containing_a_slash_is_one_identifier_when_encoded(http: httpx.Client) -> None:
    created = create(http, email="a/b@example.com")
    assert created.status_code == 201
    assert http.get("/contacts/a%2Fb%40example.com").json()["email"] == "a/b@example.com"
    # Sent unencoded, the slash splits the path: no such route.
    assert http.get("/contacts/a/b@example.com").status_code == 404


def test_unknown_contact_is_404_document_not_found(http: httpx.Client) -> None:
    for identifier in ("nobody@example.com", "12345", "99999999999999999999999"):
        response = http.get(f"/contacts/{identifier}")
        assert response.status_code == 404
        assert response.json()["code"] == "document_not_found"


def test_sms_lookup_is_for_get_only(http: httpx.Client) -> None:
    create(http, email="ada@example.com", attributes={"SMS": "+33612345678"})
    assert http.put("/contacts/+33612345678", json={"attributes": {}}).status_code == 404
    assert http.delete("/contacts/+33612345678").status_code == 404


def test_unknown_list_ids_are_400_naming_them_and_nothing_is_created(
    http: httpx.Client, mock: BrevoMock, list_id: int
) -> None:
    response = create(http, email="ada@example.com", listIds=[list_id, 77, 78])
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_parameter"
    assert "77" in body["message"] and "78" in body["message"]
    assert body["metadata"] == {"listIds": [77, 78]}
    assert mock.state.contacts == {}


def test_a_contact_needs_an_email_or_an_sms(http: httpx.Client) -> None:
    response = create(http, attributes={"FIRSTNAME": "Ada"})
    assert response.status_code == 400
    assert response.json()["code"] == "missing_parameter"
    assert create(http, attributes={"SMS": "+33612345678"}).status_code == 201


def test_update_changes_the_email_through_attributes_email(http: httpx.Client) -> None:
    contact_id = create(http, email="ada@example.com").json()["id"]
    response = http.put(
        "/contacts/ada%40example.com", json={"attributes": {"EMAIL": "Ada.L@Example.com"}}
    )
    assert response.status_code == 204 and response.content == b""
    assert http.get("/contacts/ada@example.com").status_code == 404
    assert http.get("/contacts/ada.l@example.com").json()["id"] == contact_id


def test_an_email_change_keeps_the_contacts_id_lists_attributes_and_blacklist(
    http: httpx.Client, list_id: int
) -> None:
    # Production (brevo-python 5.1.0 update_contact: attributes.EMAIL changes the email)
    # moves the address of the same contact: what a sync relies on for a new email.
    contact_id = create(
        http,
        email="ada@example.com",
        attributes={"FIRSTNAME": "Ada"},
        listIds=[list_id],
        emailBlacklisted=True,
    ).json()["id"]
    response = http.put(
        "/contacts/ada@example.com",
        json={"attributes": {"EMAIL": "ada.new@example.com", "LASTNAME": "Lovelace"}},
    )
    assert response.status_code == 204
    after = http.get("/contacts/ada.new@example.com").json()
    assert after["id"] == contact_id and after["email"] == "ada.new@example.com"
    assert after["listIds"] == [list_id] and after["emailBlacklisted"] is True
    assert (
        after["attributes"]["FIRSTNAME"] == "Ada" and after["attributes"]["LASTNAME"] == "Lovelace"
    )
    assert "EMAIL" not in after["attributes"]
    members = http.get(f"/contacts/lists/{list_id}/contacts").json()["contacts"]
    assert [m["email"] for m in members] == ["ada.new@example.com"]
    assert http.get("/contacts").json()["count"] == 1


def test_update_to_an_email_another_contact_has_is_a_duplicate(http: httpx.Client) -> None:
    create(http, email="ada@example.com")
    other = create(http, email="bob@example.com").json()["id"]
    response = http.put(
        "/contacts/ada@example.com", json={"attributes": {"EMAIL": "BOB@example.com"}}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "duplicate_parameter"
    assert response.json()["metadata"]["existing_id"] == other


def test_update_links_unlinks_lists_and_sets_blacklist_flags(
    http: httpx.Client, folder_id: int
) -> None:
    lists = [
        http.post("/contacts/lists", json={"name": n, "folderId": folder_id}).json()["id"]
        for n in ("A", "B", "C")
    ]
    create(http, email="ada@example.com", listIds=lists[:2])
    response = http.put(
        "/contacts/ada@example.com",
        json={
            "listIds": [lists[2]],
            "unlinkListIds": [lists[0]],
            "emailBlacklisted": True,
            "smsBlacklisted": True,
        },
    )
    assert response.status_code == 204
    body = http.get("/contacts/ada@example.com").json()
    assert body["listIds"] == [lists[1], lists[2]]
    assert body["emailBlacklisted"] is True and body["smsBlacklisted"] is True
    assert http.put("/contacts/ada@example.com", json={"unlinkListIds": [999]}).status_code == 400


def test_update_moves_modified_at_but_not_created_at(mock: BrevoMock) -> None:
    clock = [datetime(2026, 1, 1, tzinfo=UTC)]
    timed = BrevoMock(now=lambda: clock[0])
    with timed.client() as http:
        create(http, email="ada@example.com")
        clock[0] += timedelta(hours=1)
        http.put("/contacts/ada@example.com", json={"attributes": {"FIRSTNAME": "Ada"}})
        body = http.get("/contacts/ada@example.com").json()
    assert body["createdAt"] == "2026-01-01T00:00:00.000Z"
    assert body["modifiedAt"] == "2026-01-01T01:00:00.000Z"
    assert timed.response_problems() == []


def test_delete_removes_the_contact_and_the_accounts_own_email_is_405(
    http: httpx.Client, mock: BrevoMock
) -> None:
    create(http, email="ada@example.com")
    create(http, email=mock.state.account_email)
    assert http.delete("/contacts/ada@example.com").status_code == 204
    assert http.get("/contacts/ada@example.com").status_code == 404
    assert http.delete("/contacts/ada@example.com").status_code == 404
    refused = http.delete(f"/contacts/{mock.state.account_email}")
    assert refused.status_code == 405
    assert refused.json()["code"] == "method_not_allowed"


@pytest.fixture
def ten_contacts(mock: BrevoMock) -> list[int]:
    clock = [datetime(2026, 1, 1, tzinfo=UTC)]

    def now() -> datetime:
        clock[0] += timedelta(minutes=1)
        return clock[0]

    mock.state._now = now
    return [mock.state.create_contact({"email": f"c{i}@example.com"})[1] or 0 for i in range(10)]


def test_list_contacts_pages_newest_first_with_total_count(
    http: httpx.Client, ten_contacts: list[int]
) -> None:
    page = http.get("/contacts", params={"limit": 3, "offset": 2}).json()
    assert page["count"] == 10
    assert [c["id"] for c in page["contacts"]] == ten_contacts[::-1][2:5]
    ascending = http.get("/contacts", params={"limit": 3, "sort": "asc"}).json()
    assert [c["id"] for c in ascending["contacts"]] == ten_contacts[:3]
    assert http.get("/contacts", params={"offset": 50}).json() == {"contacts": [], "count": 10}


def test_list_contacts_defaults_to_50_and_caps_at_1000(mock: BrevoMock, http: httpx.Client) -> None:
    for i in range(60):
        mock.state.create_contact({"email": f"c{i}@example.com"})
    assert len(http.get("/contacts").json()["contacts"]) == 50
    assert len(http.get("/contacts", params={"limit": 1000}).json()["contacts"]) == 60
    too_many = http.get("/contacts", params={"limit": 1001})
    assert too_many.status_code == 400
    assert too_many.json()["code"] == "invalid_parameter"
    assert "limit" in too_many.json()["message"]


def test_modified_since_filters_and_counts(
    http: httpx.Client, ten_contacts: list[int], mock: BrevoMock
) -> None:
    since = mock.state.contacts[ten_contacts[6]].modified_at
    response = http.get(
        "/contacts", params={"modifiedSince": since.strftime("%Y-%m-%dT%H:%M:%S.000Z")}
    ).json()
    assert response["count"] == 4
    assert {c["id"] for c in response["contacts"]} == set(ten_contacts[6:])
