"""The wrapper (TajoBrevo) against respx: every documented response of every operation it uses.

The wrapper reaches Brevo only through ``tajo_brevo._adapter`` (one builder per operation,
one executor). Each builder is run through a real ``TajoBrevo`` (its paced transport,
auth and error mapping; retries off, no real sleeping); the request it sends is validated
against the effective spec with openapi-core, and respx serves each documented status
with a body drawn from that response's schema. A 2xx must come back as the served body,
an error status as the right exception of ``tajo_brevo.errors``.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx
from _specs import BASE_URL, EFFECTIVE
from hypothesis import HealthCheck, given, settings
from hypothesis.strategies import data as st_data
from tajo_brevo import (
    APIError,
    AsyncTajoBrevo,
    AuthenticationError,
    BadRequestError,
    MethodNotAllowedError,
    NotFoundError,
    RateLimitError,
    TajoBrevo,
)
from tajo_brevo import _adapter as calls
from tajo_brevo.contract.completeness import documented_pairs
from tajo_brevo.contract.strategies import ResponseCase, SpecStrategies
from tajo_brevo.contract.validation import SpecValidator
from test_client_respx import HANDLED

KEY = "xkeysib-contract-wrapper-SECRET"
EXAMPLES = int(os.environ.get("TAJO_CONTRACT_RESPX_EXAMPLES", "4"))

# One call per operation the wrapper uses, with realistic arguments.
WRAPPER_CALLS: dict[str, Callable[[], Any]] = {
    "listContacts": lambda: calls.list_contacts_call(limit=1000, offset=0),
    "createContact": lambda: calls.create_contact_call(
        {"email": "ada@example.com", "attributes": {"LOYALTY_POINTS": 10}, "updateEnabled": True}
    ),
    "getContactInfo": lambda: calls.get_contact_call("ada@example.com"),
    "updateContact": lambda: calls.update_contact_call(
        42, {"attributes": {"LOYALTY_TIER": "gold"}}
    ),
    "deleteContact": lambda: calls.delete_contact_call("ada@example.com"),
    "listContactLists": lambda: calls.list_lists_call(limit=50, offset=0),
    "getContactList": lambda: calls.get_list_call(7),
    "createContactList": lambda: calls.create_list_call("Gold members", 3),
    "addContactsToList": lambda: calls.add_to_list_call(7, emails=["ada@example.com"]),
    "removeContactsFromList": lambda: calls.remove_from_list_call(7, ids=[42]),
    "listContactAttributes": lambda: calls.list_attributes_call(),
    "createContactAttribute": lambda: calls.create_attribute_call("LOYALTY_POINTS", "float"),
    "listFolders": lambda: calls.list_folders_call(limit=50, offset=0),
    "createFolder": lambda: calls.create_folder_call("Tajo"),
    # wait=False: the single respx route answers the import, not the process polls
    # (waiting for the process is tested against the mock, tests/mock/test_mock_import.py).
    "importContacts": lambda: calls.import_call(
        file_body="EMAIL;LOYALTY_POINTS\nada@example.com;10", list_ids=[7]
    ),
    "getProcess": lambda: calls.get_process_call(5),
    "requestContactExport": lambda: calls.request_contact_export_call(
        {"customContactFilter": {"actionForContacts": "allContacts", "listId": 7}}
    ),
}
# Operations the wrapper does not use: reachable through ``TajoBrevo.generated`` and
# covered at the generated-client level (test_client_respx.py).
NOT_USED_BY_WRAPPER = frozenset(
    {
        "updateContactList",
        "deleteContactList",
        "deleteContactAttribute",
        "getProcesses",
        "getContactsFromList",
    }
)
ERRORS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    404: NotFoundError,
    405: MethodNotAllowedError,
    429: RateLimitError,
}
PAIRS = [(op, status) for op, status in HANDLED if op in WRAPPER_CALLS]


class _Clock:
    """A clock that only moves when the wrapper sleeps: pacing takes no real time."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_every_operation_is_used_by_the_wrapper_or_declared_unused() -> None:
    operations = {pair.operation_id for pair in documented_pairs(EFFECTIVE)}
    assert set(WRAPPER_CALLS) | NOT_USED_BY_WRAPPER == operations
    assert not set(WRAPPER_CALLS) & NOT_USED_BY_WRAPPER


