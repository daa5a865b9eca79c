"""The generated client against respx: spec-valid requests, every documented response parsed.

For every (operation, status) the effective spec documents, the client is called with
inputs drawn from the spec, the request it sends is validated with openapi-core, and respx
answers with headers and a body drawn from that response's schema (validated too). The
client must parse it into the expected type without losing a field.
"""

from __future__ import annotations

import datetime
import os
from typing import Any

import httpx
import pytest
import respx
from _calls import call_kwargs, module_for
from _specs import BASE_URL, EFFECTIVE
from brevo_contacts import AuthenticatedClient
from brevo_contacts.models import (
    Contact,
    ContactAttributeList,
    ContactList,
    ContactListCollection,
    ContactListDetail,
    CreateContactListResponse201,
    CreateContactResponse201,
    CreatedProcessId,
    CreateFolderResponse201,
    ErrorResponse,
    FolderList,
    ListMembershipResult,
    NoContactToExport,
    Process,
    ProcessList,
)
from dateutil.parser import isoparse
from hypothesis import HealthCheck, given, settings
from tajo_brevo.contract.completeness import check
from tajo_brevo.contract.strategies import SpecStrategies
from tajo_brevo.contract.validation import SpecValidator

API_KEY = "contract-test-key"
# Examples per (operation, status); raise it locally for a deeper run (CI default: fast).
EXAMPLES = int(os.environ.get("TAJO_CONTRACT_RESPX_EXAMPLES", "4"))
NO_BODY = None  # the client parses a documented body-less response to None


def _op(success: dict[int, type | None], errors: tuple[int, ...]) -> dict[str, type | None]:
    return {**{str(s): t for s, t in success.items()}, **{str(s): ErrorResponse for s in errors}}


# What the generated client must return for each documented (operation, status).
# A spec bump that adds an operation or a status fails test_every_documented_response_is_handled
# until an entry is added here.
EXPECTED: dict[str, dict[str, type | None]] = {
    "listContacts": _op({200: ContactList}, (400, 401, 429)),
    "createContact": _op({201: CreateContactResponse201, 204: NO_BODY}, (400, 401, 429)),
    "getContactInfo": _op({200: Contact}, (400, 401, 404, 429)),
    "updateContact": _op({204: NO_BODY}, (400, 401, 404, 429)),
    "deleteContact": _op({204: NO_BODY}, (400, 401, 404, 405, 429)),
    "listContactLists": _op({200: ContactListCollection}, (400, 401, 429)),
    "createContactList": _op({201: CreateContactListResponse201}, (400, 401, 429)),
    "getContactList": _op({200: ContactListDetail}, (400, 401, 404, 429)),
    "updateContactList": _op({204: NO_BODY}, (400, 401, 404, 429)),
    "deleteContactList": _op({204: NO_BODY}, (400, 401, 404, 429)),
    "addContactsToList": _op({201: ListMembershipResult}, (400, 401, 404, 429)),
    "removeContactsFromList": _op({201: ListMembershipResult}, (400, 401, 404, 429)),
    "listContactAttributes": _op({200: ContactAttributeList}, (400, 401, 429)),
    "createContactAttribute": _op({201: NO_BODY}, (400, 401, 429)),
    "deleteContactAttribute": _op({204: NO_BODY}, (400, 401, 404, 429)),
    "listFolders": _op({200: FolderList}, (400, 401, 429)),
    "createFolder": _op({201: CreateFolderResponse201}, (400, 401, 429)),
    "importContacts": _op({202: CreatedProcessId}, (400, 401, 429)),
    "getContactsFromList": _op({200: ContactList}, (400, 401, 404, 429)),
    "getProcess": _op({200: Process}, (400, 401, 404, 429)),
    "getProcesses": _op({200: ProcessList}, (400, 401, 429)),
    "requestContactExport": _op({202: CreatedProcessId, 200: NoContactToExport}, (400, 401, 429)),
}
HANDLED = sorted((op, status) for op, statuses in EXPECTED.items() for status in statuses)


def same_json(sent: Any, parsed: Any) -> bool:
    """Equal as JSON, except date-times may be re-serialised (``Z`` vs ``+00:00``)."""
    if isinstance(sent, dict) and isinstance(parsed, dict):
        return sent.keys() == parsed.keys() and all(same_json(sent[k], parsed[k]) for k in sent)
    if isinstance(sent, list) and isinstance(parsed, list):
        return len(sent) == len(parsed) and all(map(same_json, sent, parsed))
    if isinstance(sent, str) and isinstance(parsed, str) and sent != parsed:
        try:
            return isoparse(sent) == isoparse(parsed)
        except ValueError:
            return False
    if isinstance(sent, datetime.date) or isinstance(parsed, datetime.date):
        return str(sent) == str(parsed)
    return type(sent) is type(parsed) and sent == parsed


def test_every_documented_response_is_handled() -> None:
    report = check(EFFECTIVE, HANDLED)
    assert report.ok, report.format()


@pytest.mark.parametrize(("operation_id", "status"), HANDLED, ids=lambda v: str(v))
def test_client_sends_valid_requests_and_parses_each_documented_response(
    operation_id: str,
    status: str,
    strategies: SpecStrategies,
    validator: SpecValidator,
) -> None:
    module = module_for(operation_id)
    expected = EXPECTED[operation_id][status]

    # One client and one router per test: building an httpx client (its SSL context)
    # costs more than a whole example.
    client = AuthenticatedClient(
        base_url=BASE_URL, token=API_KEY, prefix="", auth_header_name="api-key"
    )
    served: list[httpx.Response] = []
    router = respx.mock(base_url=BASE_URL, assert_all_called=False)
    route = router.route().mock(side_effect=lambda request: validator.checked(request, served[-1]))

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(
        inputs=strategies.request_inputs(operation_id),
        reply=strategies.responses(operation_id, status),
    )
    def run(inputs: Any, reply: Any) -> None:
        served.append(reply.to_httpx())
        calls_before = route.call_count
        response = module.sync_detailed(client=client, **call_kwargs(module.sync_detailed, inputs))
        assert route.call_count == calls_before + 1
        assert validator.operation_id(route.calls.last.request) == operation_id
        assert response.status_code == int(status)
        if expected is None:
            assert response.parsed is None
            return
        assert isinstance(response.parsed, expected), type(response.parsed)
        assert same_json(reply.body, response.parsed.to_dict())

    with router:
        run()
        assert route.call_count >= 1
