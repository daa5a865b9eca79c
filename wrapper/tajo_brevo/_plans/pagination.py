"""Offset pagination over Brevo's list endpoints, and the page items as results."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from .. import _adapter as calls
from .._adapter import Call, Result
from ..errors import (
    ValidationError,
)
from ._base import Plan

#: Brevo's page-size caps: GET /contacts takes limit <= 1000, lists and folders <= 50.
CONTACTS_PAGE_MAX = 1000
LISTS_PAGE_MAX = 50
FOLDERS_PAGE_MAX = 50
#: A safety stop for pagination: 10 million contacts at 1000 per page.
_MAX_PAGES = 10_000


class Pager:
    """Offset pagination over one list endpoint (sans-IO).

    ``next_call()`` gives the next page's call or None when done; ``read_page(result)`` returns
    that page's items. Stops on a short page, when ``count`` is reached, or after
    ``_MAX_PAGES`` pages.
    """

    def __init__(self, make_call: Callable[[int, int], Call], key: str, page_size: int) -> None:
        self._make_call = make_call
        self._key = key
        self._page_size = page_size
        self._offset = 0
        self._pages = 0
        self._done = False

    def next_call(self) -> Call | None:
        if self._done or self._pages >= _MAX_PAGES:
            return None
        return self._make_call(self._page_size, self._offset)

    def read_page(self, result: Result) -> list[dict[str, Any]]:
        body = result.body if isinstance(result.body, dict) else {}
        page = [item for item in body.get(self._key) or [] if isinstance(item, dict)]
        self._pages += 1
        self._offset += len(page)
        count = body.get("count")
        if len(page) < self._page_size or (isinstance(count, int) and self._offset >= count):
            self._done = True
        return page


def _page_size(page_size: object, cap: int) -> int:
    if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
        raise ValidationError([("page_size", f"must be an int >= 1, got {page_size!r:.60}")])
    return min(page_size, cap)


def contacts_pager(modified_since: dt.datetime | None, page_size: int) -> Pager:
    if modified_since is not None and not isinstance(modified_since, dt.datetime):
        raise ValidationError(
            [("modified_since", f"must be a datetime or None, got {modified_since!r:.60}")]
        )
    size = _page_size(page_size, CONTACTS_PAGE_MAX)
    return Pager(
        lambda limit, offset: calls.list_contacts_call(
            limit=limit, offset=offset, modified_since=modified_since
        ),
        "contacts",
        size,
    )


def lists_pager(page_size: int = LISTS_PAGE_MAX) -> Pager:
    return Pager(
        lambda limit, offset: calls.list_lists_call(limit=limit, offset=offset),
        "lists",
        _page_size(page_size, LISTS_PAGE_MAX),
    )


def folders_pager(page_size: int = FOLDERS_PAGE_MAX) -> Pager:
    return Pager(
        lambda limit, offset: calls.list_folders_call(limit=limit, offset=offset),
        "folders",
        _page_size(page_size, FOLDERS_PAGE_MAX),
    )


def all_pages(pager: Pager) -> Plan[list[dict[str, Any]]]:
    items: list[dict[str, Any]] = []
    while (call := pager.next_call()) is not None:
        items.extend(pager.read_page((yield call)))
    return items
