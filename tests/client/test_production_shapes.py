"""Every response body production may send, fed to the generated client and the wrapper.

The corpus (``tests/client/production_shapes/``, see its ``manifest.json``) holds bodies built
from the official SDK's response types (``make production-shapes SDK=5.1.0`` rebuilds
them) and a few documented examples the types don't give. Each body must parse through
the generated models without losing a field, and each public method of the wrapper that
reads such a body must return everything in it (or raise the specific, documented error).
A membership answer is reported exactly as far as it confirms.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from brevo_contacts import AuthenticatedClient
from brevo_contacts.api.contact_attributes import list_contact_attributes
from brevo_contacts.api.contact_lists import (
    add_contacts_to_list,
    create_contact_list,
    get_contact_list,
    get_contacts_from_list,
    list_contact_lists,
    remove_contacts_from_list,
)
from brevo_contacts.api.contacts import create_contact, get_contact_info, list_contacts
from brevo_contacts.api.folders import create_folder, list_folders
from brevo_contacts.api.import_ import import_contacts
from brevo_contacts.api.process import get_process, get_processes
from brevo_contacts.models import (
    AddContactsToList,
    CreateContact,
    CreateContactList,
    CreateFolder,
    ErrorResponse,
    ImportContacts,
    RemoveContactsFromList,
)
from tajo_brevo import (
    AsyncTajoBrevo,
    ContactWithoutEmailError,
    LoyaltyProfile,
    MembershipResult,
    TajoBrevo,
)
from tajo_brevo.contract.validation import ContractViolation, SpecValidator
from tajo_brevo.mock import BrevoMock

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "production_shapes"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text())
ENTRIES: list[dict[str, Any]] = MANIFEST["entries"]
BASE = "http://127.0.0.1/v3"
KEY = "xkeysib-production-shapes"
LIST_ID = 7


def body_of(entry: dict[str, Any]) -> Any:
    return json.loads((CORPUS / entry["file"]).read_text())


def entries(*operations: str) -> list[Any]:
    return [
        pytest.param(e, id=e["file"].split("/", 1)[1].removesuffix(".json"))
        for e in ENTRIES
        if e["operation"] in operations
    ]


# -- the corpus itself -----------------------------------------------------------------

#: Every read and write response the wrapper and the generated client use (a 204 or a
#: body-less 201 has no body to parse).
OPERATIONS_WITH_BODIES = {
    "listContacts",
    "getContactsFromList",
    "getContactInfo",
    "createContact",
    "listContactLists",
    "getContactList",
    "createContactList",
    "addContactsToList",
    "removeContactsFromList",
    "listContactAttributes",
    "listFolders",
    "createFolder",
    "importContacts",
    "getProcess",
    "getProcesses",
}


def test_the_corpus_covers_every_response_with_a_body_and_names_its_source() -> None:
    assert MANIFEST["sdk"].startswith("brevo-python ")
    assert {e["operation"] for e in ENTRIES} == OPERATIONS_WITH_BODIES
    for entry in ENTRIES:
        assert (CORPUS / entry["file"]).is_file(), entry["file"]
        source = entry["source"]
        assert source.startswith((MANIFEST["sdk"], "documented")), entry
    on_disk = {str(p.relative_to(CORPUS)) for p in CORPUS.glob("*/*.json")}
    assert on_disk == {e["file"] for e in ENTRIES}  # nothing unlisted, nothing missing


# -- the generated client --------------------------------------------------------------

GENERATED: dict[str, Callable[[AuthenticatedClient], Any]] = {
    "listContacts": lambda c: list_contacts.sync_detailed(client=c),
    "getContactsFromList": lambda c: get_contacts_from_list.sync_detailed(LIST_ID, client=c),
    "getContactInfo": lambda c: get_contact_info.sync_detailed("ada@example.com", client=c),
    "createContact": lambda c: create_contact.sync_detailed(
        client=c, body=CreateContact.from_dict({"email": "ada@example.com"})
    ),
    "listContactLists": lambda c: list_contact_lists.sync_detailed(client=c),
    "getContactList": lambda c: get_contact_list.sync_detailed(LIST_ID, client=c),
    "createContactList": lambda c: create_contact_list.sync_detailed(
        client=c, body=CreateContactList(name="Gold", folder_id=1)
    ),
    "addContactsToList": lambda c: add_contacts_to_list.sync_detailed(
        LIST_ID, client=c, body=AddContactsToList.from_dict({"emails": ["ada@example.com"]})
    ),
    "removeContactsFromList": lambda c: remove_contacts_from_list.sync_detailed(
        LIST_ID, client=c, body=RemoveContactsFromList.from_dict({"ids": [1]})
    ),
    "listContactAttributes": lambda c: list_contact_attributes.sync_detailed(client=c),
    "listFolders": lambda c: list_folders.sync_detailed(client=c),
    "createFolder": lambda c: create_folder.sync_detailed(client=c, body=CreateFolder(name="T")),
    "importContacts": lambda c: import_contacts.sync_detailed(
        client=c,
        body=ImportContacts.from_dict({"fileBody": "EMAIL\nada@example.com", "listIds": [1]}),
    ),
    "getProcess": lambda c: get_process.sync_detailed(5, client=c),
    "getProcesses": lambda c: get_processes.sync_detailed(client=c),
}

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


def _normalised(value: Any) -> Any:
    """JSON with date-times as datetimes: the models give them back in another spelling."""
    if isinstance(value, dict):
        return {k: _normalised(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalised(v) for v in value]
    if isinstance(value, str) and _DATETIME.match(value):
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


@pytest.mark.parametrize("entry", entries(*GENERATED))
def test_the_generated_client_parses_every_body_and_keeps_every_field(
    entry: dict[str, Any],
) -> None:
    body = body_of(entry)
    http = httpx.Client(
        base_url=BASE,
        transport=httpx.MockTransport(lambda _: httpx.Response(entry["status"], json=body)),
    )
    client = AuthenticatedClient(base_url=BASE, token=KEY)
    client.set_httpx_client(http)
    response = GENERATED[entry["operation"]](client)
    assert response.status_code == entry["status"]
    parsed = response.parsed
    assert parsed is not None and not isinstance(parsed, ErrorResponse)
    assert _normalised(parsed.to_dict()) == _normalised(body)


# -- the effective spec ----------------------------------------------------------------

#: (method, path) of one request per operation, to validate its answer against a spec.
REQUESTS: dict[str, tuple[str, str]] = {
    "listContacts": ("GET", "/contacts"),
    "getContactsFromList": ("GET", f"/contacts/lists/{LIST_ID}/contacts"),
    "getContactInfo": ("GET", "/contacts/ada%40example.com"),
    "createContact": ("POST", "/contacts"),
    "listContactLists": ("GET", "/contacts/lists"),
    "getContactList": ("GET", f"/contacts/lists/{LIST_ID}"),
    "createContactList": ("POST", "/contacts/lists"),
    "addContactsToList": ("POST", f"/contacts/lists/{LIST_ID}/contacts/add"),
    "removeContactsFromList": ("POST", f"/contacts/lists/{LIST_ID}/contacts/remove"),
    "listContactAttributes": ("GET", "/contacts/attributes"),
    "listFolders": ("GET", "/contacts/folders"),
    "createFolder": ("POST", "/contacts/folders"),
    "importContacts": ("POST", "/contacts/import"),
    "getProcess": ("GET", "/processes/5"),
    "getProcesses": ("GET", "/processes"),
}
#: Bodies the pin (openapi/brevo-contacts.yml) itself refuses and the corrections make
#: valid. The other shapes the pin allowed; earlier corrections (named schemas, required
#: fields) had made the effective spec stricter than production, and now no longer do.
PIN_REFUSES = {
    "sdk/listContactAttributes.full.0.json",  # multiple-choice, user
    "sdk/addContactsToList.full.1.json",  # ids as numbers
}


@pytest.fixture(scope="module")
def effective_validator() -> SpecValidator:
    return SpecValidator(ROOT / "openapi" / "brevo-contacts.effective.yml", base_url=BASE)


@pytest.fixture(scope="module")
def pin_validator() -> SpecValidator:
    return SpecValidator(ROOT / "openapi" / "brevo-contacts.yml", base_url=BASE)


def _exchange(entry: dict[str, Any]) -> tuple[httpx.Request, httpx.Response]:
    method, path = REQUESTS[entry["operation"]]
    request = httpx.Request(method, BASE + path, headers={"api-key": KEY})
    return request, httpx.Response(entry["status"], json=body_of(entry))


@pytest.mark.parametrize("entry", entries(*REQUESTS))
def test_the_effective_spec_documents_every_body(
    entry: dict[str, Any], effective_validator: SpecValidator
) -> None:
    # The mock, the contract suite and schemathesis hold production to this same spec.
    effective_validator.validate_response(*_exchange(entry))


@pytest.mark.parametrize("file", sorted(PIN_REFUSES))
def test_the_pin_refuses_what_the_corrections_describe(
    file: str, pin_validator: SpecValidator
) -> None:
    entry = next(e for e in ENTRIES if e["file"] == file)
    with pytest.raises(ContractViolation):
        pin_validator.validate_response(*_exchange(entry))


# -- the wrapper's reads ---------------------------------------------------------------

_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("GET", re.compile(r"/contacts$"), "listContacts"),
    ("POST", re.compile(r"/contacts$"), "createContact"),
    ("GET", re.compile(r"/contacts/lists$"), "listContactLists"),
    ("GET", re.compile(r"/contacts/folders$"), "listFolders"),
    ("GET", re.compile(r"/contacts/attributes$"), "listContactAttributes"),
    ("GET", re.compile(r"/contacts/(?!lists$|folders$|attributes$)[^/]+$"), "getContactInfo"),
]


def _operation(request: httpx.Request) -> str | None:
    for method, pattern, operation in _ROUTES:
        if request.method == method and pattern.search(request.url.path):
            return operation
    return None


def _client(answers: dict[str, httpx.Response], mock: BrevoMock | None = None) -> TajoBrevo:
    """A client whose answers to ``answers``' operations are those; the rest go to ``mock``."""
    inner = mock.transport() if mock is not None else None

    def handle(request: httpx.Request) -> httpx.Response:
        operation = _operation(request)
        if operation in answers:
            return answers[operation]
        assert inner is not None, f"unexpected {request.method} {request.url.path}"
        return inner.handle_request(request)

    return TajoBrevo(
        api_key=mock.api_key if mock is not None else KEY,
        base_url=BASE,
        transport=httpx.MockTransport(handle),
        rate_limit="auto",
        max_retries=0,
    )


