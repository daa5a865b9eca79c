"""TajoBrevo.export_contacts / AsyncTajoBrevo.export_contacts: one export request, its
process followed with backoff, its CSV file streamed and parsed back into contacts."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import httpx
import pytest
import respx
from _client_support import BASE, KEY, FakeClock
from _scenario_support import Driver
from tajo_brevo import (
    APIConnectionError,
    AsyncTajoBrevo,
    ExportedContact,
    ExportError,
    TajoBrevo,
    ValidationError,
)
from tajo_brevo._plans.export import ExportParser
from tajo_brevo.mock import BrevoMock, MockContact


def seeded(mock: BrevoMock) -> int:
    """Three contacts in list A (one blacklisted, one also in B), one outside: list A's id."""
    with mock.client() as http:
        folder = http.post("/contacts/folders", json={"name": "F"}).json()["id"]
        a = http.post("/contacts/lists", json={"name": "A", "folderId": folder}).json()["id"]
        b = http.post("/contacts/lists", json={"name": "B", "folderId": folder}).json()["id"]
        http.post("/contacts/attributes/normal/POINTS", json={"type": "float"})
        for body in (
            {"email": "ada@example.com", "attributes": {"FIRSTNAME": "Ada", "POINTS": 10}},
            {"email": "bob@example.com", "attributes": {"POINTS": 2.5}, "listIds": [b]},
            {"email": "cy@example.com", "attributes": {"FIRSTNAME": 'C;"\n'}},
        ):
            body["listIds"] = [a, *body.get("listIds", [])]
            assert http.post("/contacts", json=body).status_code == 201
        http.put("/contacts/cy@example.com", json={"emailBlacklisted": True})
        http.post("/contacts", json={"email": "out@example.com"})
    return a


def as_exported(contact: MockContact) -> tuple[Any, ...]:
    """A mock contact as an export gives it: text values, empty ones left out."""
    text = {
        k: ("true" if v is True else "false" if v is False else str(v))
        for k, v in contact.attributes.items()
        if k in ("FIRSTNAME", "POINTS")
    }
    return contact.email, text, frozenset(contact.list_ids)


def rows_of(exported: list[ExportedContact]) -> list[tuple[Any, ...]]:
    return [(c.email, dict(c.attributes), c.list_ids) for c in exported]


def test_export_in_process_equals_the_mocks_contacts(both: Driver) -> None:
    list_a = seeded(both.mock)
    both.mock.clear_requests()
    exported = list(
        both.export_contacts(list_id=list_a, attributes=["firstname", "POINTS"], poll_interval=0.01)
    )
    expected = [as_exported(c) for c in both.mock.contacts() if list_a in c.list_ids]
    assert rows_of(exported) == expected
    for row, contact in zip(exported, both.mock.contacts(), strict=False):
        raw = both.mock.state.get_contact(str(contact.id))
        assert row.modified_at == dt.datetime.fromisoformat(raw["modifiedAt"])
        assert row.added_at == dt.datetime.fromisoformat(raw["createdAt"])
    # Requests: one export, process reads, nothing else through the paced API connection.
    calls = both.mock.calls()
    assert calls[0].operation_id == "requestContactExport"
    assert {c.operation_id for c in calls[1:-1]} == {"getProcess"}
    assert calls[-1].path.startswith("/_mock/processes/")  # the file, outside /v3
    assert all(c.status in (200, 202) for c in calls)


def test_export_over_loopback_http_sync_and_async() -> None:
    mock = BrevoMock()
    list_a = seeded(mock)
    expected = [as_exported(c) for c in mock.contacts() if list_a in c.list_ids]
    with mock.serve() as server:
        with TajoBrevo(api_key=mock.api_key, base_url=server.base_url) as brevo:
            got = list(
                brevo.export_contacts(
                    list_id=list_a, attributes=["FIRSTNAME", "POINTS"], poll_interval=0.01
                )
            )
        assert rows_of(got) == expected

        async def read() -> list[ExportedContact]:
            async with AsyncTajoBrevo(api_key=mock.api_key, base_url=server.base_url) as brevo:
                rows = brevo.export_contacts(
                    list_id=list_a, attributes=["FIRSTNAME", "POINTS"], poll_interval=0.01
                )
                return [row async for row in rows]

        assert rows_of(asyncio.run(read())) == expected
    # The file was fetched without the key (the URL is the permission).
    files = [r for r in mock.requests if r.path.startswith("/_mock/")]
    assert len(files) == 2 and all("api-key" not in r.headers for r in files)
    assert not mock.response_problems()


