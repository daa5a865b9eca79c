"""The reads a sync's drift detection relies on: full member pages, subscriber counts that
follow membership, and a modification date that moves on every update of a contact."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from _mock_support import Ticking
from tajo_brevo.mock import BrevoMock


@pytest.fixture
def ticking() -> Iterator[tuple[BrevoMock, httpx.Client]]:
    mock = BrevoMock(now=Ticking())
    with mock.client() as http:
        yield mock, http
    assert not mock.response_problems()


def new_list(http: httpx.Client, name: str = "Gold") -> int:
    folder = http.post("/contacts/folders", json={"name": f"{name} folder"}).json()["id"]
    created = http.post("/contacts/lists", json={"name": name, "folderId": folder})
    assert created.status_code == 201
    value: int = created.json()["id"]
    return value


def wait_imports(mock: BrevoMock) -> None:
    assert mock.state.wait_for_imports(20)


def counts(http: httpx.Client, list_id: int) -> tuple[int, int, int]:
    body = http.get(f"/contacts/lists/{list_id}").json()
    return body["totalSubscribers"], body["uniqueSubscribers"], body["totalBlacklisted"]


def member_emails(http: httpx.Client, list_id: int) -> tuple[set[str], int]:
    body = http.get(f"/contacts/lists/{list_id}/contacts", params={"limit": 500}).json()
    return {c["email"] for c in body["contacts"]}, body["count"]


def test_a_page_of_list_members_at_limit_500_holds_500(mock: BrevoMock, http: httpx.Client) -> None:
    list_id = new_list(http)
    rows = [{"email": f"c{i:03d}@example.com"} for i in range(612)]
    assert (
        http.post("/contacts/import", json={"jsonBody": rows, "listIds": [list_id]}).status_code
        == 202
    )
    wait_imports(mock)
    first = http.get(f"/contacts/lists/{list_id}/contacts", params={"limit": 500, "sort": "asc"})
    body = first.json()
    assert len(body["contacts"]) == 500 and body["count"] == 612
    rest = http.get(
        f"/contacts/lists/{list_id}/contacts", params={"limit": 500, "offset": 500, "sort": "asc"}
    ).json()
    assert len(rest["contacts"]) == 112
    emails = [c["email"] for c in body["contacts"] + rest["contacts"]]
    assert emails == [r["email"] for r in rows]  # every member once, in order


def test_removing_and_adding_members_moves_the_counts_and_the_pages(
    http: httpx.Client, mock: BrevoMock
) -> None:
    list_id = new_list(http)
    other = new_list(http, "Silver")
    for email in ("ada@example.com", "bob@example.com", "cy@example.com"):
        assert (
            http.post("/contacts", json={"email": email, "listIds": [list_id, other]}).status_code
            == 201
        )
    http.put("/contacts/cy@example.com", json={"emailBlacklisted": True})
    assert counts(http, list_id) == (2, 2, 1)
    assert member_emails(http, list_id) == (
        {"ada@example.com", "bob@example.com", "cy@example.com"},
        3,
    )

    removed = http.post(
        f"/contacts/lists/{list_id}/contacts/remove", json={"emails": ["bob@example.com"]}
    )
    assert removed.json()["contacts"]["success"] == ["bob@example.com"]
    assert counts(http, list_id) == (1, 1, 1)
    assert member_emails(http, list_id) == ({"ada@example.com", "cy@example.com"}, 2)
    assert counts(http, other) == (2, 2, 1)  # the other list is untouched

    # A blacklisted member leaving lowers totalBlacklisted only.
    http.post(f"/contacts/lists/{list_id}/contacts/remove", json={"emails": ["cy@example.com"]})
    assert counts(http, list_id) == (1, 1, 0)

    # Every way out: PUT unlinkListIds, deleting the contact.
    http.put("/contacts/ada@example.com", json={"unlinkListIds": [list_id]})
    assert counts(http, list_id) == (0, 0, 0)
    assert member_emails(http, list_id) == (set(), 0)
    assert http.delete("/contacts/ada@example.com").status_code == 204
    assert counts(http, other) == (1, 1, 1)

    # And back in: the counts and the pages rise again.
    added = http.post(
        f"/contacts/lists/{list_id}/contacts/add", json={"emails": ["bob@example.com"]}
    )
    assert added.json()["contacts"]["success"] == ["bob@example.com"]
    http.put("/contacts/cy@example.com", json={"listIds": [list_id]})
    assert counts(http, list_id) == (1, 1, 1)
    assert member_emails(http, list_id) == ({"bob@example.com", "cy@example.com"}, 2)
    assert http.get("/contacts/lists").json()["lists"][-1]["uniqueSubscribers"] == 1


def _modified(http: httpx.Client, email: str) -> tuple[str, str]:
    body = http.get(f"/contacts/{email}").json()
    return body["createdAt"], body["modifiedAt"]


def test_modified_at_moves_on_every_kind_of_update(
    ticking: tuple[BrevoMock, httpx.Client],
) -> None:
    mock, http = ticking
    list_id = new_list(http)
    assert (
        http.post("/contacts/attributes/normal/POINTS", json={"type": "float"}).status_code == 201
    )
    assert http.post("/contacts", json={"email": "ada@example.com"}).status_code == 201
    created, last = _modified(http, "ada@example.com")
    assert created == last

    def upsert() -> Any:
        return http.post(
            "/contacts",
            json={"email": "ada@example.com", "attributes": {"POINTS": 1}, "updateEnabled": True},
        )

    def imported() -> Any:
        answer = http.post(
            "/contacts/import",
            json={"fileBody": "EMAIL;POINTS\nada@example.com;3", "listIds": [list_id]},
        )
        wait_imports(mock)
        return answer

    updates: list[tuple[str, Callable[[], Any]]] = [
        ("upsert (POST updateEnabled)", upsert),
        (
            "PUT attributes",
            lambda: http.put("/contacts/ada@example.com", json={"attributes": {"POINTS": 2}}),
        ),
        ("import", imported),
        (
            "list remove",
            lambda: http.post(
                f"/contacts/lists/{list_id}/contacts/remove", json={"emails": ["ada@example.com"]}
            ),
        ),
        (
            "list add",
            lambda: http.post(
                f"/contacts/lists/{list_id}/contacts/add", json={"emails": ["ada@example.com"]}
            ),
        ),
        (
            "PUT unlinkListIds",
            lambda: http.put("/contacts/ada@example.com", json={"unlinkListIds": [list_id]}),
        ),
        (
            "blacklisting",
            lambda: http.put("/contacts/ada@example.com", json={"emailBlacklisted": True}),
        ),
    ]
    for what, update in updates:
        assert update().status_code in (201, 202, 204), what
        now_created, now_modified = _modified(http, "ada@example.com")
        assert now_created == created, what
        assert now_modified > last, f"{what} left modifiedAt at {last}"
        last = now_modified

    # An email change is an update too; a refused request is not.
    assert (
        http.put(
            "/contacts/ada@example.com", json={"attributes": {"EMAIL": "ada@new.example"}}
        ).status_code
        == 204
    )
    assert _modified(http, "ada@new.example")[1] > last
    last = _modified(http, "ada@new.example")[1]
    refused = http.put("/contacts/ada@new.example", json={"listIds": [999]})
    assert refused.status_code == 400
    assert _modified(http, "ada@new.example")[1] == last


def test_contacts_modified_since_pages_and_counts_only_those(
    ticking: tuple[BrevoMock, httpx.Client],
) -> None:
    _, http = ticking
    for i in range(6):
        assert http.post("/contacts", json={"email": f"c{i}@example.com"}).status_code == 201
    # Half a second after c5's creation (the mock's clock ticks a second per write):
    # the boundary itself is not what this test is about.
    c5 = dt.datetime.fromisoformat(_modified(http, "c5@example.com")[1])
    since = (c5 + dt.timedelta(milliseconds=500)).isoformat()
    for email in ("c1@example.com", "c3@example.com", "c4@example.com"):
        assert (
            http.put(f"/contacts/{email}", json={"attributes": {"FIRSTNAME": "X"}}).status_code
            == 204
        )
    page = http.get("/contacts", params={"modifiedSince": since, "limit": 2, "sort": "asc"}).json()
    assert page["count"] == 3  # count honours the filter, not the page
    assert [c["email"] for c in page["contacts"]] == ["c1@example.com", "c3@example.com"]
    rest = http.get(
        "/contacts", params={"modifiedSince": since, "limit": 2, "offset": 2, "sort": "asc"}
    ).json()
    assert [c["email"] for c in rest["contacts"]] == ["c4@example.com"] and rest["count"] == 3
    later = (dt.datetime.fromisoformat(since) + dt.timedelta(hours=1)).isoformat()
    assert http.get("/contacts", params={"modifiedSince": later}).json() == {
        "contacts": [],
        "count": 0,
    }
    # The filter reads the offset it is given (10:00+02:00 is 08:00Z).
    shifted = dt.datetime.fromisoformat(since).astimezone(dt.timezone(dt.timedelta(hours=2)))
    again = http.get("/contacts", params={"modifiedSince": shifted.isoformat()}).json()
    assert again["count"] == 3