@pytest.mark.parametrize("entry", entries("listContacts"))
def test_iter_contacts_returns_every_field_of_every_contact(entry: dict[str, Any]) -> None:
    body = body_of(entry)
    with _client({"listContacts": httpx.Response(200, json=body)}) as brevo:
        contacts = list(brevo.iter_contacts())
    assert [c.raw for c in contacts] == body["contacts"]
    for contact, item in zip(contacts, body["contacts"], strict=True):
        assert contact.id == item["id"]
        assert contact.email == item.get("email")
        assert contact.attributes == item["attributes"]
        assert contact.list_ids == tuple(item["listIds"])
        assert contact.email_blacklisted is item["emailBlacklisted"]
        assert contact.sms_blacklisted is item["smsBlacklisted"]
        assert contact.whatsapp_blacklisted is item["whatsappBlacklisted"]


@pytest.mark.parametrize("entry", entries("getContactInfo"))
def test_get_customer_returns_the_profile_or_says_the_contact_has_no_email(
    entry: dict[str, Any],
) -> None:
    body = body_of(entry)
    with _client({"getContactInfo": httpx.Response(200, json=body)}) as brevo:
        if "email" not in body:
            with pytest.raises(ContactWithoutEmailError) as raised:
                brevo.get_customer(body["id"])
            # The contact is all there: nothing Brevo sent is lost.
            assert raised.value.contact == body
            assert raised.value.contact_id == body["id"]
            assert raised.value.identifier == body["id"]
            return
        profile = brevo.get_customer(body["email"])
    assert isinstance(profile, LoyaltyProfile)
    assert profile.email == body["email"]
    assert dict(profile.extra) == body["attributes"]


