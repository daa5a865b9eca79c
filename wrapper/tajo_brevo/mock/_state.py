"""In-memory state of the mock Brevo account and the rules production Brevo applies to it.

Everything here is plain Python (no web framework): the ASGI app validates a request
against the spec, then calls one method of :class:`MockState`, which either returns a
result or raises :class:`MockAPIError`. Every method checks everything before it changes
anything, so a refused request leaves no half-written state.

Rules, as production Brevo applies them (``BREVO_FACTS.md``):

- emails are case-insensitive and unique (stored lower case); SMS numbers are unique;
- a contact attribute value is kept only when the attribute exists and the value fits its
  type; anything else is silently dropped (the request still succeeds);
- list counters: ``totalSubscribers`` counts members whose email is not blacklisted,
  ``totalBlacklisted`` those whose email is; a folder adds up its lists, and its
  ``uniqueSubscribers`` counts each non-blacklisted contact once across its lists;
- deleting a list keeps its contacts (they just leave the list).
"""

from __future__ import annotations

import csv
import io
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

#: Built-in attributes every Brevo account has: name -> (category, type).
BUILTIN_ATTRIBUTES: dict[str, tuple[str, str]] = {
    "EMAIL": ("normal", "text"),
    "FIRSTNAME": ("normal", "text"),
    "LASTNAME": ("normal", "text"),
    "SMS": ("normal", "text"),
}
#: Identifier attributes: they are the contact's email / phone, never plain values.
_IDENTIFIER_ATTRIBUTES = frozenset({"EMAIL", "SMS"})

# A realistic address: what Brevo accepts (and what the spec's `format: email` means for
# the mock, see _validation). Deliberately simple and strict: local@domain.tld.
EMAIL_RE = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_SMS_RE = re.compile(r"^\+?[0-9]{6,19}$")
_ATTRIBUTE_NAME_MAX = 50
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


def _invalid(message: str, **metadata: Any) -> MockAPIError:
    return MockAPIError(400, "invalid_parameter", message, metadata or None)


def _missing(message: str) -> MockAPIError:
    return MockAPIError(400, "missing_parameter", message)


def _not_found(message: str) -> MockAPIError:
    return MockAPIError(404, "document_not_found", message)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def format_timestamp(value: datetime) -> str:
    """Brevo's timestamp format: ISO 8601, UTC, milliseconds, ``Z``."""
    return (
        value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    )


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


@dataclass
class Contact:
    """A contact of the account."""

    id: int
    email: str | None
    created_at: datetime
    modified_at: datetime
    attributes: dict[str, Any] = field(default_factory=dict)
    list_ids: list[int] = field(default_factory=list)
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


@dataclass
class ImportProcess:
    """What one import request did (the mock applies imports at once)."""

    id: int
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    list_ids: list[int] = field(default_factory=list)


def _digits(sms: str) -> str:
    return sms.lstrip("+")


