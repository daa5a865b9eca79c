"""Lists, their members, and folders."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ._base import (
    MEMBERSHIP_CAP,
    Contact,
    ContactList,
    Folder,
    StateBase,
    format_timestamp,
    invalid,
    missing,
    not_found,
)
from ._contacts import ContactsMixin
from ._index import IdSet


class ListsMixin(ContactsMixin, StateBase):
    """The list and folder operations of :class:`MockState`."""

    def _counts(self, list_id: int) -> tuple[int, int]:
        """(subscribers, blacklisted) of a list: members whose email is / isn't blacklisted."""
        members = self._members.get(list_id) or IdSet()
        contacts = self.contacts
        blacklisted = sum(1 for i in members if contacts[i].email_blacklisted)
        return len(members) - blacklisted, blacklisted

    def _list_json(self, item: ContactList) -> dict[str, Any]:
        subscribers, blacklisted = self._counts(item.id)
        return {
            "id": item.id,
            "name": item.name,
            "totalBlacklisted": blacklisted,
            "totalSubscribers": subscribers,
            # Members are contact ids in a set: each is counted once already.
            "uniqueSubscribers": subscribers,
            "folderId": item.folder_id,
            "createdAt": format_timestamp(item.created_at),
        }

    def _folder_json(self, folder: Folder) -> dict[str, Any]:
        subscribers = blacklisted = 0
        unique: set[int] = set()
        for item in self.lists.values():
            if item.folder_id != folder.id:
                continue
            for contact_id in self._members.get(item.id, ()):
                if self.contacts[contact_id].email_blacklisted:
                    blacklisted += 1
                else:
                    subscribers += 1
                    unique.add(contact_id)
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
            raise not_found("List ID not found")
        return item

    def create_list(self, name: str, folder_id: int) -> int:
        """createContactList (400 for an unknown folder)."""
        with self.lock:
            self._check_folder(folder_id)
            item = ContactList(self._new_id("list"), name, folder_id, self._now_ms())
            self.lists[item.id] = item
            self._members[item.id] = IdSet()
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
            for contact_id in self._members.pop(list_id, IdSet()):
                self.contacts[contact_id].list_ids.discard(list_id)

    def list_lists(self, *, limit: int, offset: int, sort: str) -> dict[str, Any]:
        """listContactLists."""
        with self.lock:
            rows = sorted(self.lists.values(), key=lambda i: i.id, reverse=sort == "desc")
            page = rows[offset : offset + limit] if offset < len(rows) else []
            return {"lists": [self._list_json(i) for i in page], "count": len(rows)}

    def list_members(
        self, list_id: int, *, limit: int, offset: int, sort: str, modified_since: datetime | None
    ) -> dict[str, Any]:
        """getContactsFromList: the list's contacts, newest first by default (404: no list)."""
        with self.lock:
            self._get_list(list_id)
            rows = [self.contacts[i] for i in sorted(self._members[list_id])]
            return self._page(rows, limit=limit, offset=offset, sort=sort, since=modified_since)

    def check_members(self, list_id: int, body: Mapping[str, Any]) -> tuple[list[str], list[int]]:
        """The emails and ids of an add/remove body, or the error Brevo answers it with."""
        with self.lock:
            self._get_list(list_id)
            emails = list(body.get("emails") or [])
            ids = list(body.get("ids") or [])
            if not emails and not ids:
                raise missing("emails or ids is missing")
            if len(emails) > MEMBERSHIP_CAP or len(ids) > MEMBERSHIP_CAP:
                raise invalid(f"at most {MEMBERSHIP_CAP} emails or ids per request")
            return emails, ids

    def change_members(self, list_id: int, body: Mapping[str, Any], *, add: bool) -> dict[str, Any]:
        """addContactsToList / removeContactsFromList: per-item success and failure.

        Items come back as sent: emails, or ids as numbers when the request names only ids
        (brevo-python 5.1.0 PostContactInfoContactsSuccess = List[str] | List[int]); a
        request naming both (the pin allows it) gets every item as a string.
        """
        with self.lock:
            emails, ids = self.check_members(list_id, body)
            success: list[str | int] = []
            failure: list[str | int] = []
            targets: list[tuple[str | int, Contact | None]] = [
                (e, self.contact_by_email(e)) for e in emails
            ] + [(i if not emails else str(i), self.contacts.get(i)) for i in ids]
            now = self._now_ms()
            for label, contact in targets:
                member = contact is not None and list_id in contact.list_ids
                if contact is None or member == add:
                    failure.append(label)
                    continue
                if add:
                    self._link(contact, (list_id,))
                else:
                    self._unlink(contact, (list_id,))
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
            raise not_found("Folder ID not found")
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
