"""What a test asserts on a :class:`BrevoMock`, in the API's own terms, and its switches.

A mixin of :class:`~tajo_brevo.mock.BrevoMock`: the contacts of a list, a contact's
attributes and lists, the calls the code under test made (method, path, body), and
switching the rate limit or the faults on and off while the mock runs. Everything here
reads the account through the state's API-shaped methods (the JSON the endpoints answer)
and the recorded exchanges, never through the state's internals, and returns copies: a
test can't change the mock by accident through what it inspects.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from ._limits import RATE_LIMIT_TIERS, Fault, FaultInjector, RateLimiter
from ._state import MockAPIError

if TYPE_CHECKING:
    from ._app import AccountParts, RecordedExchange
    from ._state import MockState

#: The API prefix of every recorded path; ``ApiCall.path`` is relative to it, like the
#: paths in the spec and in ``TajoBrevo`` errors.
_API_PREFIX = "/v3"
#: Page size for reading the whole account through the state's list methods.
_PAGE = 1000


@dataclass(frozen=True)
class MockContact:
    """One contact of the mock, as a test sees it (a snapshot).

    Attributes:
        id: the contact id.
        email: the email (lower case, as Brevo stores it), or None for an SMS-only contact.
        attributes: attribute values by name (``LOYALTY_POINTS``, ``FIRSTNAME``, ...).
        list_ids: ids of the lists the contact is in.
        lists: names of those lists (``"Shop - Gold"``).
        email_blacklisted: the contact gets no email.
        sms_blacklisted: the contact gets no SMS.
    """

    id: int
    email: str | None
    attributes: Mapping[str, Any]
    list_ids: frozenset[int]
    lists: frozenset[str]
    email_blacklisted: bool
    sms_blacklisted: bool


@dataclass(frozen=True)
class ApiCall:
    """One request the mock received, in the spec's terms.

    ``str(call)`` is ``"POST /contacts"``, so a sequence of calls reads as a list of lines.

    Attributes:
        method: upper-case HTTP method.
        path: path relative to ``/v3``, percent-decoded (``/contacts/ada@example.com``).
        query: query parameters (the last value when one is repeated).
        body: the request body decoded as JSON; its text when it is not JSON; None if empty.
        status: the status the mock answered, or None when it dropped the connection.
        operation_id: the spec operation (``createContact``), or None when none matched.
        response: the response body decoded as JSON (None when empty or not JSON).
    """

    method: str
    path: str
    query: Mapping[str, str]
    body: Any
    status: int | None
    operation_id: str | None
    response: Any

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def resolve_rate_limit(rate_limit: int | str | None) -> int | None:
    """A rate limit as requests per second: a number, a tier name, or None (no limit).

    Raises:
        ValueError: an unknown tier name or a limit below 1.
    """
    if isinstance(rate_limit, str):
        if rate_limit not in RATE_LIMIT_TIERS:
            tiers = ", ".join(RATE_LIMIT_TIERS)
            raise ValueError(f"rate_limit {rate_limit!r}: give a number or one of {tiers}")
        return RATE_LIMIT_TIERS[rate_limit]
    if rate_limit is not None and (isinstance(rate_limit, bool) or rate_limit < 1):
        raise ValueError(f"rate_limit must be at least 1 request per second, not {rate_limit!r}")
    return rate_limit


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8", "replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def _to_call(exchange: RecordedExchange) -> ApiCall:
    path = exchange.path.split("?", 1)[0]
    if path.startswith(_API_PREFIX + "/"):
        path = path[len(_API_PREFIX) :]
    response = _decode(exchange.response_body)
    return ApiCall(
        method=exchange.method,
        path=unquote(path),
        query=dict(exchange.query),
        body=_decode(exchange.body),
        status=exchange.status,
        operation_id=exchange.operation_id,
        response=None if isinstance(response, str) else response,
    )


class MockInspection:
    """Test-facing reads and switches of :class:`~tajo_brevo.mock.BrevoMock` (a mixin)."""

    # Provided by BrevoMock.
    state: MockState
    operation_ids: tuple[str, ...]
    _limiter: RateLimiter
    _faults: FaultInjector

    @property
    def requests(self) -> list[RecordedExchange]:  # pragma: no cover - BrevoMock's
        raise NotImplementedError

    # ------------------------------------------------------------------ contacts

    def _list_names(self) -> dict[int, str]:
        names: dict[int, str] = {}
        offset = 0
        while True:
            page = self.state.list_lists(limit=_PAGE, offset=offset, sort="asc")
            names.update((item["id"], item["name"]) for item in page["lists"])
            offset += _PAGE
            if offset >= page["count"]:
                return names

    def _snapshot(self, raw: Mapping[str, Any], names: Mapping[int, str]) -> MockContact:
        ids = frozenset(int(i) for i in raw.get("listIds", ()))
        return MockContact(
            id=int(raw["id"]),
            email=raw.get("email"),
            attributes=dict(raw.get("attributes", {})),
            list_ids=ids,
            lists=frozenset(names.get(i, f"#{i}") for i in ids),
            email_blacklisted=bool(raw.get("emailBlacklisted")),
            sms_blacklisted=bool(raw.get("smsBlacklisted")),
        )

    def _all_contacts_json(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        offset = 0
        while True:
            page = self.state.list_contacts(
                limit=_PAGE, offset=offset, sort="asc", modified_since=None
            )
            rows.extend(page["contacts"])
            offset += _PAGE
            if offset >= page["count"]:
                return rows

    def contacts(self) -> list[MockContact]:
        """Every contact of the account, oldest first."""
        names = self._list_names()
        return [self._snapshot(raw, names) for raw in self._all_contacts_json()]

    def has_contact(self, identifier: str | int) -> bool:
        """Whether a contact with this email (any case), id or SMS number exists."""
        try:
            self.state.get_contact(str(identifier))
        except MockAPIError:
            return False
        return True

    def contact(self, identifier: str | int) -> MockContact:
        """The contact with this email (any case), id or SMS number.

        Raises:
            LookupError: no such contact; the message names the emails the mock has.
        """
        try:
            raw = self.state.get_contact(str(identifier))
        except MockAPIError:
            emails = [r.get("email") or f"#{r['id']}" for r in self._all_contacts_json()]
            shown = ", ".join(map(str, emails[:10])) + (" ..." if len(emails) > 10 else "")
            raise LookupError(
                f"the mock has no contact {identifier!r}; it has {len(emails)}: {shown or '-'}"
            ) from None
        return self._snapshot(raw, self._list_names())

    def contact_attributes(self, identifier: str | int) -> dict[str, Any]:
        """A contact's attribute values by name (a copy).

        Raises:
            LookupError: no such contact.
        """
        return dict(self.contact(identifier).attributes)

    # ------------------------------------------------------------------ lists

    def list_names(self) -> set[str]:
        """The names of every list of the account."""
        return set(self._list_names().values())

    def list_id(self, name: str) -> int:
        """The id of the list with this exact name.

        Raises:
            LookupError: no list has that name, or more than one has.
        """
        ids = [i for i, n in self._list_names().items() if n == name]
        if len(ids) != 1:
            known = ", ".join(sorted(self.list_names())) or "-"
            many = "several lists are" if ids else "no list is"
            raise LookupError(f"{many} named {name!r}; the mock's lists: {known}")
        return ids[0]

    def emails_in_list(self, list_: str | int) -> set[str]:
        """The emails of the contacts in a list, given by name or id.

        Raises:
            LookupError: no list has that name (or id).
        """
        names = self._list_names()
        if isinstance(list_, str):
            list_id = self.list_id(list_)
        elif list_ in names:
            list_id = list_
        else:
            raise LookupError(f"the mock has no list with id {list_!r}")
        return {
            str(raw["email"])
            for raw in self._all_contacts_json()
            if list_id in raw.get("listIds", ()) and raw.get("email")
        }

    # ------------------------------------------------------------------ calls

    def calls(
        self,
        method: str | None = None,
        path: str | None = None,
        *,
        operation: str | None = None,
    ) -> list[ApiCall]:
        """The requests the mock received, oldest first, optionally filtered.

        Args:
            method: only this HTTP method (any case).
            path: only this path relative to ``/v3``, either as sent
                (``/contacts/ada@example.com``) or as in the spec (``/contacts/{identifier}``).
            operation: only this operationId (``createContact``).

        Returns:
            One :class:`ApiCall` per request (see ``clear_requests()`` to start afresh).
        """
        wanted_method = method.upper() if method else None
        out = []
        for exchange in self.requests:
            if wanted_method and exchange.method != wanted_method:
                continue
            if operation and exchange.operation_id != operation:
                continue
            call = _to_call(exchange)
            if path and path not in (call.path, exchange.path_pattern):
                continue
            out.append(call)
        return out

    # ------------------------------------------------------------------ switches

    @property
    def rate_limit(self) -> int | None:
        """Requests per second the mock allows, or None when it does not limit."""
        return self._limiter.per_second

    def set_rate_limit(self, rate_limit: int | str | None) -> None:
        """Switch the rate limit (a number, a tier name or None for none), from now on.

        The per-second window starts afresh.

        Raises:
            ValueError: a bad rate limit.
        """
        # In place: the app was built with this limiter and keeps reading it.
        self._limiter.reconfigure(resolve_rate_limit(rate_limit))

    @property
    def faults(self) -> tuple[Fault, ...]:
        """The fault rules in force."""
        return self._faults.faults

    def set_faults(self, faults: Iterable[Fault | str], *, seed: int = 0) -> None:
        """Replace the fault rules from now on (an empty list switches faults off).

        Args:
            faults: :class:`Fault` rules or their text (``"createContact:status=503@0.5"``).
            seed: seed of the fault draws.

        Raises:
            ValueError: a bad rule or an unknown operation.
        """
        rules: Sequence[Fault] = [f if isinstance(f, Fault) else Fault.parse(f) for f in faults]
        self._faults.reconfigure(rules, seed, self.operation_ids)


class MockAccount(MockInspection):
    """One account of a :class:`~tajo_brevo.mock.BrevoMock`, as a test sees it.

    Got from ``mock.account(key)`` (or ``mock.accounts``): the same reads as the mock's
    own (``contacts()``, ``contact()``, ``emails_in_list()``, ``calls()`` of the requests
    made with this account's keys) and its own switch ``set_rate_limit()`` (this
    account's budget only). ``state`` is the account's :class:`MockState`, to seed it
    directly (``account.state.create_list(...)``). Fault rules are the mock's, shared by
    its accounts (``set_faults()`` here sets them for every account).

    Attributes:
        index: the account's position in the mock (0: the mock's first account).
        state: the account's state.
    """

    def __init__(self, parts: AccountParts, mock: MockInspection) -> None:
        self.index = parts.index
        self.state = parts.state
        self._limiter = parts.limiter
        # The mock's own: its fault rules, its operations and the exchanges it recorded.
        self._faults = mock._faults
        self.operation_ids = mock.operation_ids
        self._mock = mock

    def __repr__(self) -> str:
        return (
            f"MockAccount(index={self.index}, contacts={len(self.state.contacts)}, "
            f"lists={len(self.state.lists)}, rate_limit={self._limiter.per_second})"
        )

    @property
    def requests(self) -> list[RecordedExchange]:
        """The exchanges made with this account's keys, oldest first (a copy)."""
        return [ex for ex in self._mock.requests if ex.account == self.index]


__all__ = ["ApiCall", "MockAccount", "MockContact", "MockInspection", "resolve_rate_limit"]