class MockState:
    """The account: contacts, lists, folders, attributes, imports.

    Thread-safe: one re-entrant lock guards every public method, so the mock can be
    driven from a server thread while a test inspects it.

    Args:
        now: wall clock for ``createdAt``/``modifiedAt`` (injectable for tests).
        account_email: the account's own registered email; deleting that contact is a 405.
    """

    def __init__(
        self,
        *,
        now: Callable[[], datetime] = _utc_now,
        account_email: str = "owner@tajo-brevo-mock.example",
    ) -> None:
        self._now = now
        self.account_email = account_email.lower()
        self.lock = threading.RLock()
        self.contacts: dict[int, Contact] = {}
        self.lists: dict[int, ContactList] = {}
        self.folders: dict[int, Folder] = {}
        self.attributes: dict[str, Attribute] = {
            name: Attribute(name=name, category=category, type=type_)
            for name, (category, type_) in BUILTIN_ATTRIBUTES.items()
        }
        self.imports: list[ImportProcess] = []
        self._next = {"contact": 1, "list": 1, "folder": 1, "import": 1}

    # ------------------------------------------------------------------ helpers

    def _new_id(self, kind: str) -> int:
        value = self._next[kind]
        self._next[kind] = value + 1
        return value

    def _now_ms(self) -> datetime:
        now = self._now()
        return now.replace(microsecond=(now.microsecond // 1000) * 1000)

    def contact_by_email(self, email: str) -> Contact | None:
        """The contact with this email (case-insensitive), or None."""
        wanted = email.lower()
        with self.lock:
            for contact in self.contacts.values():
                if contact.email == wanted:
                    return contact
        return None

    def _contact_by_sms(self, sms: str) -> Contact | None:
        wanted = _digits(sms)
        for contact in self.contacts.values():
            if contact.sms is not None and _digits(contact.sms) == wanted:
                return contact
        return None

    def find_contact(self, identifier: str, *, allow_sms: bool) -> Contact:
        """Resolve a path identifier: email, numeric id, or (GET only) SMS number.

        Raises:
            MockAPIError: 404 when no contact matches.
        """
        with self.lock:
            found: Contact | None = None
            if "@" in identifier:
                found = self.contact_by_email(identifier)
            elif identifier.isdigit() and identifier.isascii():
                found = self.contacts.get(int(identifier)) if len(identifier) < 20 else None
                if found is None and allow_sms:
                    found = self._contact_by_sms(identifier)
            elif allow_sms and _SMS_RE.match(identifier):
                found = self._contact_by_sms(identifier)
            if found is None:
                raise _not_found("Contact does not exist")
            return found

    def _check_list_ids(self, ids: Iterable[int], field_name: str) -> None:
        unknown = sorted({i for i in ids if i not in self.lists})
        if unknown:
            raise _invalid(
                f"{field_name}: list ids not found: {', '.join(map(str, unknown))}",
                **{field_name: unknown},
            )

    def _coerce_value(self, attribute: Attribute, value: Any) -> tuple[bool, Any]:
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
            if name in _IDENTIFIER_ATTRIBUTES:
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
    def _parse_sms(raw: Mapping[str, Any]) -> str | None:
        """``attributes.SMS`` checked for shape, or None when not given."""
        value = next((v for k, v in raw.items() if str(k).upper() == "SMS"), None)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not _SMS_RE.match(value):
            raise _invalid("attributes.SMS: invalid phone number")
        return value

    def _check_sms_owner(self, sms: str | None, current: Contact | None) -> None:
        owner = self._contact_by_sms(sms) if sms is not None else None
        if owner is not None and owner is not current:
            raise MockAPIError(
                400,
                "duplicate_parameter",
                "Unable to save contact, SMS is already associated with another Contact",
                {"duplicate_identifiers": ["SMS"], "existing_id": owner.id},
            )

    @staticmethod
    def _apply_attributes(contact: Contact, updates: Mapping[str, Any]) -> None:
        for name, value in updates.items():
            if value is None:
                contact.attributes.pop(name, None)
            else:
                contact.attributes[name] = value

    @staticmethod
    def _bool_field(body: Mapping[str, Any], name: str) -> bool | None:
        value = body.get(name)
        if value is None:
            return None
        if not isinstance(value, bool):
            raise _invalid(f"{name}: must be a boolean")
        return value

    # ------------------------------------------------------------------ contacts

    def create_contact(self, body: Mapping[str, Any]) -> tuple[int, int | None]:
        """createContact: returns ``(201, id)`` when created, ``(204, None)`` on upsert."""
        with self.lock:
            email_raw = body.get("email")
            attributes = body.get("attributes") or {}
            if email_raw is None and isinstance(attributes.get("EMAIL"), str):
                email_raw = attributes["EMAIL"]
            email = email_raw.lower() if isinstance(email_raw, str) else None
            if email is not None and not EMAIL_RE.match(email):
                raise _invalid("email: invalid email address")
            list_ids = list(body.get("listIds") or [])
            self._check_list_ids(list_ids, "listIds")
            email_bl = self._bool_field(body, "emailBlacklisted")
            sms_bl = self._bool_field(body, "smsBlacklisted")
            sms = self._parse_sms(attributes)
            if email is None and sms is None:
                raise _missing("email is missing: give an email or attributes.SMS")
            existing = self.contact_by_email(email) if email else self._contact_by_sms(sms or "")
            if existing is not None and not body.get("updateEnabled"):
                raise MockAPIError(
                    400,
                    "duplicate_parameter",
                    "Contact already exist",
                    {
                        "duplicate_identifiers": ["email" if email else "SMS"],
                        "existing_id": existing.id,
                    },
                )
            self._check_sms_owner(sms, existing)
            updates = self._plan_attributes(attributes)
            if existing is not None:
                if email is not None and existing.email is None:
                    existing.email = email
                self._update(existing, updates, sms, list_ids, [], email_bl, sms_bl)
                return 204, None
            now = self._now_ms()
            contact = Contact(
                id=self._new_id("contact"),
                email=email,
                created_at=now,
                modified_at=now,
                email_blacklisted=bool(email_bl),
                sms_blacklisted=bool(sms_bl),
            )
            self._apply_attributes(contact, updates)
            if sms is not None:
                contact.attributes["SMS"] = sms
            contact.list_ids = sorted(set(list_ids))
            self.contacts[contact.id] = contact
            return 201, contact.id

    def _update(
        self,
        contact: Contact,
        updates: Mapping[str, Any],
        sms: str | None,
        add_lists: Sequence[int],
        remove_lists: Sequence[int],
        email_bl: bool | None,
        sms_bl: bool | None,
    ) -> None:
        self._apply_attributes(contact, updates)
        if sms is not None:
            contact.attributes["SMS"] = sms
        members = set(contact.list_ids) | set(add_lists)
        members -= set(remove_lists)
        contact.list_ids = sorted(members)
        if email_bl is not None:
            contact.email_blacklisted = email_bl
        if sms_bl is not None:
            contact.sms_blacklisted = sms_bl
        contact.modified_at = self._now_ms()

    def get_contact(self, identifier: str) -> dict[str, Any]:
        """getContactInfo."""
        with self.lock:
            return self.find_contact(identifier, allow_sms=True).to_json()

    def update_contact(self, identifier: str, body: Mapping[str, Any]) -> None:
        """updateContact: attributes (``EMAIL`` changes the email), lists, blacklist flags."""
        with self.lock:
            contact = self.find_contact(identifier, allow_sms=False)
            attributes = body.get("attributes") or {}
            new_email: str | None = None
            for key, value in attributes.items():
                if str(key).upper() == "EMAIL" and value is not None:
                    if not isinstance(value, str) or not EMAIL_RE.match(value):
                        raise _invalid("attributes.EMAIL: invalid email address")
                    new_email = value.lower()
            if new_email is not None:
                owner = self.contact_by_email(new_email)
                if owner is not None and owner is not contact:
                    raise MockAPIError(
                        400,
                        "duplicate_parameter",
                        "Unable to update contact, email is already associated with another "
                        "Contact",
                        {"duplicate_identifiers": ["email"], "existing_id": owner.id},
                    )
            add = list(body.get("listIds") or [])
            remove = list(body.get("unlinkListIds") or [])
            self._check_list_ids(add, "listIds")
            self._check_list_ids(remove, "unlinkListIds")
            email_bl = self._bool_field(body, "emailBlacklisted")
            sms_bl = self._bool_field(body, "smsBlacklisted")
            sms = self._parse_sms(attributes)
            self._check_sms_owner(sms, contact)
            updates = self._plan_attributes(attributes)
            if new_email is not None:
                contact.email = new_email
            self._update(contact, updates, sms, add, remove, email_bl, sms_bl)

    def delete_contact(self, identifier: str) -> None:
        """deleteContact (405 for the account's own email)."""
        with self.lock:
            contact = self.find_contact(identifier, allow_sms=False)
            if contact.email is not None and contact.email == self.account_email:
                raise MockAPIError(
                    405, "method_not_allowed", "The account's own email can't be deleted"
                )
            del self.contacts[contact.id]

    def list_contacts(
        self, *, limit: int, offset: int, sort: str, modified_since: datetime | None
    ) -> dict[str, Any]:
        """listContacts: newest first by default; ``count`` is the total before paging."""
        with self.lock:
            rows = sorted(self.contacts.values(), key=lambda c: c.id, reverse=sort == "desc")
            if modified_since is not None:
                rows = [c for c in rows if c.modified_at >= modified_since]
            page = rows[offset : offset + limit] if offset < len(rows) else []
            return {"contacts": [c.to_json() for c in page], "count": len(rows)}

    # ------------------------------------------------------------------ lists and folders

    def _members(self, list_id: int) -> list[Contact]:
        return [c for c in self.contacts.values() if list_id in c.list_ids]

    def _list_json(self, item: ContactList) -> dict[str, Any]:
        members = self._members(item.id)
        blacklisted = sum(1 for c in members if c.email_blacklisted)
        return {
            "id": item.id,
            "name": item.name,
            "totalBlacklisted": blacklisted,
            "totalSubscribers": len(members) - blacklisted,
            "folderId": item.folder_id,
            "createdAt": format_timestamp(item.created_at),
        }

    def _folder_json(self, folder: Folder) -> dict[str, Any]:
        lists = [item for item in self.lists.values() if item.folder_id == folder.id]
        subscribers = blacklisted = 0
        unique: set[int] = set()
        for item in lists:
            for contact in self._members(item.id):
                if contact.email_blacklisted:
                    blacklisted += 1
                else:
                    subscribers += 1
                    unique.add(contact.id)
        return {
            "id": folder.id,
            "name": folder.name,
            "totalBlacklisted": blacklisted,
            "totalSubscribers": subscribers,
            "uniqueSubscribers": len(unique),
        }

    def _get_list(self, list_id: int) -> ContactList:
        item = self.lists.get(list_id)
        if item is None:
            raise _not_found("List ID not found")
        return item

    def _check_folder(self, folder_id: int) -> None:
        if folder_id not in self.folders:
            raise _invalid(f"folderId: folder id not found: {folder_id}", folderId=[folder_id])

    def create_list(self, name: str, folder_id: int) -> int:
        """createContactList (400 for an unknown folder)."""
        with self.lock:
            self._check_folder(folder_id)
            item = ContactList(self._new_id("list"), name, folder_id, self._now_ms())
            self.lists[item.id] = item
            return item.id

    def get_list(self, list_id: int) -> dict[str, Any]:
        """getContactList."""
        with self.lock:
            return self._list_json(self._get_list(list_id))

    def update_list(self, list_id: int, body: Mapping[str, Any]) -> None:
        """updateContactList: name and/or folder."""
        with self.lock:
            item = self._get_list(list_id)
            folder_id = body.get("folderId")
            if folder_id is not None:
                self._check_folder(folder_id)
                item.folder_id = folder_id
            if body.get("name") is not None:
                item.name = body["name"]

    def delete_list(self, list_id: int) -> None:
        """deleteContactList: the contacts stay, they only leave the list."""
        with self.lock:
            self._get_list(list_id)
            del self.lists[list_id]
            for contact in self.contacts.values():
                if list_id in contact.list_ids:
                    contact.list_ids.remove(list_id)

    def list_lists(self, *, limit: int, offset: int, sort: str) -> dict[str, Any]:
        """listContactLists."""
        with self.lock:
            rows = sorted(self.lists.values(), key=lambda i: i.id, reverse=sort == "desc")
            page = rows[offset : offset + limit] if offset < len(rows) else []
            return {"lists": [self._list_json(i) for i in page], "count": len(rows)}

    def change_members(self, list_id: int, body: Mapping[str, Any], *, add: bool) -> dict[str, Any]:
        """addContactsToList / removeContactsFromList: per-item success and failure."""
        with self.lock:
            self._get_list(list_id)
            emails = list(body.get("emails") or [])
            ids = list(body.get("ids") or [])
            if not emails and not ids:
                raise _missing("emails or ids is missing")
            if len(emails) > MEMBERSHIP_CAP or len(ids) > MEMBERSHIP_CAP:
                raise _invalid(f"at most {MEMBERSHIP_CAP} emails or ids per request")
            success: list[str] = []
            failure: list[str] = []
            targets: list[tuple[str, Contact | None]] = [
                (e, self.contact_by_email(e)) for e in emails
            ] + [(str(i), self.contacts.get(i)) for i in ids]
            now = self._now_ms()
            for label, contact in targets:
                member = contact is not None and list_id in contact.list_ids
                if contact is None or member == add:
                    failure.append(label)
                    continue
                if add:
                    contact.list_ids = sorted({*contact.list_ids, list_id})
                else:
                    contact.list_ids.remove(list_id)
                contact.modified_at = now
                success.append(label)
            return {"contacts": {"success": success, "failure": failure}}

    def create_folder(self, name: str) -> int:
        """createFolder."""
        with self.lock:
            folder = Folder(self._new_id("folder"), name)
            self.folders[folder.id] = folder
            return folder.id

    def _get_folder(self, folder_id: int) -> Folder:
        folder = self.folders.get(folder_id)
        if folder is None:
            raise _not_found("Folder ID not found")
        return folder

    def get_folder(self, folder_id: int) -> dict[str, Any]:
        """GET /contacts/folders/{folderId} (production, not in the pinned spec)."""
        with self.lock:
            return self._folder_json(self._get_folder(folder_id))

    def rename_folder(self, folder_id: int, name: str) -> None:
        """PUT /contacts/folders/{folderId} (production, not in the pinned spec)."""
        with self.lock:
            self._get_folder(folder_id).name = name

    def delete_folder(self, folder_id: int) -> None:
        """DELETE /contacts/folders/{folderId}: the folder and its lists; contacts stay."""
        with self.lock:
            self._get_folder(folder_id)
            for list_id in [i.id for i in self.lists.values() if i.folder_id == folder_id]:
                self.delete_list(list_id)
            del self.folders[folder_id]

    def list_folders(self, *, limit: int, offset: int, sort: str) -> dict[str, Any]:
        """listFolders."""
        with self.lock:
            rows = sorted(self.folders.values(), key=lambda f: f.id, reverse=sort == "desc")
            page = rows[offset : offset + limit] if offset < len(rows) else []
            return {"folders": [self._folder_json(f) for f in page], "count": len(rows)}

    # ------------------------------------------------------------------ attributes

    def list_attributes(self) -> dict[str, Any]:
        """listContactAttributes."""
        with self.lock:
            return {"attributes": [a.to_json() for a in self.attributes.values()]}

    def create_attribute(self, category: str, raw_name: str, body: Mapping[str, Any]) -> None:
        """createContactAttribute: names are unique (upper case); per-category needs."""
        with self.lock:
            name = raw_name.upper()
            if not name or len(name) > _ATTRIBUTE_NAME_MAX:
                raise _invalid(
                    f"attributeName: give a name of 1 to {_ATTRIBUTE_NAME_MAX} characters"
                )
            if name in self.attributes:
                raise _invalid(f"attributeName: attribute {name} already exists")
            type_ = body.get("type")
            enumeration: list[dict[str, Any]] = []
            value = body.get("value")
            if category == "category":
                enumeration = [dict(item) for item in body.get("enumeration") or []]
                if not enumeration:
                    raise _missing("enumeration is missing: a category attribute needs one")
                values = [item["value"] for item in enumeration]
                if len(set(values)) != len(values):
                    raise _invalid("enumeration: values must be unique")
                type_ = None
            elif category in ("calculated", "global"):
                if not value:
                    raise _missing("value is missing: a calculated or global attribute needs one")
            else:
                # normal and transactional: a typed value per contact (text by default);
                # an enumeration or a formula means nothing there and is ignored.
                type_ = type_ or "text"
                value = None
            self.attributes[name] = Attribute(name, category, type_, enumeration, value)

    def delete_attribute(self, category: str, raw_name: str) -> None:
        """deleteContactAttribute: values disappear from every contact."""
        with self.lock:
            name = raw_name.upper()
            attribute = self.attributes.get(name)
            if attribute is None or attribute.category != category:
                raise _not_found("Attribute not found")
            if name in _IDENTIFIER_ATTRIBUTES:
                raise _invalid(f"attributeName: {name} identifies contacts and can't be deleted")
            del self.attributes[name]
            for contact in self.contacts.values():
                contact.attributes.pop(name, None)

    # ------------------------------------------------------------------ import

    def import_contacts(self, body: Mapping[str, Any]) -> int:
        """importContacts from ``fileBody`` (CSV, ``;``, header line), applied at once."""
        with self.lock:
            if body.get("fileUrl") is not None:
                raise _invalid("fileUrl: the mock fetches nothing; send the CSV inline in fileBody")
            file_body = body.get("fileBody")
            if not isinstance(file_body, str) or not file_body.strip():
                raise _missing("fileBody is missing")
            list_ids = list(body.get("listIds") or [])
            new_list = body.get("newList")
            if not list_ids and not new_list:
                raise _missing("listIds or newList is missing")
            self._check_list_ids(list_ids, "listIds")
            new_list_name: str | None = None
            new_list_folder: int | None = None
            if new_list:
                new_list_name = new_list.get("listName")
                if not new_list_name:
                    raise _missing("newList.listName is missing")
                new_list_folder = new_list.get("folderId")
                if new_list_folder is None:
                    raise _missing("newList.folderId is missing")
                self._check_folder(new_list_folder)
            update_existing = body.get("updateExistingContacts")
            update_existing = True if update_existing is None else update_existing
            empty_attributes = bool(body.get("emptyContactsAttributes"))
            email_bl = body.get("emailBlacklist")
            sms_bl = body.get("smsBlacklist")
            rows = self._parse_csv(file_body)

            # Everything is checked: now apply.
            process = ImportProcess(id=self._new_id("import"))
            targets = list(list_ids)
            if new_list_name is not None and new_list_folder is not None:
                targets.append(self.create_list(new_list_name, new_list_folder))
            process.list_ids = targets
            for row in rows:
                self._import_row(
                    row, process, targets, update_existing, empty_attributes, email_bl, sms_bl
                )
            self.imports.append(process)
            return process.id

    @staticmethod
    def _parse_csv(text: str) -> list[dict[str, str]]:
        reader = csv.reader(io.StringIO(text), delimiter=";")
        try:
            lines = [row for row in reader if any(cell.strip() for cell in row)]
        except csv.Error as exc:
            raise _invalid(f"fileBody: malformed CSV ({exc})") from None
        if not lines:
            raise _invalid("fileBody: no header line")
        header = [cell.strip().upper() for cell in lines[0]]
        if "EMAIL" not in header and "SMS" not in header:
            raise _invalid(
                "fileBody: the header line needs an EMAIL (or SMS) column, separated by ';'"
            )
        if len(set(header)) != len(header) or "" in header:
            raise _invalid("fileBody: header columns must be named and unique")
        return [
            {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(header)}
            for row in lines[1:]
        ]

    def _typed_cell(self, attribute: Attribute, cell: str) -> Any:
        """A CSV cell as the attribute's type (CSV carries only text)."""
        kind = attribute.type or "text"
        if attribute.category == "category":
            return int(cell) if cell.isdigit() else cell
        if kind in ("float", "id"):
            try:
                number = float(cell)
            except ValueError:
                return cell  # left as text: _coerce_value drops it
            return int(number) if number.is_integer() else number
        if kind == "boolean":
            lowered = cell.lower()
            return {"true": True, "false": False}.get(lowered, cell)
        return cell

    def _import_row(
        self,
        row: Mapping[str, str],
        process: ImportProcess,
        list_ids: Sequence[int],
        update_existing: bool,
        empty_attributes: bool,
        email_bl: bool | None,
        sms_bl: bool | None,
    ) -> None:
        email = row.get("EMAIL", "").lower() or None
        sms = row.get("SMS", "") or None
        label = email or sms or ""
        if email is not None and not EMAIL_RE.match(email):
            process.skipped.append(label)
            return
        if sms is not None and not _SMS_RE.match(sms):
            sms = None
        if email is None and sms is None:
            process.skipped.append(label)
            return
        existing = self.contact_by_email(email) if email else self._contact_by_sms(sms or "")
        sms_owner = self._contact_by_sms(sms) if sms else None
        if sms_owner is not None and sms_owner is not existing:
            process.skipped.append(label)
            return
        updates: dict[str, Any] = {}
        for name, cell in row.items():
            if name in _IDENTIFIER_ATTRIBUTES:
                continue
            attribute = self.attributes.get(name)
            if attribute is None:
                continue
            if cell == "":
                if empty_attributes:
                    updates[name] = None
                continue
            ok, stored = self._coerce_value(attribute, self._typed_cell(attribute, cell))
            if ok:
                updates[name] = stored
        if existing is not None:
            if not update_existing:
                process.skipped.append(label)
                return
            self._update(existing, updates, sms, list_ids, [], email_bl, sms_bl)
            process.updated.append(existing.id)
            return
        now = self._now_ms()
        contact = Contact(
            id=self._new_id("contact"),
            email=email,
            created_at=now,
            modified_at=now,
            email_blacklisted=bool(email_bl),
            sms_blacklisted=bool(sms_bl),
        )
        self._apply_attributes(contact, {k: v for k, v in updates.items() if v is not None})
        if sms is not None:
            contact.attributes["SMS"] = sms
        contact.list_ids = sorted(set(list_ids))
        self.contacts[contact.id] = contact
        process.created.append(contact.id)