def test_filters_reach_brevo_and_no_match_gives_no_rows(both: Driver) -> None:
    list_a = seeded(both.mock)
    unsubscribed = both.export_contacts(
        list_id=list_a, action="unsubscribed", list_ids=False, poll_interval=0.01
    )
    assert [(c.email, c.list_ids) for c in unsubscribed] == [("cy@example.com", None)]
    both.mock.clear_requests()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    assert list(both.export_contacts(modified_since=later)) == []
    (call,) = both.mock.calls()  # 200 {}: no process to follow
    assert call.status == 200
    sent = call.body["customContactFilter"]
    assert sent["actionForContacts"] == "allContacts" and set(sent) == {
        "actionForContacts",
        "modifiedSince",
    }
    # RFC 3339 with its offset, to the millisecond.
    assert dt.datetime.fromisoformat(sent["modifiedSince"]) == later.replace(
        microsecond=later.microsecond // 1000 * 1000
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {},  # no list, segment or date
        {"list_id": 0},
        {"list_id": True},
        {"list_id": 1, "segment_id": 2},
        {"list_id": 1, "action": "everyone"},
        {"modified_since": dt.datetime(2026, 1, 1)},  # naive: Brevo needs the offset
        {"list_id": 1, "attributes": "POINTS"},
        {"list_id": 1, "timeout": -1},
    ],
)
def test_bad_arguments_raise_before_any_request(kwargs: dict[str, Any]) -> None:
    mock = BrevoMock()
    brevo = TajoBrevo(api_key=mock.api_key, base_url=BASE, transport=mock.transport())
    with pytest.raises(ValidationError):
        brevo.export_contacts(**kwargs)
    abrevo = AsyncTajoBrevo(api_key=mock.api_key, base_url=BASE, transport=mock.async_transport())
    with pytest.raises(ValidationError):
        abrevo.export_contacts(**kwargs)
    assert mock.requests == []


def _respx_client(clock: FakeClock) -> TajoBrevo:
    return TajoBrevo(api_key=KEY, base_url=BASE, sleep=clock.sleep, clock=clock, max_retries=0)


@respx.mock(base_url=BASE, assert_all_called=True)
def test_process_followed_with_backoff_until_completed(respx_mock: respx.MockRouter) -> None:
    respx_mock.post("/contacts/export").respond(202, json={"processId": 7})
    statuses = ["queued", "in_process", "in_process", "processing", "completed"]
    answers = [
        httpx.Response(
            200,
            json={"id": 7, "name": "CONTACT_EXPORT", "status": s}
            | ({"export_url": "https://files.example.com/e.csv?sig=S"} if s == "completed" else {}),
        )
        for s in statuses
    ]
    respx_mock.get("/processes/7").mock(side_effect=answers)
    file = respx_mock.get("https://files.example.com/e.csv?sig=S").respond(
        200, text="EMAIL,ADDED_TIME,MODIFIED_TIME,_listIds\nada@example.com,,,3|4\n"
    )
    clock = FakeClock()
    rows = list(
        _respx_client(clock).export_contacts(list_id=3, poll_interval=1, max_poll_interval=5)
    )
    assert rows == [ExportedContact(email="ada@example.com", list_ids=frozenset({3, 4}))]
    assert [s for s in clock.sleeps if s >= 1] == [1, 2, 4, 5]  # doubling, capped
    assert "api-key" not in file.calls.last.request.headers  # never sent to storage


@pytest.mark.parametrize(
    ("process", "message"),
    [
        ({"status": "failed"}, "failed"),
        ({"status": "cancelled"}, "cancelled"),
        ({"status": "completed"}, "without an export_url"),
        ({"status": "completed", "export_url": "http://files.example.com/e.csv"}, "not HTTPS"),
    ],
)
@respx.mock(base_url=BASE)
def test_an_export_that_gives_no_file_raises_export_error(
    respx_mock: respx.MockRouter, process: dict[str, Any], message: str
) -> None:
    respx_mock.post("/contacts/export").respond(202, json={"processId": 9})
    respx_mock.get("/processes/9").respond(200, json={"id": 9, "name": "CONTACT_EXPORT", **process})
    with pytest.raises(ExportError, match=message):
        list(_respx_client(FakeClock()).export_contacts(list_id=1))


@respx.mock(base_url=BASE)
def test_a_queued_export_without_process_id_is_an_error_not_an_empty_export(
    respx_mock: respx.MockRouter,
) -> None:
    respx_mock.post("/contacts/export").respond(202, json={})
    with pytest.raises(ExportError, match="202 without a process id"):
        list(_respx_client(FakeClock()).export_contacts(list_id=1))