@pytest.mark.parametrize("entry", entries("listContactLists"))
def test_iter_lists_returns_every_field_of_every_list(entry: dict[str, Any]) -> None:
    body = body_of(entry)
    with _client({"listContactLists": httpx.Response(200, json=body)}) as brevo:
        lists = list(brevo.iter_lists())
    assert [i.raw for i in lists] == body.get("lists", [])
    for info, item in zip(lists, body.get("lists", []), strict=True):
        assert (info.id, info.name, info.folder_id) == (item["id"], item["name"], item["folderId"])
        assert info.total_subscribers == item["totalSubscribers"]
        assert info.total_blacklisted == item["totalBlacklisted"]
        assert info.unique_subscribers == item["uniqueSubscribers"]


@pytest.mark.parametrize("entry", entries("listFolders"))
def test_iter_folders_returns_every_field_of_every_folder(entry: dict[str, Any]) -> None:
    body = body_of(entry)
    with _client({"listFolders": httpx.Response(200, json=body)}) as brevo:
        folders = list(brevo.iter_folders())
    assert [f.raw for f in folders] == body.get("folders", [])
    for info, item in zip(folders, body.get("folders", []), strict=True):
        assert (info.id, info.name) == (item["id"], item["name"])
        assert info.total_subscribers == item["totalSubscribers"]
        assert info.total_blacklisted == item["totalBlacklisted"]
        assert info.unique_subscribers == item["uniqueSubscribers"]


