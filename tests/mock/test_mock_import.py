"""Import: ';'-separated CSV in fileBody, applied at once, visible through the other endpoints."""

from __future__ import annotations

import httpx
import pytest
from tajo_brevo.mock import BrevoMock


@pytest.fixture
def points(http: httpx.Client) -> None:
    assert (
        http.post("/contacts/attributes/normal/POINTS", json={"type": "float"}).status_code == 201
    )


def test_import_creates_contacts_in_lists_and_answers_202(
    http: httpx.Client, list_id: int, points: None, mock: BrevoMock
) -> None:
    response = http.post(
        "/contacts/import",
        json={
            "fileBody": "EMAIL;FIRSTNAME;POINTS;UNKNOWN\n"
            "ada@example.com;Ada;1500;x\n"
            "BOB@example.com;Bob;lots;y\n",
            "listIds": [list_id],
        },
    )
    assert response.status_code == 202
    assert response.json() == {"processId": 1}
    ada = http.get("/contacts/ada@example.com").json()
    assert ada["attributes"] == {"FIRSTNAME": "Ada", "POINTS": 1500}
    assert ada["listIds"] == [list_id]
    # "lots" does not fit a float attribute: dropped, like production.
    assert http.get("/contacts/bob@example.com").json()["attributes"] == {"FIRSTNAME": "Bob"}
    assert http.get(f"/contacts/lists/{list_id}").json()["totalSubscribers"] == 2
    assert mock.state.imports[0].created == [ada["id"], ada["id"] + 1]


def test_update_existing_contacts_defaults_to_true_and_can_be_off(
    http: httpx.Client, list_id: int
) -> None:
    http.post("/contacts", json={"email": "ada@example.com", "attributes": {"FIRSTNAME": "A"}})
    body = {"fileBody": "EMAIL;FIRSTNAME\nada@example.com;Ada", "listIds": [list_id]}
    http.post("/contacts/import", json={**body, "updateExistingContacts": False})
    assert http.get("/contacts/ada@example.com").json()["attributes"] == {"FIRSTNAME": "A"}
    http.post("/contacts/import", json=body)
    assert http.get("/contacts/ada@example.com").json()["attributes"] == {"FIRSTNAME": "Ada"}


def test_empty_cells_keep_values_unless_empty_contacts_attributes(
    http: httpx.Client, list_id: int
) -> None:
    http.post(
        "/contacts",
        json={"email": "ada@example.com", "attributes": {"FIRSTNAME": "Ada", "LASTNAME": "L"}},
    )
    body = {"fileBody": "EMAIL;FIRSTNAME;LASTNAME\nada@example.com;;Lovelace", "listIds": [list_id]}
    http.post("/contacts/import", json=body)
    assert http.get("/contacts/ada@example.com").json()["attributes"] == {
        "FIRSTNAME": "Ada",
        "LASTNAME": "Lovelace",
    }
    http.post("/contacts/import", json={**body, "emptyContactsAttributes": True})
    assert http.get("/contacts/ada@example.com").json()["attributes"] == {"LASTNAME": "Lovelace"}


def test_new_list_and_blacklist_flags(http: httpx.Client, folder_id: int) -> None:
    response = http.post(
        "/contacts/import",
        json={
            "fileBody": "EMAIL\nada@example.com\nbob@example.com",
            "newList": {"listName": "Imported", "folderId": folder_id},
            "emailBlacklist": True,
        },
    )
    assert response.status_code == 202
    lists = http.get("/contacts/lists").json()["lists"]
    assert [(item["name"], item["totalBlacklisted"]) for item in lists] == [("Imported", 2)]
    ada = http.get("/contacts/ada@example.com").json()
    assert ada["emailBlacklisted"] is True and ada["listIds"] == [lists[0]["id"]]


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        ({"fileUrl": "https://example.com/c.csv", "listIds": [1]}, "invalid_parameter", "fileBody"),
        ({"listIds": [1]}, "missing_parameter", "fileBody"),
        ({"fileBody": "EMAIL\na@example.com"}, "missing_parameter", "listIds"),
        ({"fileBody": "EMAIL\na@example.com", "listIds": [99]}, "invalid_parameter", "99"),
        ({"fileBody": "NAME,EMAIL\nAda,a@example.com", "listIds": [1]}, "invalid_parameter", ";"),
        ({"fileBody": "EMAIL\na@example.com", "newList": {"listName": "N", "folderId": 9}},
         "invalid_parameter", "9"),
        ({"fileBody": "EMAIL\na@example.com", "newList": {"folderId": 1}},
         "missing_parameter", "listName"),
        ({"fileBody": "EMAIL\na@example.com", "listIds": [1], "notifyUrl": "not a url"},
         "invalid_parameter", "notifyUrl"),
    ],
)  # fmt: skip
def test_bad_imports_are_refused_and_change_nothing(
    http: httpx.Client,
    list_id: int,
    mock: BrevoMock,
    body: dict[str, object],
    code: str,
    words: str,
) -> None:
    assert list_id == 1
    response = http.post("/contacts/import", json=body)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert words in response.json()["message"]
    assert mock.state.contacts == {} and mock.state.imports == []
    assert len(mock.state.lists) == 1


def test_rows_with_bad_emails_are_skipped_not_fatal(
    http: httpx.Client, list_id: int, mock: BrevoMock
) -> None:
    response = http.post(
        "/contacts/import",
        json={"fileBody": "EMAIL\nnot-an-email\nada@example.com\n", "listIds": [list_id]},
    )
    assert response.status_code == 202
    assert [c.email for c in mock.state.contacts.values()] == ["ada@example.com"]
    assert mock.state.imports[0].skipped == ["not-an-email"]
