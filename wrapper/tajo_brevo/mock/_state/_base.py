"""Shared pieces of the mock account: errors, records, indexes and value rules.

The account keeps indexes next to its records so every lookup a request or an import row
makes is O(1): contacts by id, by lower-case email and by SMS digits, and each list's
members as a set of contact ids. Every change of an email, an SMS or a membership goes
through one helper here, so the indexes can't drift from the records.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from ._index import IdMap, IdSet, KeyMap

#: Built-in attributes every Brevo account has: name -> (category, type).
BUILTIN_ATTRIBUTES: dict[str, tuple[str, str]] = {
    "EMAIL": ("normal", "text"),
    "FIRSTNAME": ("normal", "text"),
    "LASTNAME": ("normal", "text"),
    "SMS": ("normal", "text"),
}
#: Identifier attributes: they are the contact's email / phone, never plain values.
IDENTIFIER_ATTRIBUTES = frozenset({"EMAIL", "SMS"})

# A realistic address: what Brevo accepts (and what the spec's `format: email` means for
# the mock, see _validation). Deliberately simple and strict: local@domain.tld, ASCII only
# (Brevo skips a non-ASCII address in an import as invalid).
EMAIL_RE = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
SMS_RE = re.compile(r"^\+?[0-9]{6,19}$")
ATTRIBUTE_NAME_MAX = 50
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

#: Largest id the spec allows (int64).
INT64_MAX = 2**63 - 1
#: add/remove members take at most this many emails or ids per call.
MEMBERSHIP_CAP = 150


class MockAPIError(Exception):
    """A Brevo error answer: HTTP status and the ``{code, message, metadata}`` body."""

    def __init__(
        self, status: int, code: str, message: str, metadata: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.metadata = dict(metadata) if metadata else None

    def body(self) -> dict[str, Any]:
        """The JSON error body Brevo sends."""
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.metadata:
            out["metadata"] = self.metadata
        return out


def invalid(message: str, **metadata: Any) -> MockAPIError:
    return MockAPIError(400, "invalid_parameter", message, metadata or None)


def missing(message: str) -> MockAPIError:
    return MockAPIError(400, "missing_parameter", message)


def not_found(message: str) -> MockAPIError:
    return MockAPIError(404, "document_not_found", message)


def duplicate(message: str, identifier: str, existing_id: int) -> MockAPIError:
    """The 400 for an email or SMS number (``identifier``) another contact already has."""
    metadata = {"duplicate_identifiers": [identifier], "existing_id": existing_id}
    return MockAPIError(400, "duplicate_parameter", message, metadata)


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_timestamp(value: datetime) -> str:
    """Brevo's timestamp format: ISO 8601, UTC, milliseconds, ``Z``."""
    return (
        value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    )


def sms_key(sms: str) -> str:
    """The index key of an SMS number: ``+33...`` and ``33...`` are the same number."""
    return sms.lstrip("+")


@dataclass
class Attribute:
    """A contact attribute defined in the account."""

    name: str
    category: str
    type: str | None = None
    enumeration: list[dict[str, Any]] = field(default_factory=list)
    value: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "category": self.category}
        if self.type is not None:
            out["type"] = self.type
        if self.enumeration:
            out["enumeration"] = [dict(item) for item in self.enumeration]
        return out


@dataclass(slots=True)
class Contact:
    """A contact of the account (slots: a million of them must fit in memory)."""

    id: int
    email: str | None
    created_at: datetime
    modified_at: datetime
    attributes: dict[str, Any] = field(default_factory=dict)
    list_ids: set[int] = field(default_factory=set)
    email_blacklisted: bool = False
    sms_blacklisted: bool = False

    @property
    def sms(self) -> str | None:
        value = self.attributes.get("SMS")
        return value if isinstance(value, str) else None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id}
        if self.email is not None:
            out["email"] = self.email
        out.update(
            emailBlacklisted=self.email_blacklisted,
            smsBlacklisted=self.sms_blacklisted,
            createdAt=format_timestamp(self.created_at),
            modifiedAt=format_timestamp(self.modified_at),
            listIds=sorted(self.list_ids),
            attributes=dict(self.attributes),
        )
        return out