@pytest.mark.parametrize("entry", entries("listContactAttributes"))
def test_iter_attributes_returns_every_field_of_every_attribute(entry: dict[str, Any]) -> None:
    body = body_of(entry)
    with _client({"listContactAttributes": httpx.Response(200, json=body)}) as brevo:
        attributes = list(brevo.iter_attributes())
    assert [a.raw for a in attributes] == body["attributes"]
    for info, item in zip(attributes, body["attributes"], strict=True):
        assert (info.name, info.category, info.type) == (
            item["name"],
            item["category"],
            item.get("type"),
        )
        assert list(info.enumeration) == item.get("enumeration", [])
        assert list(info.multi_category_options) == item.get("multiCategoryOptions", [])
        assert info.calculated_value == item.get("calculatedValue")


@pytest.mark.parametrize("entry", entries("createContact"))
def test_create_customer_reports_the_id_the_answer_gives(entry: dict[str, Any]) -> None:
    body = body_of(entry)
    mock = BrevoMock()
    with _client({"createContact": httpx.Response(201, json=body)}, mock) as brevo:
        brevo.provision()
        result = brevo.create_customer(
            LoyaltyProfile(email="ada@example.com", loyalty_id="L-1", loyalty_points=10)
        )
    assert result.created is True
    assert result.contact_id == body.get("id")


# -- membership answers ----------------------------------------------------------------


def _listed(body: Any) -> tuple[list[Any], list[Any], int | None]:
    """(success, failure, processId) wherever the answer puts them."""
    source = body.get("contacts", body)
    return source.get("success", []), source.get("failure", []), source.get("processId")


def _run(mode: str, call: Callable[[Any], Any]) -> MembershipResult:
    """``call(client)`` on a TajoBrevo or an AsyncTajoBrevo over respx (BASE)."""
    if mode == "sync":
        with TajoBrevo(api_key=KEY, base_url=BASE, rate_limit="auto", sleep=_no_sleep) as b:
            result: MembershipResult = call(b)
            return result

    async def run() -> MembershipResult:
        async with AsyncTajoBrevo(
            api_key=KEY, base_url=BASE, rate_limit="auto", sleep=_no_asleep
        ) as b:
            result: MembershipResult = await call(b)
            return result

    return asyncio.run(run())


def _no_sleep(_: float) -> None:
    return None


async def _no_asleep(_: float) -> None:
    return None


def _all_placed(result: MembershipResult) -> list[Any]:
    return [*result.success, *result.failure, *result.pending, *result.unconfirmed]


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize("entry", entries("addContactsToList", "removeContactsFromList"))
def test_a_membership_answer_is_reported_exactly_as_far_as_it_confirms(
    entry: dict[str, Any], mode: str
) -> None:
    body = body_of(entry)
    success, failure, process_id = _listed(body)
    # One member more than the answer names: never reported as done.
    by_id = any(isinstance(i, int) for i in success + failure)
    unnamed: str | int = 99 if by_id else "unnamed@example.com"
    members = [*dict.fromkeys([*success, *failure]), unnamed]
    remove = entry["operation"] == "removeContactsFromList"
    action = "remove" if remove else "add"
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        router.post(f"/contacts/lists/{LIST_ID}/contacts/{action}").respond(201, json=body)
        result = _run(
            mode,
            lambda b: (b.remove_from_list if remove else b.add_to_list)(
                LIST_ID, members, process_timeout=0
            ),
        )
        assert not router.calls or all("processes" not in str(c.request.url) for c in router.calls)
    assert list(result.failure) == list(dict.fromkeys(failure))
    assert list(result.success) == [m for m in dict.fromkeys(success) if m not in failure]
    assert unnamed not in result.success and not set(result.success) & set(result.failure)
    assert sorted(map(str, _all_placed(result))) == sorted(map(str, members))
    if process_id is None:
        assert result.unconfirmed == (unnamed,) and result.process_ids == ()
    else:
        # Not followed (process_timeout=0): pending, with the process to follow.
        assert result.pending == (unnamed,) and result.process_ids == (process_id,)


_STATUS = {"completed": "done", "failed": "failed", "cancelled": "failed"}


