"""A client nobody here wrote, pointed at ``tajo-brevo mock`` over loopback, gets Brevo's answers.

The mock runs as the real command (a subprocess on 127.0.0.1, a free port, stopped with
SIGINT at the end); the clients are the generated ``brevo_contacts`` client and plain httpx.
"""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from brevo_contacts import AuthenticatedClient
from brevo_contacts.api.contact_lists import create_contact_list
from brevo_contacts.api.contacts import (
    create_contact,
    delete_contact,
    get_contact_info,
    list_contacts,
    update_contact,
)
from brevo_contacts.api.folders import create_folder
from brevo_contacts.models import (
    Contact,
    ContactList,
    CreateContact,
    CreateContactList,
    CreateContactListResponse201,
    CreateContactResponse201,
    CreateFolder,
    CreateFolderResponse201,
    ErrorResponse,
    UpdateContact,
)

pytestmark = pytest.mark.timeout(60)
KEY = "foreign-client-test-key"


@dataclass(frozen=True)
class Served:
    base_url: str
    key: str
    output: list[str]


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tajo_brevo.cli", "mock", "--port", "0", "--api-key", KEY],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    output: list[str] = []

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    base_url = None
    try:
        while base_url is None:
            line = lines.get(timeout=20)  # bounded: the command prints at once
            output.append(line)
            found = re.search(r"base URL (http://127\.0\.0\.1:\d+/v3)", line)
            if found:
                base_url = found.group(1)
        # The socket listens before the URL is printed: usable at once.
        while not any("Ctrl-C" in line for line in output):
            output.append(lines.get(timeout=20))
        yield Served(base_url, KEY, output)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def test_the_command_prints_the_base_url_and_the_key(served: Served) -> None:
    text = "".join(served.output)
    assert f"api-key {KEY}" in text
    assert served.base_url.startswith("http://127.0.0.1:")


def test_generated_client_create_upsert_get_update_list_delete(served: Served) -> None:
    client = AuthenticatedClient(
        base_url=served.base_url, token=served.key, prefix="", auth_header_name="api-key"
    )
    folder = create_folder.sync_detailed(client=client, body=CreateFolder(name="Loyalty"))
    assert folder.status_code == 201 and isinstance(folder.parsed, CreateFolderResponse201)
    gold = create_contact_list.sync_detailed(
        client=client, body=CreateContactList(name="Gold", folder_id=folder.parsed.id)
    )
    assert gold.status_code == 201 and isinstance(gold.parsed, CreateContactListResponse201)

    created = create_contact.sync_detailed(
        client=client,
        body=CreateContact(email="ada@example.com", list_ids=[gold.parsed.id]),
    )
    assert created.status_code == 201 and isinstance(created.parsed, CreateContactResponse201)
    contact_id = created.parsed.id

    duplicate = create_contact.sync_detailed(
        client=client, body=CreateContact(email="ADA@example.com")
    )
    assert duplicate.status_code == 400 and isinstance(duplicate.parsed, ErrorResponse)
    assert duplicate.parsed.code == "duplicate_parameter"

    upsert = create_contact.sync_detailed(
        client=client, body=CreateContact(email="ada@example.com", update_enabled=True)
    )
    assert upsert.status_code == 204 and upsert.content == b""

    got = get_contact_info.sync_detailed("ada@example.com", client=client)
    assert got.status_code == 200 and isinstance(got.parsed, Contact)
    assert got.parsed.id == contact_id and got.parsed.list_ids == [gold.parsed.id]

    updated = update_contact.sync_detailed(
        str(contact_id), client=client, body=UpdateContact(unlink_list_ids=[gold.parsed.id])
    )
    assert updated.status_code == 204

    page = list_contacts.sync_detailed(client=client, limit=10)
    assert page.status_code == 200 and isinstance(page.parsed, ContactList)
    assert [c.id for c in page.parsed.contacts] == [contact_id]
    assert page.parsed.contacts[0].list_ids == []

    deleted = delete_contact.sync_detailed(str(contact_id), client=client)
    assert deleted.status_code == 204
    gone = get_contact_info.sync_detailed(str(contact_id), client=client)
    assert gone.status_code == 404 and isinstance(gone.parsed, ErrorResponse)
    assert gone.parsed.code == "document_not_found"


def test_plain_httpx_gets_brevo_errors_and_headers(served: Served) -> None:
    with httpx.Client(base_url=served.base_url, timeout=10) as http:
        no_key = http.get("/contacts")
        assert no_key.status_code == 401
        assert no_key.json()["message"] == "authentication not found in headers"
        wrong = http.get("/contacts", headers={"api-key": "nope"})
        assert wrong.json() == {"code": "unauthorized", "message": "Key not found"}
        ok = http.get("/contacts", headers={"api-key": served.key})
        assert ok.status_code == 200
        assert {"x-sib-ratelimit-limit", "x-sib-ratelimit-remaining"} <= set(ok.headers)
