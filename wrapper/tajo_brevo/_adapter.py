"""The boundary to the generated client: its request builders in, one parse out.

The ONLY module of the wrapper that calls the generated ``brevo_contacts.api`` modules,
and it uses exactly one part of them: each operation's request builder
(``_get_kwargs``: method, URL, query, JSON body from the typed request models; see
:func:`generated_builder` for why the private one, and the check that guards it). The
request is built here (:class:`RequestBuilder`: what the wrapper client's one ``httpx`` client
would build, with the per-client parts prepared once) and sent through that client's
paced transport (paced, retried, authenticated), and the answer is decoded once, here:
a 2xx body with ``json.loads`` into a :class:`Result`, an error status into the mapped
:class:`~tajo_brevo.errors.APIError`, with the redacted request and response as its
evidence. The generated response models are not used: they decoded every body a second
time and fail on values the spec does not list. The converters from Brevo's JSON to the
wrapper's result types live here too, next to the one place that JSON is read.

A regeneration of the client touches this file and nothing else. Everything here is
sans-IO except the two executors.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.parse
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

import httpx
from brevo_contacts import AuthenticatedClient
from brevo_contacts.api.contact_attributes import create_contact_attribute, list_contact_attributes
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
    request_contact_export,
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
    RequestContactExport,
    UpdateContact,
)

from ._responses import error_from_response, redact, redacted_request
from .errors import APIConnectionError, APITimeoutError
from .results import AttributeInfo, Contact, ContactListInfo, FolderInfo

_httpx_log = logging.getLogger("httpx")


@dataclass(frozen=True)
class Call:
    """One Brevo operation to send.

    Attributes:
        operation: the spec's operationId.
        method: HTTP method (for errors and logs).
        path: the path with its parameters as given (for errors and logs).
        request: ``httpx.Client.request`` arguments from the generated request builder.
    """

    operation: str
    method: str
    request: Mapping[str, Any]

    @property
    def path(self) -> str:
        # Read from the generated request only when shown (an error): it costs a decode.
        url: str = self.request["url"]
        return urllib.parse.unquote(url)


@dataclass(frozen=True)
class Result:
    """A successful answer: status, decoded JSON body (None when empty), and the answer's
    ``Date`` header (Brevo's clock, which the sync's drift checks measure time on)."""

    status_code: int
    body: Any
    date: str | None = None


#: The header Brevo reads the API key from.
API_KEY_HEADER = "api-key"


class ApiKeyAuth(httpx.Auth):
    """Sets the ``api-key`` header on a request: the one place the key goes on the wire.

    Used as the wrapper's ``httpx`` client auth (requests sent through
    ``client.generated``), by :class:`RequestBuilder` (the wrapper's own calls) and by
    the generated client's fallback ``httpx`` clients (:func:`make_generated_client`), so
    the key is never stored in a header collection whose repr would show it.
    """

    def __init__(self, key: str) -> None:
        self._key = key

    def apply(self, request: httpx.Request) -> None:
        request.headers[API_KEY_HEADER] = str(self._key)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.apply(request)
        yield request

    def __repr__(self) -> str:
        return "ApiKeyAuth('***')"


#: What the generated request builders are called (see :func:`generated_builder`).
GENERATED_BUILDER = "_get_kwargs"


def generated_builder(module: Any) -> Callable[..., dict[str, Any]]:
    """The request builder of a generated operation module: ``module._get_kwargs``.

    openapi-python-client gives each operation module public functions that build *and
    send* the request (``sync_detailed``...) and decode it with the generated models;
    only ``_get_kwargs`` builds the ``httpx`` request arguments without sending them.
    The wrapper sends through its own paced transport and decodes once, so it needs the
    builder alone: it is read here only, and ``tests/client/test_boundary.py`` checks that every
    module the adapter uses still has it (an openapi-python-client upgrade that renames it
    fails there, naming the module).
    """
    builder: Callable[..., dict[str, Any]] = getattr(module, GENERATED_BUILDER)
    return builder


def _call(operation: str, module: Any, **kwargs: Any) -> Call:
    request = generated_builder(module)(**kwargs)
    if not request.get("params", True):
        # An empty query would make httpx parse and rebuild the URL once more per request.
        del request["params"]
    # Method and path come from the generated builder, i.e. from the spec.
    return Call(operation=operation, method=request["method"].upper(), request=request)


# ---------------------------------------------------------------------------------------
# Builders: one per operation the wrapper uses.
# ---------------------------------------------------------------------------------------


def list_contacts_call(
    *,
    limit: int,
    offset: int,
    modified_since: dt.datetime | None = None,
    list_ids: Sequence[int] = (),
) -> Call:
    extra: dict[str, Any] = {}
    if modified_since is not None:
        extra["modified_since"] = modified_since
    if list_ids:
        extra["list_ids"] = list(list_ids)
    return _call(
        "listContacts",
        list_contacts,
        limit=limit,
        offset=offset,
        sort=ListContactsSort.ASC,  # oldest first: pages stay stable while contacts are added
        **extra,
    )


def create_contact_call(body: Mapping[str, Any]) -> Call:
    return _call("createContact", create_contact, body=CreateContact.from_dict(body))


def get_contact_call(identifier: str | int) -> Call:
    return _call("getContactInfo", get_contact_info, identifier=str(identifier))


def update_contact_call(identifier: str | int, body: Mapping[str, Any]) -> Call:
    return _call(
        "updateContact",
        update_contact,
        identifier=str(identifier),
        body=UpdateContact.from_dict(body),
    )


def delete_contact_call(identifier: str | int) -> Call:
    return _call("deleteContact", delete_contact, identifier=str(identifier))


def list_lists_call(*, limit: int, offset: int) -> Call:
    return _call("listContactLists", list_contact_lists, limit=limit, offset=offset)


def get_list_call(list_id: int) -> Call:
    return _call("getContactList", get_contact_list, list_id=list_id)


def create_list_call(name: str, folder_id: int) -> Call:
    return _call(
        "createContactList",
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


def add_to_list_call(list_id: int, *, emails: Sequence[str] = (), ids: Sequence[int] = ()) -> Call:
    return _call(
        "addContactsToList",
        add_contacts_to_list,
        list_id=list_id,
        body=AddContactsToList.from_dict(_members_body(emails, ids)),
    )


def remove_from_list_call(
    list_id: int, *, emails: Sequence[str] = (), ids: Sequence[int] = ()
) -> Call:
    return _call(
        "removeContactsFromList",
        remove_contacts_from_list,
        list_id=list_id,
        body=RemoveContactsFromList.from_dict(_members_body(emails, ids)),
    )


def list_attributes_call() -> Call:
    return _call("listContactAttributes", list_contact_attributes)


def create_attribute_call(name: str, type_: str, category: str = "normal") -> Call:
    return _call(
        "createContactAttribute",
        create_contact_attribute,
        attribute_category=AttributeCategory(category),
        attribute_name=name,
        body=CreateContactAttribute.from_dict({"type": type_}),
    )


def list_folders_call(*, limit: int, offset: int) -> Call:
    return _call("listFolders", list_folders, limit=limit, offset=offset)


def create_folder_call(name: str) -> Call:
    return _call("createFolder", create_folder, body=CreateFolder(name=name))


def import_call(
    *, file_body: str, list_ids: Iterable[int], empty_contacts_attributes: bool = False
) -> Call:
    # Queued only (202 {processId}): the sync engine confirms it through get_process_call.
    return _call(
        "importContacts",
        import_contacts,
        body=ImportContacts.from_dict(
            {
                "fileBody": file_body,
                "listIds": list(list_ids),
                "updateExistingContacts": True,
                # False: an empty cell keeps the stored value; True: it clears it (the
                # sync decides per chunk, see tajo_brevo.sync._csv).
                "emptyContactsAttributes": empty_contacts_attributes,
            }
        ),
    )


def request_contact_export_call(body: Mapping[str, Any]) -> Call:
    # 202 {processId}, or 200 {} when no contact matches (tajo_brevo._plans.export).
    return _call(
        "requestContactExport", request_contact_export, body=RequestContactExport.from_dict(body)
    )


def get_process_call(process_id: int) -> Call:
    return _call("getProcess", get_process, process_id=process_id)


# ---------------------------------------------------------------------------------------
# Converters: Brevo's decoded JSON -> the wrapper's result types.
# ---------------------------------------------------------------------------------------


def as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def to_contact(item: Mapping[str, Any]) -> Contact:
    modified: dt.datetime | None = None
    raw_modified = item.get("modifiedAt")
    if isinstance(raw_modified, str):
        try:
            modified = dt.datetime.fromisoformat(raw_modified.replace("Z", "+00:00"))
        except ValueError:
            modified = None
    return Contact(
        id=as_int(item.get("id")) or 0,
        email=item.get("email") if isinstance(item.get("email"), str) else None,
        attributes=dict(item.get("attributes") or {}),
        list_ids=tuple(i for i in item.get("listIds") or [] if isinstance(i, int)),
        email_blacklisted=bool(item.get("emailBlacklisted", False)),
        modified_at=modified,
        sms_blacklisted=bool(item.get("smsBlacklisted", False)),
        whatsapp_blacklisted=bool(item.get("whatsappBlacklisted", False)),
        raw=dict(item),
    )


@dataclass(frozen=True)
class MembershipAnswer:
    """What one add/remove answer says, in whichever form Brevo gave it.

    brevo-python 5.1.0 ``PostContactInfoContacts``: ``success`` and ``failure`` are each
    optional, a list of emails or of ids as sent; ``processId`` and ``total`` come when the
    change runs as a process. A published example of the endpoint shows the two lists
    without the ``contacts`` wrapper: read as well.

    Attributes:
        success: the items Brevo lists as done, as given.
        failure: the items Brevo lists as not done, as given.
        process_id: the process that carries the change out, when Brevo answered with one.
        total: the number of contacts the process handles, when given.
    """

    success: tuple[Any, ...] = ()
    failure: tuple[Any, ...] = ()
    process_id: int | None = None
    total: int | None = None


def to_membership_answer(body: Any) -> MembershipAnswer:
    """Read an add/remove answer (``{"contacts": {...}}`` or the unwrapped lists)."""
    if not isinstance(body, Mapping):
        return MembershipAnswer()
    contacts = body.get("contacts")
    source: Mapping[str, Any] = contacts if isinstance(contacts, Mapping) else body

    def items(key: str) -> tuple[Any, ...]:
        value = source.get(key)
        return tuple(value) if isinstance(value, list) else ()

    return MembershipAnswer(
        success=items("success"),
        failure=items("failure"),
        process_id=as_int(source.get("processId")),
        total=as_int(source.get("total")),
    )


class _SubscriberCounts(TypedDict):
    total_subscribers: int | None
    total_blacklisted: int | None
    unique_subscribers: int | None


def _subscriber_counts(item: Mapping[str, Any]) -> _SubscriberCounts:
    """The three counts Brevo gives alike for a list and a folder."""
    return {
        "total_subscribers": as_int(item.get("totalSubscribers")),
        "total_blacklisted": as_int(item.get("totalBlacklisted")),
        "unique_subscribers": as_int(item.get("uniqueSubscribers")),
    }


def to_list_info(item: Mapping[str, Any]) -> ContactListInfo:
    return ContactListInfo(
        id=as_int(item.get("id")) or 0,
        name=str(item.get("name", "")),
        folder_id=as_int(item.get("folderId")),
        raw=dict(item),
        **_subscriber_counts(item),
    )


def to_folder_info(item: Mapping[str, Any]) -> FolderInfo:
    return FolderInfo(
        id=as_int(item.get("id")) or 0,
        name=str(item.get("name", "")),
        raw=dict(item),
        **_subscriber_counts(item),
    )


def to_attribute_info(item: Mapping[str, Any]) -> AttributeInfo:
    raw_type = item.get("type")
    options = item.get("multiCategoryOptions")
    formula = item.get("calculatedValue")
    return AttributeInfo(
        name=str(item.get("name", "")),
        category=str(item.get("category", "")),
        type=raw_type if isinstance(raw_type, str) else None,
        enumeration=tuple(e for e in item.get("enumeration") or [] if isinstance(e, dict)),
        multi_category_options=tuple(
            o for o in (options if isinstance(options, list) else []) if isinstance(o, str)
        ),
        calculated_value=formula if isinstance(formula, str) else None,
        raw=dict(item),
    )


# ---------------------------------------------------------------------------------------
# Executors: the only code that sends the wrapper's requests.
# ---------------------------------------------------------------------------------------


class RequestBuilder:
    """Builds each call's ``httpx.Request`` with the least per-call work; one per wrapper client.

    The request is the one the wrapper's ``httpx`` client would build (its base URL, its
    default headers: accept, user-agent, httpx's accept-encoding; the api-key header; its
    timeout), but what is fixed per client is prepared once here: no second URL parse to
    merge each path with the base URL, no cookie jar (Brevo sets no cookies), no auth flow
    or event hooks (the client has neither, beyond the key). The request then goes straight
    to the client's paced transport: pacing, retries and the body read happen there as
    before; only ``httpx.Client.send``'s bookkeeping is skipped.
    """

    def __init__(self, http: httpx.Client | httpx.AsyncClient, auth: ApiKeyAuth) -> None:
        self._http = http
        # base_url as httpx normalised it; the generated paths start with "/".
        self._base = str(http.base_url).rstrip("/")
        self._headers = httpx.Headers(http.headers)
        # Applied to each request, last, as the client's auth flow does.
        self._auth = auth
        self._extensions = {"timeout": http.timeout.as_dict()}

    def build(self, call: Call) -> httpx.Request:
        if self._http.is_closed:
            # What httpx.Client.send says: a closed client sends nothing.
            raise RuntimeError("Cannot send a request, as the client has been closed.")
        spec = call.request
        headers = self._headers
        extra = spec.get("headers")
        if extra:
            headers = headers.copy()
            headers.update(extra)  # the request's own headers win, as in httpx.Client
        request = httpx.Request(
            spec["method"].upper(),
            self._base + spec["url"],
            params=spec.get("params"),
            json=spec.get("json"),
            headers=headers,
            extensions=self._extensions,
        )
        self._auth.apply(request)
        return request


def _interpret(call: Call, response: httpx.Response, secrets: Sequence[str]) -> Result:
    status_code = response.status_code
    if 200 <= status_code < 300:
        body: Any = None
        content = response.content
        if content and not content.isspace():
            try:
                body = json.loads(content)
            except ValueError:
                body = None
        return Result(status_code=status_code, body=body, date=response.headers.get("date"))
    raise error_from_response(
        status_code=status_code,
        content=response.content,
        headers=response.headers,
        method=call.method,
        path=call.path,
        secrets=secrets,
        response=response,
    )


def _connection_error(
    call: Call, request: httpx.Request, exc: httpx.TransportError, secrets: Sequence[str]
) -> APIConnectionError:
    kind = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
    # The httpx message names the failure (refused, reset, timed out); blank any secret.
    detail = redact(str(exc), secrets)
    message = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return kind(
        message, method=call.method, path=call.path, request=redacted_request(request, secrets)
    )


def _log_exchange(request: httpx.Request, response: httpx.Response) -> None:
    # The line httpx.Client logs for each request, so that httpx's INFO logging still
    # shows the wrapper's requests.
    if _httpx_log.isEnabledFor(logging.INFO):
        _httpx_log.info(
            'HTTP Request: %s %s "%s %d %s"',
            request.method,
            request.url,
            response.http_version,
            response.status_code,
            response.reason_phrase,
        )


def execute_sync(
    call: Call, requests: RequestBuilder, transport: httpx.BaseTransport, secrets: Sequence[str]
) -> Result:
    """Send ``call`` through the wrapper's paced transport and decode the answer once.

    Returns:
        The status and decoded body of a 2xx answer.

    Raises:
        APIError: the mapped error of a non-2xx answer.
        APIConnectionError: no answer (APITimeoutError when it timed out).
    """
    request = requests.build(call)
    try:
        response = transport.handle_request(request)  # read by the paced transport
    except httpx.TransportError as exc:
        raise _connection_error(call, request, exc, secrets) from None
    response.request = request
    _log_exchange(request, response)
    return _interpret(call, response, secrets)


async def execute_async(
    call: Call,
    requests: RequestBuilder,
    transport: httpx.AsyncBaseTransport,
    secrets: Sequence[str],
) -> Result:
    """Send ``call`` through the async paced transport (see :func:`execute_sync`)."""
    request = requests.build(call)
    try:
        response = await transport.handle_async_request(request)
    except httpx.TransportError as exc:
        raise _connection_error(call, request, exc, secrets) from None
    response.request = request
    _log_exchange(request, response)
    return _interpret(call, response, secrets)


def make_generated_client(
    *,
    base_url: str,
    api_key: str,
    auth: ApiKeyAuth,
    timeout: float,
    sync_client: httpx.Client | None,
    async_client: httpx.AsyncClient | None,
) -> AuthenticatedClient:
    """The generated client, bound to the wrapper's paced httpx client.

    ``token`` is the key for callers who read it; the header is set by ``auth``, also on
    an ``httpx`` client the generated client builds itself (e.g. the async one of a
    blocking wrapper client), where the token header it derives holds the same value.
    """
    generated = AuthenticatedClient(
        base_url=base_url,
        token=api_key,
        prefix="",
        auth_header_name=API_KEY_HEADER,
        timeout=httpx.Timeout(timeout),
        httpx_args={"auth": auth},
    )
    if sync_client is not None:
        generated.set_httpx_client(sync_client)
    if async_client is not None:
        generated.set_async_httpx_client(async_client)
    return generated
