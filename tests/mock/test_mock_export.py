"""Contact export: 202 then a process (or 200 {} when nobody matches), its CSV file served
by the mock itself, filters and the 400s production gives."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import httpx
import pytest
from _mock_support import Ticking, wait_process
from tajo_brevo.mock import BrevoMock


def export(http: httpx.Client, body: dict[str, Any]) -> list[dict[str, str]] | None:
    """Run an export to its file; None for a 200 {} (nobody matches)."""
    response = http.post("/contacts/export", json=body)
    if response.status_code == 200:
        assert response.json() == {}
        return None
    assert response.status_code == 202, response.text
    process = wait_process(http, response.json()["processId"])
    assert process["status"] == "completed"
    file = http.get(process["export_url"], headers={"api-key": ""})  # no key needed
    assert file.status_code == 200
    assert file.headers["content-type"].startswith("text/csv")
    assert int(file.headers["content-length"]) == len(file.content)
    return list(csv.DictReader(io.StringIO(file.text), delimiter=";"))


def everyone(list_id: int, **extra: Any) -> dict[str, Any]:
    return {"customContactFilter": {"actionForContacts": "allContacts", "listId": list_id}, **extra}


def seed(http: httpx.Client, list_id: int) -> None:
    assert (
        http.post("/contacts/attributes/normal/POINTS", json={"type": "float"}).status_code == 201
    )
    for body in (
        {"email": "ada@example.com", "attributes": {"FIRSTNAME": "Ada", "POINTS": 120}},
        {"email": "bob@example.com", "attributes": {"FIRSTNAME": 'Bob;\n"Bobby"'}},
        {"email": "cy@example.com", "emailBlacklisted": True},
    ):
        assert http.post("/contacts", json={**body, "listIds": [list_id]}).status_code == 201
    assert http.post("/contacts", json={"email": "out@example.com"}).status_code == 201


@pytest.fixture
def people(http: httpx.Client, list_id: int) -> None:
    seed(http, list_id)


def test_export_of_a_list_queues_a_process_whose_file_holds_its_contacts(
    http: httpx.Client, list_id: int, people: None
) -> None:
    response = http.post(
        "/contacts/export",
        json=everyone(
            list_id, exportAttributes=["firstname", "POINTS"], exportMetadata=["_listIds"]
        ),
    )
    assert response.status_code == 202
    process_id = response.json()["processId"]
    process = wait_process(http, process_id)
    assert process["name"] == "CONTACT_EXPORT" and process["id"] == process_id
    assert process["export_url"].startswith(f"http://testserver/_mock/processes/{process_id}/")
    text = http.get(process["export_url"]).text
    assert text.splitlines()[0] == "EMAIL;ADDED_TIME;MODIFIED_TIME;FIRSTNAME;POINTS;_listIds"
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert [(r["EMAIL"], r["FIRSTNAME"], r["POINTS"], r["_listIds"]) for r in rows] == [
        ("ada@example.com", "Ada", "120", str(list_id)),
        ("bob@example.com", 'Bob;\n"Bobby"', "", str(list_id)),  # quoted: ';', '"', line end
        ("cy@example.com", "", "", str(list_id)),
    ]
    for row in rows:  # dates as the API writes them
        contact = http.get(f"/contacts/{row['EMAIL']}").json()
        assert (row["ADDED_TIME"], row["MODIFIED_TIME"]) == (
            contact["createdAt"],
            contact["modifiedAt"],
        )


def test_process_goes_queued_then_completed_and_gets_its_url_only_then() -> None:
    slow = BrevoMock(import_delay=1.5)  # long enough that a loaded machine still sees "queued"
    with slow.client() as http:
        folder = http.post("/contacts/folders", json={"name": "F"}).json()["id"]
        target = http.post("/contacts/lists", json={"name": "L", "folderId": folder}).json()["id"]
        http.post("/contacts", json={"email": "ada@example.com", "listIds": [target]})
        process_id = http.post("/contacts/export", json=everyone(target)).json()["processId"]
        queued = http.get(f"/processes/{process_id}").json()
        assert queued == {"id": process_id, "name": "CONTACT_EXPORT", "status": "queued"}
        listed = http.get("/processes").json()["processes"]
        assert [p["id"] for p in listed] == [process_id]
        done = wait_process(http, process_id)
        assert done["status"] == "completed" and "export_url" in done
    assert not slow.response_problems()


def test_filters_subscribed_unsubscribed_and_dates() -> None:
    mock = BrevoMock(now=Ticking())
    with mock.client() as http:
        folder = http.post("/contacts/folders", json={"name": "F"}).json()["id"]
        list_id = http.post("/contacts/lists", json={"name": "L", "folderId": folder}).json()["id"]
        seed(http, list_id)
        check_filters(mock, http, list_id)
    assert not mock.response_problems()


def check_filters(mock: BrevoMock, http: httpx.Client, list_id: int) -> None:
    def emails(body: dict[str, Any]) -> list[str] | None:
        rows = export(http, body)
        return None if rows is None else [r["EMAIL"] for r in rows]

    assert emails(everyone(list_id)) == ["ada@example.com", "bob@example.com", "cy@example.com"]
    subscribed = {"actionForContacts": "subscribed", "listId": list_id}
    assert emails({"customContactFilter": subscribed}) == ["ada@example.com", "bob@example.com"]
    unsubscribed = {"actionForContacts": "unsubscribed", "listId": list_id}
    assert emails({"customContactFilter": unsubscribed}) == ["cy@example.com"]
    # Per-list unsubscription is not modelled: nobody, so no process (200 {}).
    per_list = {"actionForContacts": "unsubscribedPerList", "listId": list_id}
    assert emails({"customContactFilter": per_list}) is None

    # A date filter alone reads the whole account (the contact outside the list too).
    since = mock.state.contact_by_email("cy@example.com")
    assert since is not None
    moment = since.modified_at.isoformat()
    by_date = {"actionForContacts": "allContacts", "modifiedSince": moment}
    assert emails({"customContactFilter": by_date}) == ["cy@example.com", "out@example.com"]
    assert (
        http.put("/contacts/ada@example.com", json={"attributes": {"POINTS": 1}}).status_code == 204
    )
    assert emails({"customContactFilter": by_date}) == [
        "ada@example.com",
        "cy@example.com",
        "out@example.com",
    ]
    created = {"actionForContacts": "allContacts", "listId": list_id, "createdSince": moment}
    assert emails({"customContactFilter": created}) == ["cy@example.com"]
    future = (since.modified_at + dt.timedelta(days=1)).isoformat()
    later = {"actionForContacts": "allContacts", "modifiedSince": future}
    assert emails({"customContactFilter": later}) is None


def test_no_matching_contact_answers_200_empty_and_creates_no_process(
    http: httpx.Client, list_id: int
) -> None:
    response = http.post("/contacts/export", json=everyone(list_id))
    assert (response.status_code, response.json()) == (200, {})
    assert http.get("/processes").json()["count"] == 0


def test_columns_follow_the_request(http: httpx.Client, list_id: int, people: None) -> None:
    rows = export(
        http,
        everyone(
            list_id,
            exportMandatoryAttributes=False,
            exportAttributes=["EMAIL", "POINTS"],
            exportSubscriptionStatus=["email_marketing"],
        ),
    )
    assert rows is not None
    assert [list(r.items()) for r in rows][2] == [
        ("EMAIL", "cy@example.com"),
        ("POINTS", ""),
        ("email_marketing", "unsubscribed"),
    ]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"customContactFilter": {}}, 400, "missing_parameter"),
        ({"customContactFilter": {"actionForContacts": "allContacts"}}, 400, "missing_parameter"),
        ({"customContactFilter": {"actionForContacts": "everyone", "listId": 1}}, 400, None),
        ({"customContactFilter": {"actionForContacts": "allContacts", "listId": 99}}, 400, None),
        (
            {
                "customContactFilter": {
                    "actionForContacts": "allContacts",
                    "listId": 1,
                    "segmentId": 2,
                }
            },
            400,
            None,
        ),
        ({"customContactFilter": {"actionForContacts": "allContacts", "segmentId": 2}}, 400, None),
        (
            {
                "customContactFilter": {
                    "actionForContacts": "allContacts",
                    "modifiedSince": "2026-10-01T00:00:00",  # no offset
                }
            },
            400,
            None,
        ),
        (
            {
                "customContactFilter": {
                    "actionForContacts": "allContacts",
                    "modifiedSince": "2026-10-01",  # a date alone
                }
            },
            400,
            None,
        ),
        (everyone(1, exportAttributes=["NOPE"]), 400, "invalid_parameter"),
        (everyone(1, exportMandatoryAttributes=False), 400, "missing_parameter"),
        (everyone(1, exportMetadata=["_secret"]), 400, "invalid_parameter"),
        ({}, 400, None),
    ],
)
def test_requests_production_refuses(
    http: httpx.Client,
    list_id: int,
    people: None,
    body: dict[str, Any],
    status: int,
    code: str | None,
) -> None:
    assert list_id == 1
    response = http.post("/contacts/export", json=body)
    assert response.status_code == status, response.text
    if code is not None:
        assert response.json()["code"] == code
    assert http.get("/processes").json()["count"] == 0


def test_unknown_process_and_unknown_file_are_404(
    http: httpx.Client, list_id: int, people: None
) -> None:
    assert http.get("/processes/987").status_code == 404
    assert http.get("/processes/987").json()["code"] == "document_not_found"
    process_id = http.post("/contacts/export", json=everyone(list_id)).json()["processId"]
    url = wait_process(http, process_id)["export_url"]
    assert http.get(url).status_code == 200
    assert http.get(url.replace("/export-", "/export-x")).status_code == 404  # token checked
    assert http.get(f"/_mock/processes/{process_id}/invalid_emails.csv").status_code == 404


def test_file_is_a_snapshot_streamed_in_chunks_over_loopback(
    mock: BrevoMock, http: httpx.Client, list_id: int
) -> None:
    # More contacts than one rendering chunk: the file is built and served in pieces.
    from tajo_brevo.mock._state._exports import EXPORT_CHUNK_ROWS

    count = EXPORT_CHUNK_ROWS + 7
    body = "EMAIL\n" + "".join(f"c{i}@example.com\n" for i in range(count))
    assert (
        http.post("/contacts/import", json={"fileBody": body, "listIds": [list_id]}).status_code
        == 202
    )
    assert mock.state.wait_for_imports(10)
    process_id = http.post("/contacts/export", json=everyone(list_id)).json()["processId"]
    url = wait_process(http, process_id)["export_url"]
    # Changed after the export: not in its file.
    assert http.delete("/contacts/c0@example.com").status_code == 204
    with mock.serve() as server:
        root = server.base_url.rsplit("/v3", 1)[0]
        loopback_url = root + url[len("http://testserver") :]
        with httpx.stream("GET", loopback_url) as response:
            assert response.status_code == 200
            pieces = list(response.iter_raw())
    text = b"".join(pieces).decode()
    emails = [line.split(";", 1)[0] for line in text.splitlines()[1:]]
    assert emails == [f"c{i}@example.com" for i in range(count)]
