"""What a write run (``--allow-writes``) may touch, and the one record of what it created.

A write run against a real account must never change data it did not create:

- names and emails it sends get :data:`WRITE_PREFIX` (attributes: :data:`ATTRIBUTE_PREFIX`),
  so leftovers are recognisable (:func:`prefix_names`);
- a mutating call's path is moved off existing data (:func:`keep_off_existing_data`):
  fuzzed ids go to a range no account has, names and emails under the prefix, unless the
  value is something this run created (a stateful link);
- :class:`WriteRecord` records every contact, list, folder and attribute the target
  confirmed creating, as each answer arrives; cleanup deletes exactly those, plus anything
  carrying the prefix (:mod:`tajo_brevo.contract.cleanup`).
"""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

__all__ = [
    "ATTRIBUTE_PREFIX",
    "FOREIGN_ID_BASE",
    "WRITE_PREFIX",
    "WriteRecord",
    "imported_emails",
    "keep_off_existing_data",
    "prefix_names",
]

#: Prefix of everything a run with writes creates (lists, folders, contacts).
WRITE_PREFIX = "tajo-contract-"
#: Prefix of the attributes it creates (attribute names are upper case in Brevo).
ATTRIBUTE_PREFIX = "TAJO_CONTRACT_"
#: Ids far above any real account's, still int64: a mutating call on one gets a 404.
FOREIGN_ID_BASE = 10**15


def _json_field(content: bytes | str | None, key: str) -> Any:
    try:
        data = json.loads(content or b"null")
    except ValueError:
        return None
    return data.get(key) if isinstance(data, dict) else None


def imported_emails(file_body: Any) -> set[str]:
    """Emails in an import's ``fileBody``: ``;``-separated CSV with an ``EMAIL`` column.

    Read with the csv module, so quoted cells (a ``;`` or a newline inside quotes, as the
    wrapper writes them) are one cell, as Brevo reads them.
    """
    if not isinstance(file_body, str) or not file_body.strip():
        return set()
    try:
        rows = list(csv.reader(io.StringIO(file_body), delimiter=";"))
    except csv.Error:
        return set()  # not CSV: Brevo refuses the import, nothing was created
    if not rows:
        return set()
    header = [cell.strip().upper() for cell in rows[0]]
    if "EMAIL" not in header:
        return set()
    column = header.index("EMAIL")
    return {row[column].strip() for row in rows[1:] if len(row) > column and "@" in row[column]}


def _prefixed_email(value: Any) -> Any:
    if isinstance(value, str) and "@" in value and not value.startswith(WRITE_PREFIX):
        return WRITE_PREFIX + value
    return value


def prefix_names(body: Any) -> Any:
    """``body`` with :data:`WRITE_PREFIX` on the names and emails it would create.

    ``name``, ``listName`` and ``email``; in an import, also ``newList.listName`` and
    each ``jsonBody[].email``, so an imported contact or a new list is recognisable
    (cleanup sweeps the prefix) and never lands on an existing contact.
    """
    if not isinstance(body, dict):
        return body
    body = dict(body)
    for key in ("name", "listName"):
        if isinstance(body.get(key), str) and not body[key].startswith(WRITE_PREFIX):
            body[key] = WRITE_PREFIX + body[key]
    if "email" in body:
        body["email"] = _prefixed_email(body["email"])
    if "newList" in body:
        body["newList"] = prefix_names(body["newList"])
    rows = body.get("jsonBody")
    if isinstance(rows, list):
        body["jsonBody"] = [
            {**row, "email": _prefixed_email(row["email"])}
            if isinstance(row, dict) and "email" in row
            else row
            for row in rows
        ]
    return body


