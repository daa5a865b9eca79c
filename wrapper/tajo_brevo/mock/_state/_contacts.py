"""Contacts: create (and upsert), read, update, delete, list with filters."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from ._base import (
    EMAIL_RE,
    SMS_RE,
    Contact,
    MockAPIError,
    StateBase,
    duplicate,
    invalid,
    missing,
    not_found,
)


class ContactsMixin(StateBase):
    """The contact operations of :class:`MockState`."""

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
            elif allow_sms and SMS_RE.match(identifier):
                found = self._contact_by_sms(identifier)
            if found is None:
                raise not_found("Contact does not exist")
            return found

    @staticmethod
    def _parse_sms(raw: Mapping[str, Any]) -> str | None:
        """``attributes.SMS`` checked for shape, or None when not given."""
        value = next((v for k, v in raw.items() if str(k).upper() == "SMS"), None)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not SMS_RE.match(value):
            raise invalid("attributes.SMS: invalid phone number")
        return value

    def _check_sms_owner(self, sms: str | None, current: Contact | None) -> None:
        owner = self._contact_by_sms(sms) if sms is not None else None
        if owner is not None and owner is not current:
            raise duplicate(
                "Unable to save contact, SMS is already associated with another Contact",
                "SMS",
                owner.id,
            )

    @staticmethod
    def _bool_field(body: Mapping[str, Any], name: str) -> bool | None:
        value = body.get(name)
        if value is None:
            return None
        if not isinstance(value, bool):
            raise invalid(f"{name}: must be a boolean")
        return value

    def create_contact(self, body: Mapping[str, Any]) -> tuple[int, int | None]:
        """createContact: returns ``(201, id)`` when created, ``(204, None)`` on upsert."""
        with self.lock:
            email_raw = body.get("email")
            attributes = body.get("attributes") or {}
            if email_raw is None and isinstance(attributes.get("EMAIL"), str):
                email_raw = attributes["EMAIL"]
            email = email_raw.lower() if isinstance(email_raw, str) else None
            if email is not None and not EMAIL_RE.match(email):
                raise invalid("email: invalid email address")
            list_ids = list(body.get("listIds") or [])
            self._check_list_ids(list_ids, "listIds")
            email_bl = self._bool_field(body, "emailBlacklisted")
            sms_bl = self._bool_field(body, "smsBlacklisted")
            sms = self._parse_sms(attributes)
            if email is None and sms is None:
                raise missing("email is missing: give an email or attributes.SMS")
            existing = self.contact_by_email(email) if email else self._contact_by_sms(sms or "")
            if existing is not None and not body.get("updateEnabled"):
                raise duplicate("Contact already exist", "email" if email else "SMS", existing.id)
            self._check_sms_owner(sms, existing)
            updates = self._plan_attributes(attributes)
            if existing is not None:
                if email is not None and existing.email is None:
                    self._set_email(existing, email)
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
                list_ids=set(list_ids),
            )
            self._apply_attributes(contact, updates)
            if sms is not None:
                contact.attributes["SMS"] = sms
            self._store(contact)
            return 201, contact.id

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
                        raise invalid("attributes.EMAIL: invalid email address")
                    new_email = value.lower()
            if new_email is not None:
                owner = self.contact_by_email(new_email)
                if owner is not None and owner is not contact:
                    raise duplicate(
                        "Unable to update contact, email is already associated with another "
                        "Contact",
                        "email",
                        owner.id,
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
                self._set_email(contact, new_email)
            self._update(contact, updates, sms, add, remove, email_bl, sms_bl)

    def delete_contact(self, identifier: str) -> None:
        """deleteContact (405 for the account's own email)."""
        with self.lock:
            contact = self.find_contact(identifier, allow_sms=False)
            if contact.email is not None and contact.email == self.account_email:
                raise MockAPIError(
                    405, "method_not_allowed", "The account's own email can't be deleted"
                )
            self._unstore(contact)

    def list_contacts(
        self,
        *,
        limit: int,
        offset: int,
        sort: str,
        modified_since: datetime | None,
        list_ids: Iterable[int] = (),
        ids: Iterable[int] = (),
    ) -> dict[str, Any]:
        """listContacts: newest first by default; ``count`` is the total before paging.

        ``list_ids`` keeps contacts in any of those lists, ``ids`` those ids (both filters
        combine with AND, like production).
        """
        with self.lock:
            wanted_lists = list(dict.fromkeys(list_ids))
            wanted_ids = list(dict.fromkeys(ids))
            rows: list[Contact]
            if wanted_ids:
                rows = [c for i in sorted(wanted_ids) if (c := self.contacts.get(i)) is not None]
                if wanted_lists:
                    rows = [c for c in rows if not c.list_ids.isdisjoint(wanted_lists)]
            elif wanted_lists:
                members: set[int] = set()
                for list_id in wanted_lists:
                    members.update(self._members.get(list_id, ()))
                rows = [self.contacts[i] for i in sorted(members)]
            else:
                # Ids only grow and dicts keep insertion order: already sorted by id.
                rows = list(self.contacts.values())
            return self._page(rows, limit=limit, offset=offset, sort=sort, since=modified_since)

    @staticmethod
    def _page(
        rows: list[Contact], *, limit: int, offset: int, sort: str, since: datetime | None
    ) -> dict[str, Any]:
        if since is not None:
            rows = [c for c in rows if c.modified_at >= since]
        if sort == "desc":
            rows.reverse()
        page = rows[offset : offset + limit] if offset < len(rows) else []
        return {"contacts": [c.to_json() for c in page], "count": len(rows)}
