"""Import: asynchronous like production (202, then a process), ';'-separated CSV or JSON,
rows Brevo skips listed in report files the mock serves itself."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from typing import Any, ClassVar

import httpx
import pytest
from _mock_support import wait_process
from tajo_brevo.mock import BrevoMock
from tajo_brevo.mock._state import REPORT_KINDS, is_loopback_url


def run_import(http: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    """POST an import, wait (bounded) for its process to finish, return the process."""
    response = http.post("/contacts/import", json=body)
    assert response.status_code == 202, response.text
    return wait_process(http, response.json()["processId"])


@pytest.fixture
def points(http: httpx.Client) -> None:
    assert (
        http.post("/contacts/attributes/normal/POINTS", json={"type": "float"}).status_code == 201
    )


def test_import_answers_202_then_its_process_completes_and_contacts_appear(
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
    process = wait_process(http, 1)
    assert process["id"] == 1 and process["name"] == "IMPORTUSER"
    assert process["status"] == "completed"
    # Nothing skipped: every report link is null.
    assert process["info"] == {"import": dict.fromkeys(REPORT_KINDS)}
    ada = http.get("/contacts/ada@example.com").json()
    assert ada["attributes"] == {"FIRSTNAME": "Ada", "POINTS": 1500}
    assert ada["listIds"] == [list_id]
    # "lots" does not fit a float attribute: dropped, like production.
    assert http.get("/contacts/bob@example.com").json()["attributes"] == {"FIRSTNAME": "Bob"}
    assert http.get(f"/contacts/lists/{list_id}").json()["totalSubscribers"] == 2
    assert mock.state.imports[0].created == [ada["id"], ada["id"] + 1]


def test_an_import_in_flight_is_seen_queued_then_in_process_then_completed(
    list_id: int,
) -> None:
    # A mock of its own: a delay and a slow speed, so the stages last long enough to see.
    slow = BrevoMock(import_delay=1.5, import_rows_per_second=40)
    with slow.client() as http:
        folder = http.post("/contacts/folders", json={"name": "F"}).json()["id"]
        target = http.post("/contacts/lists", json={"name": "L", "folderId": folder}).json()["id"]
        rows = "\n".join(f"c{n}@example.com" for n in range(40))
        response = http.post(
            "/contacts/import", json={"fileBody": "EMAIL\n" + rows, "listIds": [target]}
        )
        assert response.status_code == 202
        pid = response.json()["processId"]
        seen = [http.get(f"/processes/{pid}").json()["status"]]
        assert seen == ["queued"]
        assert "info" not in http.get(f"/processes/{pid}").json()
        counts_in_process = []
        deadline = time.monotonic() + 15
        while seen[-1] != "completed" and time.monotonic() < deadline:
            status = http.get(f"/processes/{pid}").json()["status"]
            if status != seen[-1]:
                seen.append(status)
            if status == "in_process":
                counts_in_process.append(len(slow.state.contacts))
            time.sleep(0.02)
        assert seen == ["queued", "in_process", "completed"]
        # While in process, the rows arrive a few at a time.
        assert min(counts_in_process) < 40
        assert http.get("/contacts", params={"limit": 1}).json()["count"] == 40
        listed = http.get("/processes").json()
        assert listed["count"] == 1 and listed["processes"][0]["status"] == "completed"


def test_skipped_rows_are_not_imported_and_the_report_files_list_exactly_them(
    http: httpx.Client, list_id: int, mock: BrevoMock
) -> None:
    assert (
        http.post(
            "/contacts", json={"email": "owner@example.com", "attributes": {"SMS": "+33612345678"}}
        ).status_code
        == 201
    )
    process = run_import(
        http,
        {
            "fileBody": "EMAIL;SMS;FIRSTNAME\n"
            "ada@example.com;;Ada\n"
            "not-an-email;;Nobody\n"
            "josé@exämple.com;;José\n"
            "bob@example.com;+33612345678;Bob\n"
            "carol@example.com;+33700000000;Carol\n"
            ";;Empty\n",
            "listIds": [list_id],
        },
    )
    assert process["status"] == "completed"
    links = process["info"]["import"]
    assert set(links) == set(REPORT_KINDS)
    assert {k for k, v in links.items() if v is not None} == {
        "invalid_emails",
        "duplicate_phone_id",
    }
    invalid = http.get(links["invalid_emails"])
    assert invalid.status_code == 200 and invalid.headers["content-type"].startswith("text/csv")
    assert invalid.text == (
        "EMAIL;SMS;FIRSTNAME\nnot-an-email;;Nobody\njosé@exämple.com;;José\n;;Empty\n"
    )
    assert http.get(links["duplicate_phone_id"]).text == (
        "EMAIL;SMS;FIRSTNAME\nbob@example.com;+33612345678;Bob\n"
    )
    # Exactly the other rows were imported.
    emails = sorted(c.email or "" for c in mock.state.contacts.values())
    assert emails == ["ada@example.com", "carol@example.com", "owner@example.com"]
    assert http.get("/contacts/carol@example.com").json()["attributes"]["SMS"] == "+33700000000"
    # The report URL is on the mock's own address and needs no api-key.
    assert links["invalid_emails"].startswith("http://testserver/_mock/processes/")
    assert http.get(links["invalid_emails"], headers={"api-key": ""}).status_code == 200
    assert http.get("/../_mock/processes/99/invalid_emails.csv").status_code == 404


def test_report_files_are_served_on_the_loopback_address(mock: BrevoMock) -> None:
    with (
        mock.serve() as server,
        httpx.Client(base_url=server.base_url, headers={"api-key": mock.api_key}) as http,
    ):
        folder = http.post("/contacts/folders", json={"name": "F"}).json()["id"]
        target = http.post("/contacts/lists", json={"name": "L", "folderId": folder}).json()["id"]
        process = run_import(http, {"fileBody": "EMAIL\nbad\n", "listIds": [target]})
        url = process["info"]["import"]["invalid_emails"]
        assert url == f"{server.root_url}/_mock/processes/1/invalid_emails.csv"
        assert httpx.get(url).text == "EMAIL\nbad\n"


def test_json_body_imports_contacts_with_typed_attributes(
    http: httpx.Client, list_id: int, points: None
) -> None:
    process = run_import(
        http,
        {
            "jsonBody": [
                {"email": "ada@example.com", "attributes": {"FIRSTNAME": "Ada", "POINTS": 12.5}},
                {"email": "nope", "attributes": {"FIRSTNAME": "X"}},
            ],
            "listIds": [list_id],
        },
    )
    assert process["status"] == "completed"
    ada = http.get("/contacts/ada@example.com").json()
    assert ada["attributes"] == {"FIRSTNAME": "Ada", "POINTS": 12.5}
    assert (
        http.get(process["info"]["import"]["invalid_emails"]).text
        == "EMAIL;FIRSTNAME;POINTS\nnope;X;\n"
    )


def test_update_existing_contacts_defaults_to_true_and_can_be_off(
    http: httpx.Client, list_id: int
) -> None:
    http.post("/contacts", json={"email": "ada@example.com", "attributes": {"FIRSTNAME": "A"}})
    body = {"fileBody": "EMAIL;FIRSTNAME\nada@example.com;Ada", "listIds": [list_id]}
    run_import(http, {**body, "updateExistingContacts": False})
    assert http.get("/contacts/ada@example.com").json()["attributes"] == {"FIRSTNAME": "A"}
    run_import(http, body)
    assert http.get("/contacts/ada@example.com").json()["attributes"] == {"FIRSTNAME": "Ada"}


def test_empty_cells_keep_values_unless_empty_contacts_attributes(
    http: httpx.Client, list_id: int
) -> None:
    http.post(
        "/contacts",
        json={"email": "ada@example.com", "attributes": {"FIRSTNAME": "Ada", "LASTNAME": "L"}},
    )
    body = {"fileBody": "EMAIL;FIRSTNAME;LASTNAME\nada@example.com;;Lovelace", "listIds": [list_id]}
    run_import(http, body)
    assert http.get("/contacts/ada@example.com").json()["attributes"] == {
        "FIRSTNAME": "Ada",
        "LASTNAME": "Lovelace",
    }
    run_import(http, {**body, "emptyContactsAttributes": True})
    assert http.get("/contacts/ada@example.com").json()["attributes"] == {"LASTNAME": "Lovelace"}


def test_new_list_and_blacklist_flags(http: httpx.Client, folder_id: int) -> None:
    run_import(
        http,
        {
            "fileBody": "EMAIL\nada@example.com\nbob@example.com",
            "newList": {"listName": "Imported", "folderId": folder_id},
            "emailBlacklist": True,
        },
    )
    lists = http.get("/contacts/lists").json()["lists"]
    assert [(item["name"], item["totalBlacklisted"]) for item in lists] == [("Imported", 2)]
    ada = http.get("/contacts/ada@example.com").json()
    assert ada["emailBlacklisted"] is True and ada["listIds"] == [lists[0]["id"]]


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        ({"listIds": [1]}, "missing_parameter", "fileBody"),
        ({"fileBody": "EMAIL\na@example.com", "jsonBody": [{"email": "a@example.com"}],
          "listIds": [1]}, "invalid_parameter", "exactly one"),
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
    assert http.get("/processes").json() == {"processes": [], "count": 0}


def test_rows_with_bad_emails_are_skipped_not_fatal(
    http: httpx.Client, list_id: int, mock: BrevoMock
) -> None:
    run_import(http, {"fileBody": "EMAIL\nnot-an-email\nada@example.com\n", "listIds": [list_id]})
    assert [c.email for c in mock.state.contacts.values()] == ["ada@example.com"]
    assert mock.state.imports[0].skipped == ["not-an-email"]


class _Hooks(http.server.BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, bytes]]] = []
    csv_file = b"EMAIL\nfrom-url@example.com\n"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("content-length", str(len(self.csv_file)))
        self.end_headers()
        self.wfile.write(self.csv_file)

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        self.received.append((self.path, self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hooks() -> Iterator[str]:
    _Hooks.received = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hooks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_notify_url_on_loopback_gets_the_finished_process(
    http: httpx.Client, list_id: int, mock: BrevoMock, hooks: str
) -> None:
    process = run_import(
        http,
        {"fileBody": "EMAIL\nada@example.com", "listIds": [list_id], "notifyUrl": hooks + "/done"},
    )
    assert mock.state.wait_for_imports(5)
    deadline = time.monotonic() + 5
    while not _Hooks.received and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [(path, json.loads(body)) for path, body in _Hooks.received] == [("/done", process)]


def test_notify_url_beyond_loopback_is_never_called(
    http: httpx.Client, list_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    def forbidden(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the mock called a non-loopback URL")

    monkeypatch.setattr(httpx, "post", forbidden)
    process = run_import(
        http,
        {
            "fileBody": "EMAIL\nada@example.com",
            "listIds": [list_id],
            "notifyUrl": "https://hooks.example.com/done",
        },
    )
    assert process["status"] == "completed"
    assert [
        is_loopback_url(u) for u in ("http://localhost:1/x", "http://[::1]/", "http://10.0.0.1/")
    ] == [
        True,
        True,
        False,
    ]


def test_file_url_is_fetched_from_loopback_only(
    http: httpx.Client, list_id: int, hooks: str
) -> None:
    done = run_import(http, {"fileUrl": hooks + "/contacts.csv", "listIds": [list_id]})
    assert done["status"] == "completed"
    assert http.get("/contacts/from-url@example.com").status_code == 200
    remote = run_import(http, {"fileUrl": "https://files.example.com/c.csv", "listIds": [list_id]})
    assert remote["status"] == "failed" and "info" not in remote


def test_processes_are_listed_newest_first_and_paged(http: httpx.Client, list_id: int) -> None:
    for n in range(3):
        run_import(http, {"fileBody": f"EMAIL\nc{n}@example.com", "listIds": [list_id]})
    listed = http.get("/processes").json()
    assert listed["count"] == 3 and [p["id"] for p in listed["processes"]] == [3, 2, 1]
    page = http.get("/processes", params={"limit": 1, "offset": 1, "sort": "asc"}).json()
    assert [p["id"] for p in page["processes"]] == [2]
    assert http.get("/processes", params={"limit": 51}).status_code == 400
    missing = http.get("/processes/999")
    assert missing.status_code == 404 and missing.json()["code"] == "document_not_found"
    assert http.get("/processes/abc").status_code == 400


def test_import_options_are_checked() -> None:
    with pytest.raises(ValueError, match="import_delay"):
        BrevoMock(import_delay=-1)
    with pytest.raises(ValueError, match="import_rows_per_second"):
        BrevoMock(import_rows_per_second=0)


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_the_wrappers_batch_import_returns_once_the_process_has_completed(flavour: str) -> None:
    import asyncio

    from tajo_brevo import AsyncTajoBrevo, LoyaltyProfile, TajoBrevo

    slow = BrevoMock(import_delay=0.2)
    rows = [
        LoyaltyProfile(email=f"c{n}@example.com", loyalty_id=f"L{n}", loyalty_points=n)
        for n in range(60)
    ]
    options = {"api_key": slow.api_key, "base_url": "http://127.0.0.1/v3", "rate_limit": 10_000}
    if flavour == "sync":
        with TajoBrevo(http_client=httpx.Client(transport=slow.transport()), **options) as client:
            client.provision()
            result = client.upsert_customers(rows)
    else:

        async def scenario() -> object:
            http = httpx.AsyncClient(transport=slow.async_transport())
            async with AsyncTajoBrevo(http_client=http, **options) as client:
                await client.provision()
                return await client.upsert_customers(rows)

        result = asyncio.run(scenario())
    assert result.mode == "import"  # type: ignore[attr-defined]
    # Returned after the process completed: every row is readable at once.
    assert [p.status for p in slow.state.imports] == ["completed"]
    assert len(slow.state.contacts) == 60
    polls = [r for r in slow.requests if r.operation_id == "getProcess"]
    assert polls and polls[-1].json()["status"] == "completed"
