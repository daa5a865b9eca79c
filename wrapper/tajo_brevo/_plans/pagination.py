"""Offset pagination over Brevo's list endpoints, and the page items as results."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from .. import _adapter as calls
from .._adapter import _Call, _Result
from ..errors import (
    ValidationError,
)
from ..results import (
    Contact,
    ContactListInfo,
    FolderInfo,
)
from ._base import Plan, _int

#: Brevo's page-size caps (BREVO_FACTS: contacts 1000; lists and folders 50).
CONTACTS_PAGE_MAX = 1000
LISTS_PAGE_MAX = 50
FOLDERS_PAGE_MAX = 50
#: A safety stop for pagination: 10 million contacts at 1000 per page.
_MAX_PAGES = 10_000


class _Pager:
    """Offset pagination over one list endpoint (sans-IO).

    ``next_call()`` gives the next page's call or None when done; ``read_page(result)`` returns
    that page's items. Stops on a short page, when ``count`` is reached, or after
    ``_MAX_PAGES`` pages.
    """

    def __init__(self, make_call: Callable[[int, int], _Call], key: str, page_size: int) -> None:
        if page_size < 1:
            raise ValidationError([("page_size", f"must be >= 1, got {page_size}")])
        self._make_call = make_call
        self._key = key
        self._page_size = page_size
        self._offset = 0
        self._pages = 0
        self._done = False

    def next_call(self) -> _Call | None:
        if self._done or self._pages >= _MAX_PAGES:
            return None
        return self._make_call(self._page_size, self._offset)

    def read_page(self, result: _Result) -> list[dict[str, Any]]:
        body = result.body if isinstance(result.body, dict) else {}
        page = [item for item in body.get(self._key) or [] if isinstance(item, dict)]
        self._pages += 1
        self._offset += len(page)
        count = body.get("count")
        if len(page) < self._page_size or (isinstance(count, int) and self._offset >= count):
            self._done = True
        return page


def contacts_pager(modified_since: dt.datetime | None, page_size: int) -> _Pager:
    size = min(page_size, CONTACTS_PAGE_MAX)
    return _Pager(
        lambda limit, offset: calls.list_contacts_call(
            limit=limit, offset=offset, modified_since=modified_since
        ),
        "contacts",
        size,
    )


def lists_pager(page_size: int = LISTS_PAGE_MAX) -> _Pager:
    return _Pager(
        lambda limit, offset: calls.list_lists_call(limit=limit, offset=offset),
        "lists",
        min(page_size, LISTS_PAGE_MAX),
    )


def folders_pager(page_size: int = FOLDERS_PAGE_MAX) -> _Pager:
    return _Pager(
        lambda limit, offset: calls.list_folders_call(limit=limit, offset=offset),
        "folders",
        min(page_size, FOLDERS_PAGE_MAX),
    )


def _all_pages(pager: _Pager) -> Plan[list[dict[str, Any]]]:
    items: list[dict[str, Any]] = []
    while (call := pager.next_call()) is not None:
        items.extend(pager.read_page((yield call)))
    return items


def to_contact(item: Mapping[str, Any]) -> Contact:
    modified: dt.datetime | None = None
    raw_modified = item.get("modifiedAt")
    if isinstance(raw_modified, str):
        try:
            modified = dt.datetime.fromisoformat(raw_modified.replace("Z", "+00:00"))
        except ValueError:
            modified = None
    return Contact(
        id=_int(item.get("id")) or 0,
        email=item.get("email") if isinstance(item.get("email"), str) else None,
        attributes=dict(item.get("attributes") or {}),
        list_ids=tuple(i for i in item.get("listIds") or [] if isinstance(i, int)),
        email_blacklisted=bool(item.get("emailBlacklisted", False)),
        modified_at=modified,
        raw=dict(item),
    )


def to_list_info(item: Mapping[str, Any]) -> ContactListInfo:
    return ContactListInfo(
        id=_int(item.get("id")) or 0,
        name=str(item.get("name", "")),
        folder_id=_int(item.get("folderId")),
        total_subscribers=_int(item.get("totalSubscribers")),
    )


def to_folder_info(item: Mapping[str, Any]) -> FolderInfo:
    return FolderInfo(id=_int(item.get("id")) or 0, name=str(item.get("name", "")))