@pytest.mark.parametrize("entry", entries("getProcess"))
def test_an_asynchronous_answer_is_followed_to_its_process(
    entry: dict[str, Any], mode: str
) -> None:
    process = body_of(entry)
    contact = {"id": 1, "email": "in@example.com", "listIds": [LIST_ID], "attributes": {}}
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        router.post(f"/contacts/lists/{LIST_ID}/contacts/add").respond(
            201, json={"contacts": {"processId": process["id"]}}
        )
        polls = router.get(f"/processes/{process['id']}").respond(200, json=process)
        router.get("/contacts/in%40example.com").respond(200, json=contact)
        router.get("/contacts/out%40example.com").respond(
            200, json={**contact, "email": "out@example.com", "listIds": []}
        )
        router.get("/contacts/gone%40example.com").respond(
            404, json={"code": "document_not_found", "message": "Contact does not exist"}
        )
        members = ["in@example.com", "out@example.com", "gone@example.com"]
        result = _run(mode, lambda b: b.add_to_list(LIST_ID, members, process_timeout=5))
    assert result.process_ids == (process["id"],)
    outcome = _STATUS.get(process["status"], "pending")
    if outcome == "done":
        # A process does not say which members it changed: each is read back.
        assert result.success == ("in@example.com",)
        assert result.failure == ("out@example.com", "gone@example.com")
        assert polls.call_count == 1
    elif outcome == "failed":
        assert result.failure == tuple(members) and result.success == ()
        assert any(process["status"] in e for e in result.errors)
    else:
        assert result.pending == tuple(members) and result.success == ()
        assert polls.call_count > 1  # polled until process_timeout, then reported pending


# -- over HTTP, against the mock -------------------------------------------------------


@pytest.fixture
def served() -> Iterator[tuple[BrevoMock, str]]:
    mock = BrevoMock(membership_process_above=2)
    with mock.serve() as server:
        yield mock, server.base_url


def _seed(mock: BrevoMock, emails: list[str]) -> int:
    folder = mock.state.create_folder("Tajo")
    list_id = mock.state.create_list("Gold", folder)
    for email in emails:
        mock.state.create_contact({"email": email})
    return list_id


def test_a_large_add_answered_as_a_process_is_followed_over_http(
    served: tuple[BrevoMock, str], mode: str
) -> None:
    mock, base_url = served
    list_id = _seed(mock, ["a@example.com", "b@example.com"])
    members = ["a@example.com", "B@example.com", "ghost@example.com"]
    if mode == "sync":
        with TajoBrevo(api_key=mock.api_key, base_url=base_url, rate_limit="auto") as brevo:
            result = brevo.add_to_list(list_id, members)
    else:

        async def run() -> MembershipResult:
            async with AsyncTajoBrevo(
                api_key=mock.api_key, base_url=base_url, rate_limit="auto"
            ) as brevo:
                return await brevo.add_to_list(list_id, members)

        result = asyncio.run(run())
    assert len(result.process_ids) == 1
    assert result.success == ("a@example.com", "B@example.com")
    assert result.failure == ("ghost@example.com",)
    # What the client reports is what the account holds.
    assert mock.emails_in_list(list_id) == {"a@example.com", "b@example.com"}


def test_an_unfinished_process_is_reported_pending_with_its_id_over_http() -> None:
    mock = BrevoMock(membership_process_above=0, import_delay=1.5)  # still queued when read
    list_id = _seed(mock, ["a@example.com"])
    with (
        mock.serve() as server,
        TajoBrevo(api_key=mock.api_key, base_url=server.base_url, rate_limit="auto") as brevo,
    ):
        result = brevo.add_to_list(list_id, ["a@example.com"], process_timeout=0)
        assert result.pending == ("a@example.com",) and result.success == ()
        assert mock.emails_in_list(list_id) == set()  # not applied yet: not "added"
        assert mock.state.wait_for_imports(timeout=10)
        status = mock.state.get_process(result.process_ids[0])["status"]
    assert status == "completed" and mock.emails_in_list(list_id) == {"a@example.com"}


def test_a_small_add_stays_synchronous_and_reports_the_answer_over_http(
    served: tuple[BrevoMock, str],
) -> None:
    mock, base_url = served
    list_id = _seed(mock, ["a@example.com"])
    with TajoBrevo(api_key=mock.api_key, base_url=base_url, rate_limit="auto") as brevo:
        result = brevo.add_to_list(list_id, ["a@example.com", "ghost@example.com"])
        again = brevo.add_to_list(list_id, ["a@example.com"])
    assert (result.success, result.failure, result.process_ids) == (
        ("a@example.com",),
        ("ghost@example.com",),
        (),
    )
    assert again.failure == ("a@example.com",)  # already a member: not "added" twice
    assert mock.emails_in_list(list_id) == {"a@example.com"}
