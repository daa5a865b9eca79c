"""What a write run may touch, and its one record of what it created (contract.writes)."""

from __future__ import annotations

import csv
import io
import json
import threading

from tajo_brevo.contract.writes import (
    ATTRIBUTE_PREFIX,
    FOREIGN_ID_BASE,
    WRITE_PREFIX,
    WriteRecord,
    imported_emails,
    keep_off_existing_data,
    prefix_names,
)


def _csv(rows: list[list[str]]) -> str:
    # Written the way the wrapper writes import files: ';' separated, minimal quoting.
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def test_imported_emails_reads_quoted_cells_as_brevo_does() -> None:
    body = _csv(
        [
            ["FIRSTNAME", "EMAIL", "NOTES"],
            ["Ada; the first", "ada@example.com", "line one\nline two"],
            ['Bob "B"', "bob@example.com", "x;y"],
        ]
    )
    # A naive split on ';' and lines would read "the first" as the email column.
    assert imported_emails(body) == {"ada@example.com", "bob@example.com"}


def test_imported_emails_ignores_bodies_without_an_email_column_or_not_csv() -> None:
    assert imported_emails(_csv([["SMS"], ["+33612345678"]])) == set()
    assert imported_emails("") == set()
    assert imported_emails(None) == set()
    assert imported_emails(_csv([["email"], ["not-an-address"], ["ok@example.com"]])) == {
        "ok@example.com"
    }


def test_the_record_keeps_only_what_the_target_confirmed() -> None:
    record = WriteRecord()
    record.record("createContactList", 201, answer=b'{"id": 7}')
    record.record("createContactList", 400, answer=b'{"id": 8}')  # refused: not created
    record.record("createContact", 201, body={"email": "tajo-contract-a@x.io"}, answer=b'{"id": 3}')
    record.record("createContact", 204, body={"email": "tajo-contract-b@x.io"}, answer=b"")
    record.record("createFolder", 201, answer=b'{"id": 5}')
    record.record("createFolder", 201, answer=b'{"id": true}')  # not an id
    record.record(
        "createContactAttribute",
        201,
        path_parameters={"attributeCategory": "normal", "attributeName": "TAJO_CONTRACT_A/B"},
    )
    record.record(
        "importContacts", 202, body={"fileBody": _csv([["EMAIL"], ["tajo-contract-c@x.io"]])}
    )
    record.record("updateContact", 204, body={"email": "someone@x.io"})  # not a create
    assert record.list_ids == {7}
    assert record.contact_ids == {3}
    assert record.contact_emails == {
        "tajo-contract-a@x.io",
        "tajo-contract-b@x.io",
        "tajo-contract-c@x.io",
    }
    assert record.folder_ids == {5}
    assert record.attributes == {("normal", "TAJO_CONTRACT_A/B")}
    assert WriteRecord.from_json(json.loads(json.dumps(record.to_json()))) == record


def test_the_record_is_safe_to_fill_from_threads() -> None:
    record = WriteRecord()

    def create(start: int) -> None:
        for i in range(start, start + 500):
            record.record("createContactList", 201, answer=json.dumps({"id": i}).encode())

    threads = [threading.Thread(target=create, args=(n * 500,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert record.list_ids == set(range(2000))


def test_mutating_paths_are_moved_off_existing_data() -> None:
    moved = keep_off_existing_data(
        {"identifier": "12", "listId": 4, "attributeName": "FIRSTNAME"}, None
    )
    assert moved == {
        "identifier": str(FOREIGN_ID_BASE + 12),
        "listId": FOREIGN_ID_BASE + 4,
        "attributeName": ATTRIBUTE_PREFIX + "FIRSTNAME",
    }
    assert keep_off_existing_data({"identifier": "ada@example.com"}) == {
        "identifier": WRITE_PREFIX + "ada@example.com"
    }
    # Wrong shapes (negative tests) stay as they are.
    assert keep_off_existing_data({"listId": -1, "identifier": "x"}) == {
        "listId": -1,
        "identifier": "x",
    }


def test_what_the_run_created_is_left_where_a_stateful_link_points() -> None:
    record = WriteRecord()
    record.record("createContactList", 201, answer=b'{"id": 4}')
    record.record("createContact", 201, body={"email": "tajo-contract-a@x.io"}, answer=b'{"id": 9}')
    assert keep_off_existing_data({"listId": 4, "identifier": "9"}, record) == {
        "listId": 4,
        "identifier": "9",
    }
    assert keep_off_existing_data({"identifier": "tajo-contract-a@x.io"}, record) == {
        "identifier": "tajo-contract-a@x.io"
    }
    # Not the run's: moved even when a record is given.
    assert keep_off_existing_data({"listId": 5, "identifier": "10"}, record) == {
        "listId": FOREIGN_ID_BASE + 5,
        "identifier": str(FOREIGN_ID_BASE + 10),
    }


def test_an_import_creates_only_prefixed_contacts_and_lists() -> None:
    # The spec's example import (one contact into a new list) and any generated one:
    # whatever it creates carries the prefix, so it never lands on an existing contact
    # and cleanup finds it.
    body = {
        "jsonBody": [
            {"email": "grace.hopper@example.com", "attributes": {"FIRSTNAME": "Grace"}},
            {"email": WRITE_PREFIX + "done@example.com"},
            {"attributes": {"SMS": "+33612345678"}},
            "not an object",
        ],
        "newList": {"listName": "Loyalty members", "folderId": 1},
        "email": 42,
    }
    sent = prefix_names(body)
    assert sent["jsonBody"] == [
        {"email": WRITE_PREFIX + "grace.hopper@example.com", "attributes": {"FIRSTNAME": "Grace"}},
        {"email": WRITE_PREFIX + "done@example.com"},
        {"attributes": {"SMS": "+33612345678"}},
        "not an object",
    ]
    assert sent["newList"] == {"listName": WRITE_PREFIX + "Loyalty members", "folderId": 1}
    assert sent["email"] == 42  # a wrong shape (a negative case) is sent as generated
    assert body["jsonBody"][0]["email"] == "grace.hopper@example.com"  # a copy was changed
    record = WriteRecord()
    record.record("importContacts", 202, body=sent, answer=b'{"processId": 1}')
    assert record.contact_emails == {
        WRITE_PREFIX + "grace.hopper@example.com",
        WRITE_PREFIX + "done@example.com",
    }
    record.record("importContacts", 400, body=prefix_names({"jsonBody": [{"email": "x@y.io"}]}))
    assert WRITE_PREFIX + "x@y.io" not in record.contact_emails


def test_path_values_the_examples_phase_gives_encoded_are_moved_too() -> None:
    # Examples carry path values as the URL will: a string list id, a %40 in an email.
    moved = keep_off_existing_data({"identifier": "ada.lovelace%40example.com", "listId": "1"})
    assert moved == {
        "identifier": WRITE_PREFIX + "ada.lovelace%40example.com",
        "listId": str(FOREIGN_ID_BASE + 1),
    }
    record = WriteRecord()
    record.record("createContactList", 201, answer=b'{"id": 7}')
    record.record("createContact", 201, body={"email": WRITE_PREFIX + "a@b.io"}, answer=b"{}")
    owned = {"identifier": WRITE_PREFIX + "a%40b.io", "listId": "7"}
    assert keep_off_existing_data(owned, record) == owned
    assert keep_off_existing_data({"listId": "abc"}) == {"listId": "abc"}  # a negative case
