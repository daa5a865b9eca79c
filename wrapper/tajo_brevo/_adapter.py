"""The ONLY module of the wrapper that calls the generated ``brevo_contacts.api`` functions.

A regeneration of the client touches this file and nothing else. Everything here is
sans-IO except the two executors: builders return a :class:`_Call` (which generated
function, with which arguments), the executors run it with the sync or async generated
function (``*_detailed``), and :func:`_interpret` turns the status and body into a
:class:`_Result` or raises the mapped :class:`~tajo_brevo.errors.APIError`. Generated
``ErrorResponse`` objects and ``UnexpectedStatus`` never leave this module.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import json
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import httpx
from brevo_contacts import AuthenticatedClient
from brevo_contacts.api.contact_attributes import (
    create_contact_attribute,
    list_contact_attributes,
)
from brevo_contacts.api.contact_lists import (
    add_contacts_to_list,
    create_contact_list,
    get_contact_list,
    list_contact_lists,
    remove_contacts_from_list,
)
from brevo_contacts.api.contacts import (
    create_contact,
    delete_contact,
    get_contact_info,
    list_contacts,
    update_contact,
)
from brevo_contacts.api.folders import create_folder, list_folders
from brevo_contacts.api.import_ import import_contacts
from brevo_contacts.api.process import get_process
from brevo_contacts.models import (
    AddContactsToList,
    AttributeCategory,
    CreateContact,
    CreateContactAttribute,
    CreateContactList,
    CreateFolder,
    ImportContacts,
    ListContactsSort,
    RemoveContactsFromList,
    UpdateContact,
)

from ._responses import error_from_response
from .errors import APIConnectionError, APITimeoutError

#: The last raw response seen in this thread / task: used when the generated client can't
#: parse a body (an attribute type it does not know, an error body without ``code``), so
#: the status and body still reach the caller instead of a KeyError.
_last_response: contextvars.ContextVar[httpx.Response | None] = contextvars.ContextVar(
    "tajo_brevo_last_response", default=None
)


def _remember_response(response: httpx.Response) -> None:
    _last_response.set(response)


async def _aremember_response(response: httpx.Response) -> None:
    _last_response.set(response)


#: Event hooks the clients install on their httpx clients.
SYNC_HOOKS: dict[str, list[Callable[..., Any]]] = {"response": [_remember_response]}
ASYNC_HOOKS: dict[str, list[Callable[..., Any]]] = {"response": [_aremember_response]}


@dataclass(frozen=True)
class _Call:
    """One Brevo operation to run: method and path (for errors), sync and async runners."""

    operation: str
    method: str
    path: str
    run_sync: Callable[[AuthenticatedClient], Any]
    run_async: Callable[[AuthenticatedClient], Awaitable[Any]]


@dataclass(frozen=True)
class _Result:
    """A successful answer: status and decoded JSON body (None when empty)."""

    status_code: int
    body: Any


def _call(operation: str, method: str, path: str, module: Any, **kwargs: Any) -> _Call:
    return _Call(
        operation=operation,
        method=method,
        path=path,
        run_sync=partial(_sync_runner, module.sync_detailed, kwargs),
        run_async=partial(_async_runner, module.asyncio_detailed, kwargs),
    )


def _sync_runner(
    fn: Callable[..., Any], kwargs: dict[str, Any], client: AuthenticatedClient
) -> Any:
    return fn(client=client, **kwargs)


async def _async_runner(
    fn: Callable[..., Awaitable[Any]], kwargs: dict[str, Any], client: AuthenticatedClient
) -> Any:
    return await fn(client=client, **kwargs)


# ---------------------------------------------------------------------------------------
# Builders: one per operation the wrapper uses.
# ---------------------------------------------------------------------------------------


def list_contacts_call(
    *, limit: int, offset: int, modified_since: dt.datetime | None = None
) -> _Call:
    extra: dict[str, Any] = {}
    if modified_since is not None:
        extra["modified_since"] = modified_since
    return _call(
        "listContacts",
        "GET",
        "/contacts",
        list_contacts,
        limit=limit,
        offset=offset,
        sort=ListContactsSort.ASC,  # oldest first: pages stay stable while contacts are added
        **extra,
    )


def create_contact_call(body: Mapping[str, Any]) -> _Call:
    return _call(
        "createContact", "POST", "/contacts", create_contact, body=CreateContact.from_dict(body)
    )


def get_contact_call(identifier: str | int) -> _Call:
    return _call(
        "getContactInfo",
        "GET",
        f"/contacts/{identifier}",
        get_contact_info,
        identifier=str(identifier),
    )


def update_contact_call(identifier: str | int, body: Mapping[str, Any]) -> _Call:
    return _call(
        "updateContact",
        "PUT",
        f"/contacts/{identifier}",
        update_contact,
        identifier=str(identifier),
        body=UpdateContact.from_dict(body),
    )


def delete_contact_call(identifier: str | int) -> _Call:
    return _call(
        "deleteContact",
        "DELETE",
        f"/contacts/{identifier}",
        delete_contact,
        identifier=str(identifier),
    )


def list_lists_call(*, limit: int, offset: int) -> _Call:
    return _call(
        "listContactLists",
        "GET",
        "/contacts/lists",
        list_contact_lists,
        limit=limit,
        offset=offset,
    )


def get_list_call(list_id: int) -> _Call:
    return _call(
        "getContactList", "GET", f"/contacts/lists/{list_id}", get_contact_list, list_id=list_id
    )


def create_list_call(name: str, folder_id: int) -> _Call:
    return _call(
        "createContactList",
        "POST",
        "/contacts/lists",
        create_contact_list,
        body=CreateContactList(name=name, folder_id=folder_id),
    )


def _members_body(emails: Sequence[str], ids: Sequence[int]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if emails:
        body["emails"] = list(emails)
    if ids:
        body["ids"] = list(ids)
    return body


def add_to_list_call(list_id: int, *, emails: Sequence[str] = (), ids: Sequence[int] = ()) -> _Call:
    return _call(
        "addContactsToList",
        "POST",
        f"/contacts/lists/{list_id}/contacts/add",
        add_contacts_to_list,
        list_id=list_id,
        body=AddContactsToList.from_dict(_members_body(emails, ids)),
    )


def remove_from_list_call(
    list_id: int, *, emails: Sequence[str] = (), ids: Sequence[int] = ()
) -> _Call:
    return _call(
        "removeContactsFromList",
        "POST",
        f"/contacts/lists/{list_id}/contacts/remove",
        remove_contacts_from_list,
        list_id=list_id,
        body=RemoveContactsFromList.from_dict(_members_body(emails, ids)),
    )


def list_attributes_call() -> _Call:
    return _call("listContactAttributes", "GET", "/contacts/attributes", list_contact_attributes)


def create_attribute_call(name: str, type_: str, category: str = "normal") -> _Call:
    return _call(
        "createContactAttribute",
        "POST",
        f"/contacts/attributes/{category}/{name}",
        create_contact_attribute,
        attribute_category=AttributeCategory(category),
        attribute_name=name,
        body=CreateContactAttribute.from_dict({"type": type_}),
    )


def list_folders_call(*, limit: int, offset: int) -> _Call:
    return _call(
        "listFolders", "GET", "/contacts/folders", list_folders, limit=limit, offset=offset
    )


def create_folder_call(name: str) -> _Call:
    return _call(
        "createFolder", "POST", "/contacts/folders", create_folder, body=CreateFolder(name=name)
    )


def import_call(
    *,
    file_body: str,
    list_ids: Iterable[int],
    empty_contacts_attributes: bool = False,
    wait: bool = True,
    sleep: Callable[[float], None] = time.sleep,
    async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> _Call:
    # Brevo applies an import asynchronously (202 {processId}, then GET /processes/{id}
    # says queued -> in_process -> completed). Until the sync engine confirms imports
    # through their processes, this call waits (bounded) for the process to finish, so
    # what a caller reads right after an import includes it. ``sleep`` is injectable;
    # ``wait=False`` sends the import only.
    body = ImportContacts.from_dict(
        {
            "fileBody": file_body,
            "listIds": list(list_ids),
            "updateExistingContacts": True,
            # False: an empty cell keeps the stored value; True: it clears it (the sync
            # decides per chunk, see tajo_brevo.sync._csv).
            "emptyContactsAttributes": empty_contacts_attributes,
        }
    )

    def run_sync(client: AuthenticatedClient) -> Any:
        response = import_contacts.sync_detailed(client=client, body=body)
        process_id = _process_id(response) if wait else None
        if process_id is None:
            return response
        for delay in _IMPORT_POLL_DELAYS:
            polled = get_process.sync_detailed(process_id, client=client)
            if _process_finished(polled):
                break
            sleep(delay)
        return response

    async def run_async(client: AuthenticatedClient) -> Any:
        response = await import_contacts.asyncio_detailed(client=client, body=body)
        process_id = _process_id(response) if wait else None
        if process_id is None:
            return response
        for delay in _IMPORT_POLL_DELAYS:
            polled = await get_process.asyncio_detailed(process_id, client=client)
            if _process_finished(polled):
                break
            await async_sleep(delay)
        return response

    return _Call("importContacts", "POST", "/contacts/import", run_sync, run_async)


def get_process_call(process_id: int) -> _Call:
    return _call(
        "getProcess", "GET", f"/processes/{process_id}", get_process, process_id=process_id
    )


#: Waits between polls of an import's process: 0.05 s doubling to 2 s, about 10 minutes.
_IMPORT_POLL_DELAYS = tuple(min(0.05 * 2**n, 2.0) for n in range(306))


def _process_id(response: Any) -> int | None:
    if int(response.status_code) != 202:
        return None
    try:
        value = json.loads(response.content).get("processId")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _process_finished(response: Any) -> bool:
    """The process ended (or can't be read: nothing to wait for)."""
    if int(response.status_code) != 200:
        return True
    try:
        status = json.loads(response.content).get("status")
    except (ValueError, AttributeError):
        return True
    return status not in ("queued", "in_process", "processing")


# ---------------------------------------------------------------------------------------
# Executors: the only code that runs generated functions.
# ---------------------------------------------------------------------------------------


def _interpret(
    call: _Call,
    status_code: int,
    content: bytes,
    headers: Mapping[str, str],
    secrets: Sequence[str],
) -> _Result:
    if 200 <= status_code < 300:
        body: Any = None
        if content.strip():
            try:
                body = json.loads(content)
            except ValueError:
                body = None
        return _Result(status_code=status_code, body=body)
    raise error_from_response(
        status_code=status_code,
        content=content,
        headers=headers,
        method=call.method,
        path=call.path,
        secrets=secrets,
    )


def _connection_error(
    call: _Call, exc: httpx.TransportError, secrets: Sequence[str]
) -> APIConnectionError:
    kind = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
    # The httpx message names the failure (refused, reset, timed out); blank any secret.
    detail = str(exc)
    for secret in secrets:
        if secret:
            detail = detail.replace(secret, "***")
    message = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return kind(message, method=call.method, path=call.path)


def _raw_after_parse_failure() -> httpx.Response | None:
    return _last_response.get()


def execute_sync(call: _Call, client: AuthenticatedClient, secrets: Sequence[str]) -> _Result:
    """Run ``call`` with the sync generated function.

    Returns:
        The status and decoded body of a 2xx answer.

    Raises:
        APIError: the mapped error of a non-2xx answer.
        APIConnectionError: no answer (APITimeoutError when it timed out).
    """
    token = _last_response.set(None)
    try:
        try:
            response = call.run_sync(client)
        except httpx.TransportError as exc:
            raise _connection_error(call, exc, secrets) from None
        except (KeyError, ValueError, TypeError, AttributeError):
            raw = _raw_after_parse_failure()
            if raw is None:
                raise
            return _interpret(call, raw.status_code, raw.content, raw.headers, secrets)
        return _interpret(
            call, int(response.status_code), response.content, response.headers, secrets
        )
    finally:
        _last_response.reset(token)


async def execute_async(
    call: _Call, client: AuthenticatedClient, secrets: Sequence[str]
) -> _Result:
    """Run ``call`` with the async generated function (see :func:`execute_sync`)."""
    token = _last_response.set(None)
    try:
        try:
            response = await call.run_async(client)
        except httpx.TransportError as exc:
            raise _connection_error(call, exc, secrets) from None
        except (KeyError, ValueError, TypeError, AttributeError):
            raw = _raw_after_parse_failure()
            if raw is None:
                raise
            return _interpret(call, raw.status_code, raw.content, raw.headers, secrets)
        return _interpret(
            call, int(response.status_code), response.content, response.headers, secrets
        )
    finally:
        _last_response.reset(token)


def make_generated_client(
    *,
    base_url: str,
    api_key: str,
    timeout: float,
    sync_client: httpx.Client | None,
    async_client: httpx.AsyncClient | None,
) -> AuthenticatedClient:
    """The generated client, bound to the wrapper's paced httpx client."""
    generated = AuthenticatedClient(
        base_url=base_url,
        token=api_key,
        prefix="",
        auth_header_name="api-key",
        timeout=httpx.Timeout(timeout),
    )
    if sync_client is not None:
        generated.set_httpx_client(sync_client)
    if async_client is not None:
        generated.set_async_httpx_client(async_client)
    return generated
