"""Lists and folders: CRUD, counters kept true, membership changes with per-item outcome."""

from __future__ import annotations

import httpx
from tajo_brevo.mock import BrevoMock


def new_list(http: httpx.Client, folder_id: int, name: str = "L") -> int:
    response = http.post("/contacts/lists", json={"name": name, "folderId": folder_id})
    assert response.status_code == 201
    value: int = response.json()["id"]
    return value


def test_list_crud(http: httpx.Client, folder_id: int) -> None:
    list_id = new_list(http, folder_id, "Gold")
    other_folder = http.post("/contacts/folders", json={"name": "Other"}).json()["id"]
    body = http.get(f"/contacts/lists/{list_id}").json()
    assert body["name"] == "Gold" and body["folderId"] == folder_id
    assert body["totalSubscribers"] == 0 and body["totalBlacklisted"] == 0
    renamed = http.put(
        f"/contacts/lists/{list_id}", json={"name": "Platinum", "folderId": other_folder}
    )
    assert renamed.status_code == 204 and renamed.content == b""
    body = http.get(f"/contacts/lists/{list_id}").json()
    assert (body["name"], body["folderId"]) == ("Platinum", other_folder)
    assert http.delete(f"/contacts/lists/{list_id}").status_code == 204
    missing = http.get(f"/contacts/lists/{list_id}")
    assert missing.status_code == 404
    assert missing.json() == {"code": "document_not_found", "message": "List ID not found"}
    assert http.put(f"/contacts/lists/{list_id}", json={"name": "x"}).status_code == 404
    assert http.delete(f"/contacts/lists/{list_id}").status_code == 404


def test_a_list_needs_an_existing_folder(http: httpx.Client, mock: BrevoMock) -> None:
    response = http.post("/contacts/lists", json={"name": "Gold", "folderId": 41})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_parameter"
    assert "41" in response.json()["message"]
    assert mock.state.lists == {}
    missing = http.post("/contacts/lists", json={"name": "Gold"})
    assert missing.status_code == 400
    assert missing.json() == {"code": "missing_parameter", "message": "folderId is missing"}


def test_counters_follow_members_and_blacklisting(http: httpx.Client, folder_id: int) -> None:
    gold = new_list(http, folder_id, "Gold")
    silver = new_list(http, folder_id, "Silver")
    for i in range(3):
        http.post("/contacts", json={"email": f"c{i}@example.com", "listIds": [gold, silver]})
    http.post("/contacts", json={"email": "x@example.com", "listIds": [silver]})
    http.put("/contacts/c0@example.com", json={"emailBlacklisted": True})
    body = http.get(f"/contacts/lists/{gold}").json()
    assert (body["totalSubscribers"], body["totalBlacklisted"]) == (2, 1)
    folder = http.get("/contacts/folders").json()["folders"][0]
    assert folder["totalSubscribers"] == 2 + 3
    assert folder["totalBlacklisted"] == 2
    assert folder["uniqueSubscribers"] == 3  # c1, c2, x


def test_deleting_a_list_keeps_its_contacts(http: httpx.Client, list_id: int) -> None:
    http.post("/contacts", json={"email": "ada@example.com", "listIds": [list_id]})
    assert http.delete(f"/contacts/lists/{list_id}").status_code == 204
    contact = http.get("/contacts/ada@example.com")
    assert contact.status_code == 200
    assert contact.json()["listIds"] == []


def test_add_and_remove_members_report_success_and_failure(
    http: httpx.Client, list_id: int
) -> None:
    ada = http.post("/contacts", json={"email": "ada@example.com"}).json()["id"]
    bob = http.post("/contacts", json={"email": "bob@example.com"}).json()["id"]
    added = http.post(
        f"/contacts/lists/{list_id}/contacts/add",
        json={"emails": ["ADA@example.com", "ghost@example.com"]},
    )
    assert added.status_code == 201
    assert added.json() == {
        "contacts": {"success": ["ADA@example.com"], "failure": ["ghost@example.com"]}
    }
    by_id = http.post(f"/contacts/lists/{list_id}/contacts/add", json={"ids": [bob, ada, 999]})
    # ada is already a member: a failure, like production. Ids come back as numbers
    # (brevo-python 5.1.0 PostContactInfoContactsSuccess = List[str] | List[int]).
    assert by_id.json() == {"contacts": {"success": [bob], "failure": [ada, 999]}}
    assert http.get(f"/contacts/lists/{list_id}").json()["totalSubscribers"] == 2
    removed = http.post(
        f"/contacts/lists/{list_id}/contacts/remove", json={"ids": [ada, ada + 1000]}
    )
    assert removed.status_code == 201
    assert removed.json() == {"contacts": {"success": [ada], "failure": [ada + 1000]}}
    assert http.get("/contacts/ada@example.com").json()["listIds"] == []


