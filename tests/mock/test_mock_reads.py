"""The reads a contacts integration uses next to the pinned 18: a list's members,
listIds / ids filters on GET /contacts, uniqueSubscribers on lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from tajo_brevo.mock import BrevoMock


@pytest.fixture
def two_lists(http: httpx.Client, folder_id: int) -> tuple[int, int, list[int]]:
    """Lists A and B; contacts c0..c5: c0-c2 in A, c2-c4 in B, c5 in none."""
    a = http.post("/contacts/lists", json={"name": "A", "folderId": folder_id}).json()["id"]
    b = http.post("/contacts/lists", json={"name": "B", "folderId": folder_id}).json()["id"]
    ids = []
    for n, lists in enumerate([[a], [a], [a, b], [b], [b], []]):
        response = http.post("/contacts", json={"email": f"c{n}@example.com", "listIds": lists})
        ids.append(response.json()["id"])
    return a, b, ids


def emails(body: dict[str, object]) -> list[str]:
    return [c["email"] for c in body["contacts"]]  # type: ignore[attr-defined, index]


def test_list_members_newest_first_paged_with_count(
    http: httpx.Client, two_lists: tuple[int, int, list[int]]
) -> None:
    a, b, _ = two_lists
    body = http.get(f"/contacts/lists/{a}/contacts").json()
    assert body["count"] == 3 and emails(body) == [
        "c2@example.com",
        "c1@example.com",
        "c0@example.com",
    ]
    page = http.get(
        f"/contacts/lists/{b}/contacts", params={"limit": 1, "offset": 1, "sort": "asc"}
    )
    assert emails(page.json()) == ["c3@example.com"] and page.json()["count"] == 3


def test_list_members_limit_is_at_most_500_and_unknown_list_is_404(
    http: httpx.Client, two_lists: tuple[int, int, list[int]]
) -> None:
    a, _, _ = two_lists
    assert http.get(f"/contacts/lists/{a}/contacts", params={"limit": 500}).status_code == 200
    too_many = http.get(f"/contacts/lists/{a}/contacts", params={"limit": 501})
    assert too_many.status_code == 400 and too_many.json()["code"] == "invalid_parameter"
    assert http.get("/contacts/lists/999/contacts").status_code == 404


def test_list_members_modified_since(
    http: httpx.Client, mock: BrevoMock, two_lists: tuple[int, int, list[int]]
) -> None:
    a, _, ids = two_lists
    later = mock.state.contacts[ids[1]].modified_at + timedelta(milliseconds=1)
    mock.state.contacts[ids[1]].modified_at = later
    since = (later - timedelta(microseconds=500)).astimezone(UTC).isoformat()
    body = http.get(f"/contacts/lists/{a}/contacts", params={"modifiedSince": since}).json()
    assert all(
        datetime.fromisoformat(c["modifiedAt"].replace("Z", "+00:00"))
        >= later - timedelta(milliseconds=1)
        for c in body["contacts"]
    )
    assert "c1@example.com" in emails(body)


def test_contacts_filtered_by_list_ids_and_ids(
    http: httpx.Client, two_lists: tuple[int, int, list[int]]
) -> None:
    a, b, ids = two_lists
    in_a = http.get("/contacts", params={"listIds": a}).json()
    assert in_a["count"] == 3 and emails(in_a) == [
        "c2@example.com",
        "c1@example.com",
        "c0@example.com",
    ]
    in_any = http.get("/contacts", params=[("listIds", a), ("listIds", b), ("sort", "asc")]).json()
    assert emails(in_any) == [f"c{n}@example.com" for n in range(5)]
    by_id = http.get("/contacts", params=[("ids", ids[5]), ("ids", ids[0])]).json()
    assert by_id["count"] == 2 and emails(by_id) == ["c5@example.com", "c0@example.com"]
    both = http.get("/contacts", params=[("ids", ids[0]), ("ids", ids[3]), ("listIds", b)]).json()
    assert emails(both) == ["c3@example.com"]
    assert http.get("/contacts", params={"listIds": 999}).json() == {"contacts": [], "count": 0}


def test_ids_filter_takes_at_most_20_integers(http: httpx.Client) -> None:
    assert http.get("/contacts", params=[("ids", n) for n in range(1, 21)]).status_code == 200
    many = http.get("/contacts", params=[("ids", n) for n in range(1, 22)])
    assert many.status_code == 400 and "ids" in many.json()["message"]
    assert http.get("/contacts", params={"listIds": "x"}).status_code == 400


def test_lists_carry_unique_subscribers(
    http: httpx.Client, two_lists: tuple[int, int, list[int]]
) -> None:
    a, _, ids = two_lists
    http.put(f"/contacts/{ids[0]}", json={"emailBlacklisted": True})
    body = http.get(f"/contacts/lists/{a}").json()
    assert (body["totalSubscribers"], body["uniqueSubscribers"], body["totalBlacklisted"]) == (
        2,
        2,
        1,
    )
    assert all("uniqueSubscribers" in item for item in http.get("/contacts/lists").json()["lists"])