@dataclass
class WriteRecord:
    """Everything a write run created, recorded from the target's own 2xx answers.

    Filled while the run goes (a stateful step may follow a link to a list created a
    moment before), read by the moves that keep mutating calls off existing data and,
    after the run, by cleanup. Thread-safe: schemathesis may run workers in threads.

    Attributes:
        contact_ids: ids of created contacts.
        contact_emails: emails of created or imported contacts.
        list_ids: ids of created lists.
        folder_ids: ids of created folders.
        attributes: (category, name) of created attributes.
    """

    contact_ids: set[int] = field(default_factory=set)
    contact_emails: set[str] = field(default_factory=set)
    list_ids: set[int] = field(default_factory=set)
    folder_ids: set[int] = field(default_factory=set)
    attributes: set[tuple[str, str]] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def record(
        self,
        operation_id: str,
        status: int,
        *,
        body: Any = None,
        path_parameters: Mapping[str, Any] | None = None,
        answer: bytes | str | None = None,
    ) -> None:
        """Note what one call created, if it succeeded and is a create operation.

        Args:
            operation_id: the operation called.
            status: the response status (only 2xx records anything).
            body: the request body as sent (JSON value).
            path_parameters: the request's path parameters.
            answer: the response body.
        """
        if not 200 <= status < 300:
            return
        created = _json_field(answer, "id")
        created_id = created if isinstance(created, int) and not isinstance(created, bool) else None
        params = dict(path_parameters or {})
        with self._lock:
            if operation_id == "createContact":
                if created_id is not None:
                    self.contact_ids.add(created_id)
                email = body.get("email") if isinstance(body, dict) else None
                if isinstance(email, str) and email:
                    self.contact_emails.add(email)
            elif operation_id == "createContactList" and created_id is not None:
                self.list_ids.add(created_id)
            elif operation_id == "createFolder" and created_id is not None:
                self.folder_ids.add(created_id)
            elif operation_id == "createContactAttribute":
                category, name = params.get("attributeCategory"), params.get("attributeName")
                if category is not None and name is not None:
                    self.attributes.add((str(category), str(name)))
            elif operation_id == "importContacts" and isinstance(body, dict):
                self.contact_emails |= imported_emails(body.get("fileBody"))
                rows = body.get("jsonBody")
                self.contact_emails |= {
                    row["email"]
                    for row in (rows if isinstance(rows, list) else [])
                    if isinstance(row, dict)
                    and isinstance(row.get("email"), str)
                    and "@" in row["email"]
                }

    def owns_contact(self, identifier: str) -> bool:
        """True when ``identifier`` (an id or an email) is a contact this run created."""
        with self._lock:
            return identifier in self.contact_emails or (
                identifier.isdigit() and int(identifier) in self.contact_ids
            )

    def owns_list(self, list_id: Any) -> bool:
        """True when ``list_id`` is a list this run created."""
        with self._lock:
            return isinstance(list_id, int) and list_id in self.list_ids

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready copy (sorted lists), for the run's record file."""
        with self._lock:
            return {
                "contact_ids": sorted(self.contact_ids),
                "contact_emails": sorted(self.contact_emails),
                "list_ids": sorted(self.list_ids),
                "folder_ids": sorted(self.folder_ids),
                "attributes": sorted([list(pair) for pair in self.attributes]),
            }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WriteRecord:
        """The record :meth:`to_json` wrote."""
        return cls(
            contact_ids={int(v) for v in data.get("contact_ids", [])},
            contact_emails={str(v) for v in data.get("contact_emails", [])},
            list_ids={int(v) for v in data.get("list_ids", [])},
            folder_ids={int(v) for v in data.get("folder_ids", [])},
            attributes={(str(c), str(n)) for c, n in data.get("attributes", [])},
        )


def keep_off_existing_data(path_parameters: Any, owned: WriteRecord | None = None) -> Any:
    """Point a mutating call's path at something the run owns, never at existing data.

    Fuzzing draws contact ids, list ids, emails and attribute names at random; against a
    real account, ``deleteContact 12`` would delete somebody's contact 12. Values of the
    right shape are moved out of reach (ids into a range no account has, names and emails
    under the prefix); values of the wrong shape (negative tests) are left as they are.

    Args:
        path_parameters: the call's path parameters.
        owned: what this run created; its values are left where they point (stateful
            links). None: move everything of the right shape.

    Returns:
        The (possibly) moved path parameters.
    """
    if not isinstance(path_parameters, dict):
        return path_parameters
    params = dict(path_parameters)
    identifier = params.get("identifier")
    # The examples phase gives path values as the URL will carry them: "1" for a list
    # id, "ada%40example.com" for an email. Both are moved like their decoded forms.
    decoded = unquote(identifier) if isinstance(identifier, str) else None
    if owned is not None and decoded is not None and owned.owns_contact(decoded):
        pass  # created by this run (a stateful link): the real target
    elif isinstance(identifier, str) and decoded is not None:
        if decoded.isdigit() and int(decoded) < FOREIGN_ID_BASE:
            params["identifier"] = str(FOREIGN_ID_BASE + int(decoded))
        elif "@" in decoded and not decoded.startswith(WRITE_PREFIX):
            params["identifier"] = WRITE_PREFIX + identifier
    list_id = params.get("listId")
    as_text = isinstance(list_id, str)
    number = int(list_id) if isinstance(list_id, str) and list_id.isdigit() else list_id
    if owned is not None and owned.owns_list(number):
        pass
    elif isinstance(number, int) and not isinstance(number, bool) and 0 <= number < FOREIGN_ID_BASE:
        moved = FOREIGN_ID_BASE + number
        params["listId"] = str(moved) if as_text else moved
    name = params.get("attributeName")
    if isinstance(name, str) and not name.startswith(ATTRIBUTE_PREFIX):
        params["attributeName"] = ATTRIBUTE_PREFIX + name
    return params
