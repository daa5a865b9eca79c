"""A large import body is validated and parsed in a helper process (``mock._offload``):
the same answers, processes, reports and contacts as in-process, and no process left."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from tajo_brevo.mock import BrevoMock, _app, _offload
from tajo_brevo.mock._state import REPORT_KINDS
from tajo_brevo.mock._state._index import SHIFT, IdMap, IdSet, KeyMap

_FIXED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _fixed_now() -> datetime:
    return _FIXED


#: (body, expected status): every kind of import the helper handles, and bad ones.
BODIES: list[tuple[dict[str, Any], int]] = [
    (
        {
            "fileBody": "EMAIL;SMS;FIRSTNAME;POINTS\n"
            "ada@example.com;;Ada;12\n"
            "not-an-email;;Nobody;1\n"
            " bob@example.com ;+33612345678;Bob;lots\n"
            "carol@example.com;+33612345678;Carol;3\n"
            ";;Empty;\n",
            "listIds": [1],
        },
        202,
    ),
    (
        {
            "jsonBody": [
                {"email": "dan@example.com", "attributes": {"FIRSTNAME": "Dan", "POINTS": 2.5}},
                {"email": "nope", "attributes": {"LASTNAME": "X"}},
            ],
            "newList": {"listName": "New", "folderId": 1},
            "emailBlacklist": True,
        },
        202,
    ),
    # A cell over the csv module's field limit: the process fails, and the rows of the
    # chunk it is in are not applied (as in-process).
    ({"fileBody": "EMAIL\nerin@example.com\n" + "x" * 140_000 + "\n", "listIds": [1]}, 202),
    ({"fileBody": "NAME,EMAIL\nAda,a@example.com", "listIds": [1]}, 400),
    # A header the spec's pattern lets through and the mock refuses; with an unknown
    # list as well, the list is named first (the order of the in-process checks).
    ({"fileBody": "EMAIL;EMAIL\na@example.com", "listIds": [1]}, 400),
    ({"fileBody": "EMAIL;EMAIL\na@example.com", "listIds": [99]}, 400),
    ({"fileBody": "EMAIL\na@example.com", "listIds": [99]}, 400),
    ({"fileBody": "EMAIL\na@example.com", "jsonBody": [{"email": "a@example.com"}]}, 400),
    ({"fileBody": "EMAIL\na@example.com", "newList": {"folderId": 1}}, 400),
    ({"fileBody": "   ", "listIds": [1]}, 400),
    ({"jsonBody": [], "listIds": [1]}, 400),
    ({"fileBody": "EMAIL\na@example.com", "listIds": [1], "notifyUrl": "not a url"}, 400),
]


@pytest.fixture
def helper(monkeypatch: pytest.MonkeyPatch) -> Iterator[_offload._Helper]:
    """Every import body goes to the helper process, which stops 0.2 s after its work."""
    monkeypatch.setattr(_app, "OFFLOAD_BYTES", 0)
    monkeypatch.setattr(_offload, "IDLE_SECONDS", 0.2)
    yield _offload.HELPER
    _offload.HELPER.stop()


def _run(mock: BrevoMock, bodies: list[tuple[dict[str, Any], int]]) -> dict[str, Any]:
    """Every body imported in turn on a fresh account; what a client can see of it."""
    with mock.client() as http:
        http.post("/contacts/attributes/normal/POINTS", json={"type": "float"})
        folder = http.post("/contacts/folders", json={"name": "F"}).json()["id"]
        http.post("/contacts/lists", json={"name": "L", "folderId": folder})
        answers = []
        for body, status in bodies:
            response = http.post("/contacts/import", json=body)
            assert response.status_code == status, response.text
            answers.append(response.json())
            assert mock.state.wait_for_imports(timeout=30)
        processes = http.get("/processes", params={"limit": 50}).json()
        reports = {
            (process["id"], kind): http.get(url).text
            for process in processes["processes"]
            for kind, url in (process.get("info") or {}).get("import", {}).items()
            if url is not None
        }
        return {
            "answers": answers,
            "processes": processes,
            "errors": [(p.id, p.error) for p in mock.state.imports],
            "reports": reports,
            "contacts": http.get("/contacts", params={"limit": 1000}).json(),
            "lists": http.get("/contacts/lists").json(),
        }


def test_the_helper_gives_the_same_answers_processes_reports_and_contacts(
    helper: _offload._Helper, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as local:
        local.setattr(_app, "OFFLOAD_BYTES", 10**9)  # the reference: all in-process
        in_process = _run(BrevoMock(now=_fixed_now), BODIES)
    # Idle for longer than any gap between two imports, even on a loaded machine: with
    # the fixture's 0.2 s, a slow gap stopped the helper and the next import started
    # another, though reuse worked.
    monkeypatch.setattr(_offload, "IDLE_SECONDS", 60.0)
    starts = helper.starts
    apart = _run(BrevoMock(now=_fixed_now), BODIES)
    assert helper.starts == starts + 1  # one helper process for all of them
    assert apart == in_process
    # The runs did what the bodies say (not just the same thing twice).
    statuses = [p["status"] for p in apart["processes"]["processes"]]
    assert statuses == ["failed", "completed", "completed"]
    first_error = apart["errors"][2][1]  # the third import (oldest first)
    assert first_error == "malformed CSV: field larger than field limit (131072)"
    emails = {c["email"] for c in apart["contacts"]["contacts"]}
    assert emails == {"ada@example.com", "bob@example.com", "dan@example.com"}
    assert apart["reports"][(1, "duplicate_phone_id")] == (
        "EMAIL;SMS;FIRSTNAME;POINTS\ncarol@example.com;+33612345678;Carol;3\n"
    )
    assert set(k for _, k in apart["reports"]) <= set(REPORT_KINDS)
    refusals = [(a["code"], a["message"]) for a in apart["answers"][3:]]
    expected = [
        ("invalid_parameter", "body.fileBody: 'NAME,EMAIL"),
        ("invalid_parameter", "fileBody: header columns must be named and unique"),
        ("invalid_parameter", "listIds: list ids not found: 99"),
        ("invalid_parameter", "listIds: list ids not found: 99"),
        ("invalid_parameter", "fileBody, jsonBody: give exactly one of them"),
        ("missing_parameter", "newList.listName is missing"),
        ("invalid_parameter", "body.fileBody: '   ' does not match"),
        ("invalid_parameter", "body.jsonBody: [] should be non-empty"),
        ("invalid_parameter", "body.notifyUrl: 'not a url' is not a 'uri'"),
    ]
    assert len(refusals) == len(expected)
    for (code, message), (want_code, start) in zip(refusals, expected, strict=True):
        assert code == want_code and message.startswith(start), (code, message)


def test_the_helper_process_stops_by_itself(
    helper: _offload._Helper, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The helper that answered, seen while the call is still busy (no idle timer runs
    # then): after _run it may already have stopped, 0.2 s idle being short under load.
    answered: list[tuple[int | None, tuple[Any, ...] | None]] = []
    exchange = helper._exchange

    def spy(spec_path: str, request: Any) -> tuple[Any, ...] | None:
        answer = exchange(spec_path, request)
        answered.append((helper.pid, answer))
        return answer

    monkeypatch.setattr(helper, "_exchange", spy)
    starts = helper.starts
    _run(BrevoMock(), BODIES[:1])
    ((pid, answer),) = answered
    assert helper.starts == starts + 1 and pid is not None
    assert answer is not None and answer[0] == "ok"  # the helper, not in-process, did it
    deadline = time.monotonic() + 10
    while helper.pid is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert helper.pid is None and not helper.running
    with pytest.raises(ProcessLookupError):  # ended and reaped, not a zombie
        os.kill(pid, 0)
    # The next large import starts a fresh one.
    starts = helper.starts
    _run(BrevoMock(), BODIES[:1])
    assert helper.starts == starts + 1


def test_the_helper_ends_when_the_mocks_process_ends(tmp_path: Path) -> None:
    script = tmp_path / "no_main_guard.py"
    script.write_text(
        "from tajo_brevo.mock import BrevoMock, _app, _offload\n"
        "_app.OFFLOAD_BYTES = 0\n"
        "mock = BrevoMock()\n"
        "with mock.client() as http:\n"
        "    folder = http.post('/contacts/folders', json={'name': 'F'}).json()['id']\n"
        "    target = http.post('/contacts/lists', json={'name': 'L', 'folderId': folder})\n"
        "    body = {'fileBody': 'EMAIL\\na@example.com', 'listIds': [target.json()['id']]}\n"
        "    assert http.post('/contacts/import', json=body).status_code == 202\n"
        "assert mock.state.wait_for_imports(30)\n"
        "print(_offload.HELPER.pid, _offload.HELPER.starts)\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=True
    )
    # Ran once (the helper does not re-run the caller's script), through one helper...
    pid, starts = done.stdout.split()
    assert starts == "1" and len(done.stdout.splitlines()) == 1
    # ... which is gone once the script has ended.
    deadline = time.monotonic() + 10
    while _alive(int(pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(int(pid))


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_small_imports_stay_in_process() -> None:
    starts = _offload.HELPER.starts
    result = _run(BrevoMock(), BODIES[:2])
    assert _offload.HELPER.starts == starts and not _offload.HELPER.running
    assert [p["status"] for p in result["processes"]["processes"]] == ["completed", "completed"]


def test_without_a_helper_the_import_is_handled_in_process(
    helper: _offload._Helper, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(helper, "call", lambda spec_path, request: None)
    result = _run(BrevoMock(now=_fixed_now), BODIES)
    monkeypatch.setattr(_app, "OFFLOAD_BYTES", 10**9)
    assert result == _run(BrevoMock(now=_fixed_now), BODIES)
    assert [p["status"] for p in result["processes"]["processes"]] == [
        "failed",
        "completed",
        "completed",
    ]
    assert not helper.running


def test_a_large_body_on_loopback_goes_through_the_helper(helper: _offload._Helper) -> None:
    mock = BrevoMock()
    with (
        mock.serve() as server,
        httpx.Client(base_url=server.base_url, headers={"api-key": mock.api_key}) as http,
    ):
        folder = http.post("/contacts/folders", json={"name": "F"}).json()["id"]
        target = http.post("/contacts/lists", json={"name": "L", "folderId": folder}).json()["id"]
        rows = "".join(f"c{i}@example.com\n" for i in range(3000))
        body = json.dumps({"fileBody": "EMAIL\n" + rows, "listIds": [target]})
        response = http.post(
            "/contacts/import", content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code == 202
        assert mock.state.wait_for_imports(timeout=30)
        assert http.get("/contacts", params={"limit": 1}).json()["count"] == 3000
        bad = http.post("/contacts/import", json={"fileBody": "EMAIL\na@example.com"})
        assert bad.status_code == 400 and bad.json()["code"] == "missing_parameter"
    assert helper.starts >= 1


def test_sharded_indexes_behave_like_a_dict_and_a_set() -> None:
    ids = [1, 2, 5, 2**SHIFT - 1, 2**SHIFT, 3 * 2**SHIFT + 7, 10**6]
    index: IdMap[str] = IdMap()
    plain: dict[int, str] = {}
    for i in ids:
        index[i] = plain[i] = f"c{i}"
    assert list(index) == list(plain) and list(index.values()) == list(plain.values())
    assert index == plain and len(index) == len(plain)
    assert index.get(5.0) == "c5" and 5.0 in index and index.get(5.5) is None
    assert index.get(1e300) is None and "5" not in index
    del index[2**SHIFT]
    del plain[2**SHIFT]
    assert list(index.items()) == list(plain.items())
    with pytest.raises(KeyError):
        del index[2**SHIFT]
    index[2 * 10**6] = "new"  # a new (higher) id comes last, as in a dict
    assert list(index)[-1] == 2 * 10**6

    emails: KeyMap[int] = KeyMap()
    for n in range(500):
        emails[f"u{n}@example.com"] = n
    assert len(emails) == 500 and emails.get("u7@example.com") == 7
    assert emails.pop("u7@example.com") == 7 and emails.pop("u7@example.com", None) is None
    assert "u7@example.com" not in emails and len(emails) == 499

    members = IdSet()
    for i in ids:
        members.add(i)
        members.add(i)
    members.discard(2)
    members.discard(123456789)
    assert sorted(members) == sorted(set(ids) - {2}) and len(members) == len(ids) - 1
    assert 5.0 in members and 2 not in members