@dataclass
class ContactList:
    """A contact list, in a folder."""

    id: int
    name: str
    folder_id: int
    created_at: datetime


@dataclass
class Folder:
    """A folder of lists."""

    id: int
    name: str


class AccountLock:
    """The account's re-entrant lock, which also counts the threads waiting for it.

    A plain lock is not fair: the import worker releases it after a chunk of rows and
    takes it again for the next chunk before a woken request thread gets the GIL back,
    so a read could wait through several chunks (64 ms seen). The worker calls
    :meth:`yield_to_waiters` between chunks; with nobody waiting that costs nothing.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._count_lock = threading.Lock()
        self.waiting = 0

    def __enter__(self) -> AccountLock:
        if not self._lock.acquire(blocking=False):
            with self._count_lock:
                self.waiting += 1
            try:
                self._lock.acquire()
            finally:
                with self._count_lock:
                    self.waiting -= 1
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()

    def yield_to_waiters(self, longest: float = 0.05) -> None:
        """Let the threads waiting for the lock have it (call it without holding it).

        Bounded: returns after ``longest`` seconds even if some thread still waits.
        """
        if not self.waiting:
            return
        deadline = time.monotonic() + longest
        while self.waiting and time.monotonic() < deadline:
            time.sleep(0.0002)


class StateBase:
    """Records, indexes and the helpers every resource shares.

    Thread-safe: one re-entrant lock guards every public method, so the mock can be
    driven from a server thread (and its import worker) while a test inspects it.
    """

    def __init__(self, *, now: Callable[[], datetime], account_email: str) -> None:
        self._now = now
        self.account_email = account_email.lower()
        self.lock = AccountLock()
        # The indexes that grow with the contacts are sharded (see _index): a plain dict
        # rehashes all of itself at once when it grows (53 ms at 700k contacts).
        self.contacts: IdMap[Contact] = IdMap()
        self.lists: dict[int, ContactList] = {}
        self.folders: dict[int, Folder] = {}
        self.attributes: dict[str, Attribute] = {
            name: Attribute(name=name, category=category, type=type_)
            for name, (category, type_) in BUILTIN_ATTRIBUTES.items()
        }
        self._by_email: KeyMap[Contact] = KeyMap()
        self._by_sms: KeyMap[Contact] = KeyMap()
        self._members: dict[int, IdSet] = {}
        self._next = {"contact": 1, "list": 1, "folder": 1, "import": 1}

    # ------------------------------------------------------------------ ids and time

    def _new_id(self, kind: str) -> int:
        value = self._next[kind]
        self._next[kind] = value + 1
        return value

    def now(self) -> datetime:
        """The account's clock (UTC), the one ``createdAt``/``modifiedAt`` use."""
        return self._now().astimezone(UTC)

    def _now_ms(self) -> datetime:
        now = self._now()
        return now.replace(microsecond=(now.microsecond // 1000) * 1000)

    # ------------------------------------------------------------------ indexes

    def contact_by_email(self, email: str) -> Contact | None:
        """The contact with this email (case-insensitive), or None."""
        return self._by_email.get(email.lower())

    def _contact_by_sms(self, sms: str) -> Contact | None:
        return self._by_sms.get(sms_key(sms))

    def _store(self, contact: Contact) -> None:
        """Add a new contact to the records and every index."""
        self.contacts[contact.id] = contact
        if contact.email is not None:
            self._by_email[contact.email] = contact
        if (sms := contact.sms) is not None:
            self._by_sms[sms_key(sms)] = contact
        for list_id in contact.list_ids:
            self._members[list_id].add(contact.id)

    def _unstore(self, contact: Contact) -> None:
        del self.contacts[contact.id]
        if contact.email is not None:
            self._by_email.pop(contact.email, None)
        if (sms := contact.sms) is not None:
            self._by_sms.pop(sms_key(sms), None)
        for list_id in contact.list_ids:
            self._members[list_id].discard(contact.id)

    def _set_email(self, contact: Contact, email: str) -> None:
        if contact.email is not None:
            self._by_email.pop(contact.email, None)
        contact.email = email
        self._by_email[email] = contact

    def _set_sms(self, contact: Contact, sms: str) -> None:
        if (old := contact.sms) is not None:
            self._by_sms.pop(sms_key(old), None)
        contact.attributes["SMS"] = sms
        self._by_sms[sms_key(sms)] = contact

    def _link(self, contact: Contact, list_ids: Iterable[int]) -> None:
        for list_id in list_ids:
            contact.list_ids.add(list_id)
            self._members[list_id].add(contact.id)

    def _unlink(self, contact: Contact, list_ids: Iterable[int]) -> None:
        for list_id in list_ids:
            contact.list_ids.discard(list_id)
            members = self._members.get(list_id)
            if members is not None:
                members.discard(contact.id)

    # ------------------------------------------------------------------ checks and values

    def _check_list_ids(self, ids: Iterable[int], field_name: str) -> None:
        unknown = sorted({i for i in ids if i not in self.lists})
        if unknown:
            raise invalid(
                f"{field_name}: list ids not found: {', '.join(map(str, unknown))}",
                **{field_name: unknown},
            )

    def _check_folder(self, folder_id: int) -> None:
        if folder_id not in self.folders:
            raise invalid(f"folderId: folder id not found: {folder_id}", folderId=[folder_id])

    @staticmethod
    def _coerce_value(attribute: Attribute, value: Any) -> tuple[bool, Any]:
        """Whether Brevo keeps ``value`` for ``attribute``, and the stored form."""
        if attribute.category in ("calculated", "global"):
            return False, None  # computed by Brevo, never set per contact
        if attribute.category == "category":
            for item in attribute.enumeration:
                if (
                    isinstance(value, int)
                    and not isinstance(value, bool)
                    and value == item["value"]
                ) or (isinstance(value, str) and value == item["label"]):
                    return True, item["value"]
            return False, None
        kind = attribute.type or "text"
        if kind == "text":
            return isinstance(value, str), value
        if kind == "float" or kind == "id":
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            if kind == "id":
                ok = ok and float(value).is_integer()
            return ok, value
        if kind == "boolean":
            return isinstance(value, bool), value
        if kind == "date":
            if isinstance(value, str) and _DATE_RE.match(value):
                try:
                    date.fromisoformat(value)
                except ValueError:
                    return False, None
                return True, value
            return False, None
        return False, None  # pragma: no cover - types are closed by the spec

    def _plan_attributes(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """The attribute updates Brevo keeps (None = clear), identifiers excluded."""
        kept: dict[str, Any] = {}
        for key, value in raw.items():
            name = str(key).upper()
            if name in IDENTIFIER_ATTRIBUTES:
                continue
            attribute = self.attributes.get(name)
            if attribute is None:
                continue  # unknown attribute: silently dropped, like production
            if value is None:
                kept[name] = None
                continue
            ok, stored = self._coerce_value(attribute, value)
            if ok:
                kept[name] = stored
        return kept

    @staticmethod
    def _apply_attributes(contact: Contact, updates: Mapping[str, Any]) -> None:
        for name, value in updates.items():
            if value is None:
                contact.attributes.pop(name, None)
            else:
                contact.attributes[name] = value

    def _update(
        self,
        contact: Contact,
        updates: Mapping[str, Any],
        sms: str | None,
        add_lists: Iterable[int],
        remove_lists: Iterable[int],
        email_bl: bool | None,
        sms_bl: bool | None,
    ) -> None:
        self._apply_attributes(contact, updates)
        if sms is not None:
            self._set_sms(contact, sms)
        self._link(contact, add_lists)
        self._unlink(contact, remove_lists)
        if email_bl is not None:
            contact.email_blacklisted = email_bl
        if sms_bl is not None:
            contact.sms_blacklisted = sms_bl
        contact.modified_at = self._now_ms()