def test_membership_changes_are_capped_at_150_and_need_emails_or_ids(
    http: httpx.Client, list_id: int, mock: BrevoMock
) -> None:
    emails = [f"c{i}@example.com" for i in range(151)]
    for email in emails:
        mock.state.create_contact({"email": email})
    too_many = http.post(f"/contacts/lists/{list_id}/contacts/add", json={"emails": emails})
    assert too_many.status_code == 400
    assert too_many.json()["code"] == "invalid_parameter"
    assert "emails" in too_many.json()["message"]
    assert all(list_id not in c.list_ids for c in mock.state.contacts.values())
    ok = http.post(f"/contacts/lists/{list_id}/contacts/add", json={"emails": emails[:150]})
    assert len(ok.json()["contacts"]["success"]) == 150
    empty = http.post(f"/contacts/lists/{list_id}/contacts/remove", json={})
    assert empty.status_code == 400
    assert empty.json()["code"] == "missing_parameter"
    unknown = http.post("/contacts/lists/999/contacts/add", json={"ids": [1]})
    assert unknown.status_code == 404


def test_lists_page_10_by_default_and_at_most_50(
    http: httpx.Client, folder_id: int, mock: BrevoMock
) -> None:
    ids = [mock.state.create_list(f"L{i}", folder_id) for i in range(60)]
    page = http.get("/contacts/lists").json()
    assert page["count"] == 60
    assert [item["id"] for item in page["lists"]] == ids[::-1][:10]
    assert len(http.get("/contacts/lists", params={"limit": 50}).json()["lists"]) == 50
    assert http.get("/contacts/lists", params={"limit": 51}).status_code == 400
    ascending = http.get("/contacts/lists", params={"sort": "asc", "offset": 58}).json()
    assert [item["id"] for item in ascending["lists"]] == ids[58:]
    assert http.get("/contacts/lists", params={"sort": "sideways"}).status_code == 400


def test_folders_create_and_page(http: httpx.Client) -> None:
    ids = [http.post("/contacts/folders", json={"name": f"F{i}"}).json()["id"] for i in range(12)]
    page = http.get("/contacts/folders").json()
    assert page["count"] == 12 and len(page["folders"]) == 10
    assert page["folders"][0] == {
        "id": ids[-1],
        "name": "F11",
        "totalBlacklisted": 0,
        "totalSubscribers": 0,
        "uniqueSubscribers": 0,
    }
    assert http.get("/contacts/folders", params={"limit": 51}).status_code == 400
    assert http.post("/contacts/folders", json={}).json()["code"] == "missing_parameter"


def test_production_folder_routes_beyond_the_spec(
    http: httpx.Client, folder_id: int, list_id: int
) -> None:
    http.post("/contacts", json={"email": "ada@example.com", "listIds": [list_id]})
    assert http.get(f"/contacts/folders/{folder_id}").json()["name"] == "Loyalty"
    assert http.put(f"/contacts/folders/{folder_id}", json={"name": "Tiers"}).status_code == 204
    assert http.get(f"/contacts/folders/{folder_id}").json()["name"] == "Tiers"
    assert http.put(f"/contacts/folders/{folder_id}", json={}).status_code == 400
    assert http.get("/contacts/folders/abc").status_code == 400
    assert http.delete(f"/contacts/folders/{folder_id}").status_code == 204
    assert http.get(f"/contacts/lists/{list_id}").status_code == 404
    assert http.get("/contacts/ada@example.com").json()["listIds"] == []
    assert http.delete(f"/contacts/folders/{folder_id}").status_code == 404