@respx.mock(base_url=BASE)
def test_unknown_process_and_timeout_raise_export_error(respx_mock: respx.MockRouter) -> None:
    respx_mock.post("/contacts/export").respond(202, json={"processId": 404})
    respx_mock.get("/processes/404").respond(
        404, json={"code": "document_not_found", "message": "Process does not exist"}
    )
    with pytest.raises(ExportError, match="does not know") as caught:
        list(_respx_client(FakeClock()).export_contacts(list_id=1))
    assert caught.value.process_id == 404

    respx_mock.post("/contacts/export").respond(202, json={"processId": 5})
    respx_mock.get("/processes/5").respond(200, json={"id": 5, "name": "X", "status": "queued"})
    clock = FakeClock()
    with pytest.raises(ExportError, match="not completed after 30 s"):
        list(_respx_client(clock).export_contacts(list_id=1, poll_interval=4, timeout=30))
    assert [s for s in clock.sleeps if s >= 1] == [4, 8, 10, 8]  # never past the timeout


@respx.mock(base_url=BASE)
def test_a_file_that_fails_to_download_is_a_connection_error(respx_mock: respx.MockRouter) -> None:
    respx_mock.post("/contacts/export").respond(202, json={"processId": 1})
    url = "https://files.example.com/e.csv?sig=SECRET"
    respx_mock.get("/processes/1").respond(
        200, json={"id": 1, "name": "CONTACT_EXPORT", "status": "completed", "export_url": url}
    )
    respx_mock.get(url).respond(403)
    with pytest.raises(APIConnectionError, match="HTTP 403") as caught:
        list(_respx_client(FakeClock()).export_contacts(list_id=1))
    assert "SECRET" not in str(caught.value)


def test_parser_reads_the_file_whatever_the_chunk_boundaries() -> None:
    text = (
        "EMAIL;ADDED_TIME;MODIFIED_TIME;FIRSTNAME;_listIds\n"
        "Ada@Example.com;2026-10-01T08:30:00.000Z;2026-10-02T08:30:00.000Z;Ada;1,2\n"
        'bob@example.com;;;"B;""ob""\nline 2";\n'
        "cy@example.com;;;;3"  # no final line end
    )
    expected = [
        ExportedContact(
            email="ada@example.com",
            attributes={"FIRSTNAME": "Ada"},
            list_ids=frozenset({1, 2}),
            added_at=dt.datetime(2026, 10, 1, 8, 30, tzinfo=dt.UTC),
            modified_at=dt.datetime(2026, 10, 2, 8, 30, tzinfo=dt.UTC),
        ),
        ExportedContact(
            email="bob@example.com",
            attributes={"FIRSTNAME": 'B;"ob"\nline 2'},
            list_ids=frozenset(),
        ),
        ExportedContact(email="cy@example.com", list_ids=frozenset({3})),
    ]
    for size in (1, 2, 3, 7, 64, len(text)):
        parser = ExportParser()
        rows: list[ExportedContact] = []
        for start in range(0, len(text), size):
            rows.extend(parser.feed(text[start : start + size]))
        rows.extend(parser.close())
        assert rows == expected, size


def test_the_file_is_parsed_as_it_streams_never_held_whole() -> None:
    import contextlib
    import tracemalloc
    from collections.abc import Iterator

    from tajo_brevo._plans._base import Result
    from tajo_brevo._plans.export import ContactExport, export_rows

    line = "c{:06d}@example.com;2026-10-01T08:30:00.000Z;2026-10-01T08:30:00.000Z;Name;1,2\n"

    def execute(call: object) -> Result:
        if getattr(call, "operation", "") == "requestContactExport":
            return Result(202, {"processId": 1})
        return Result(200, {"id": 1, "status": "completed", "export_url": "https://f/x.csv"})

    def peak_for(rows: int) -> int:
        @contextlib.contextmanager
        def stream(url: str) -> Iterator[Iterator[str]]:
            def chunks() -> Iterator[str]:
                yield "EMAIL;ADDED_TIME;MODIFIED_TIME;FIRSTNAME;_listIds\n"
                for start in range(0, rows, 200):
                    yield "".join(line.format(i) for i in range(start, min(rows, start + 200)))

            yield chunks()

        tracemalloc.start()
        try:
            count = 0
            export = ContactExport(list_id=1)
            for contact in export_rows(
                export, execute=execute, sleep=lambda s: None, stream=stream
            ):
                count += contact.list_ids == {1, 2}
            assert count == rows
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    peak_for(200)  # warm: imports and caches are not the file
    small, large = peak_for(3_000), peak_for(12_000)
    # Four times the file, the same memory: one chunk at a time, never the whole file.
    assert large < small * 1.5, (small, large)