@pytest.mark.parametrize(("operation_id", "status"), PAIRS, ids=str)
def test_wrapper_maps_each_documented_response(
    operation_id: str, status: str, strategies: SpecStrategies, validator: SpecValidator
) -> None:
    clock = _Clock()
    client = TajoBrevo(
        api_key=KEY, base_url=BASE_URL, max_retries=0, sleep=clock.sleep, clock=clock
    )
    served: list[httpx.Response] = []
    router = respx.mock(base_url=BASE_URL, assert_all_called=False)
    route = router.route().mock(side_effect=lambda request: validator.checked(request, served[-1]))

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(reply=strategies.responses(operation_id, status))
    def run(reply: ResponseCase) -> None:
        served.append(reply.to_httpx())
        call = WRAPPER_CALLS[operation_id]()
        assert call.operation == operation_id
        code = int(status)
        if code < 300:
            result = client._execute(call)
            assert result.status_code == code
            assert result.body == reply.body
            return
        with pytest.raises(ERRORS[code]) as raised:
            client._execute(call)
        error = raised.value
        assert error.status_code == code
        assert (error.code, error.message) == (reply.body["code"], reply.body["message"])
        assert KEY not in repr(error) and KEY not in str(error)
        if code == 429:
            assert isinstance(error, RateLimitError)
            # Seconds until the window resets: never negative (corrections.yml).
            reset = int(reply.headers["x-sib-ratelimit-reset"])
            assert reset >= 0
            assert error.reset_after == float(reset)

    with router, client:
        run()
        assert route.call_count >= 1
        assert all(validator.operation_id(c.request) == operation_id for c in route.calls)


# Public methods that are one operation each: (operationId, call on a client).
PUBLIC: dict[str, tuple[str, Callable[[TajoBrevo], Any]]] = {
    "get_customer": ("getContactInfo", lambda c: c.get_customer("ada@example.com")),
    "delete_customer(hard=True)": (
        "deleteContact",
        lambda c: c.delete_customer("ada@example.com", hard=True),
    ),
    "iter_attributes": ("listContactAttributes", lambda c: list(c.iter_attributes())),
    "iter_lists": ("listContactLists", lambda c: list(c.iter_lists())),
    "iter_folders": ("listFolders", lambda c: list(c.iter_folders())),
}
PUBLIC_ERRORS = [
    (name, status)
    for name, (op, _call) in PUBLIC.items()
    for handled_op, status in HANDLED
    if handled_op == op and int(status) >= 400
]


@pytest.mark.parametrize(("method", "status"), PUBLIC_ERRORS, ids=str)
def test_public_methods_raise_the_mapped_exception(
    method: str, status: str, strategies: SpecStrategies, validator: SpecValidator
) -> None:
    operation_id, invoke = PUBLIC[method]

    @settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(reply=strategies.responses(operation_id, status))
    def run(reply: ResponseCase) -> None:
        clock = _Clock()
        with (
            respx.mock(base_url=BASE_URL) as router,
            TajoBrevo(
                api_key=KEY, base_url=BASE_URL, max_retries=0, sleep=clock.sleep, clock=clock
            ) as client,
        ):
            router.route().mock(
                side_effect=lambda request: validator.checked(request, reply.to_httpx())
            )
            with pytest.raises(ERRORS[int(status)]) as raised:
                invoke(client)
        assert raised.value.status_code == int(status)

    run()


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st_data())
def test_listing_methods_return_typed_results_with_every_served_item(
    data: Any, strategies: SpecStrategies, validator: SpecValidator
) -> None:
    attributes = data.draw(strategies.responses("listContactAttributes", "200"))
    folders = data.draw(strategies.responses("listFolders", "200"))
    clock = _Clock()
    with (
        respx.mock(base_url=BASE_URL) as router,
        TajoBrevo(
            api_key=KEY, base_url=BASE_URL, max_retries=0, sleep=clock.sleep, clock=clock
        ) as client,
    ):
        router.get("/contacts/attributes").mock(
            side_effect=lambda request: validator.checked(request, attributes.to_httpx())
        )
        router.get("/contacts/folders").mock(
            side_effect=lambda request: validator.checked(request, folders.to_httpx())
        )
        got_attributes = list(client.iter_attributes())
        got_folders = list(client.iter_folders())
    assert [(a.name, a.category) for a in got_attributes] == [
        (a["name"], a["category"]) for a in attributes.body["attributes"]
    ]
    # folders and count are optional (brevo-python 5.1.0 GetFoldersResponse).
    assert [f.id for f in got_folders] == [f["id"] for f in folders.body.get("folders", [])]


ASYNC_PAIRS = [(op, s) for op, s in PAIRS if int(s) < 300 or s in ("404", "429")]


@pytest.mark.parametrize(("operation_id", "status"), ASYNC_PAIRS, ids=str)
def test_async_wrapper_maps_documented_responses_like_the_sync_one(
    operation_id: str, status: str, strategies: SpecStrategies, validator: SpecValidator
) -> None:
    @settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(reply=strategies.responses(operation_id, status))
    def run(reply: ResponseCase) -> None:
        async def scenario() -> None:
            clock = _Clock()

            async def asleep(seconds: float) -> None:
                clock.sleep(seconds)

            async with AsyncTajoBrevo(
                api_key=KEY, base_url=BASE_URL, max_retries=0, sleep=asleep, clock=clock
            ) as client:
                with respx.mock(base_url=BASE_URL) as router:
                    router.route().mock(
                        side_effect=lambda request: validator.checked(request, reply.to_httpx())
                    )
                    call = WRAPPER_CALLS[operation_id]()
                    if int(status) < 300:
                        result = await client._execute(call)
                        assert (result.status_code, result.body) == (int(status), reply.body)
                    else:
                        with pytest.raises(ERRORS[int(status)]):
                            await client._execute(call)

        asyncio.run(scenario())

    run()
