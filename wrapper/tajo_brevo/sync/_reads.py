"""The account read back: contacts modified in Brevo since the last run, read once a run.

``GET /contacts?modifiedSince=`` (1,000 a page) returns every contact whose record changed
since a time, this tool's own writes included. Phases that want these contacts register an
*observer* (a function of one page) on the run context before the read; the engine then
reads the pages once and hands each page to every observer, so a second phase that needs
them (consent, drift) costs no extra request.

The cursor (where the next read starts) is kept in the state's meta table and moved to
the end of every run that completes (not a dry run, not a stopped run): the run's own
writes are then behind it, so a plain nightly run reads only what others changed (one
request when fewer than 1,000 contacts changed). It is measured on this machine's clock;
a change made in Brevo while a run is under way, after the run's read, is seen the next
time that contact changes (the drift checks, measuring on Brevo's clock, can tighten
this: they share this read).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .. import _adapter as calls
from ._context import RunContext
from ._effects import Plan

__all__ = ["PAGE", "Observer", "advance", "read_modified"]

#: Contacts per page (Brevo's most).
PAGE = 1000
_CURSOR = "modified_cursor"

#: Called with each page of modified contacts (Brevo's contact objects).
Observer = Callable[[Sequence[Mapping[str, Any]]], None]


def read_modified(ctx: RunContext, observers: Sequence[Observer]) -> Plan:
    """Read the contacts modified since the last completed run and hand every page to
    ``observers``. The first run reads nothing (there is no earlier run to compare
    with). Returns the contacts read.
    """
    since = ctx.state.meta(_CURSOR)
    read = 0
    if since is None or not observers:
        return read
    cursor = dt.datetime.fromisoformat(since)
    offset = 0
    for _ in range(1_000_000):  # bounded by the pages of modified contacts
        page = yield from ctx.call(
            calls.list_contacts_call(limit=PAGE, offset=offset, modified_since=cursor)
        )
        body = page.body if isinstance(page.body, dict) else {}
        contacts = [c for c in body.get("contacts") or [] if isinstance(c, dict)]
        for observe in observers:
            observe(contacts)
        read += len(contacts)
        offset += len(contacts)
        if len(contacts) < PAGE:
            break
    return read


def advance(ctx: RunContext, now: dt.datetime | None = None) -> None:
    """A run completed: the next read starts now (after this run's own writes)."""
    if not ctx.options.dry_run:
        ctx.state.set_meta(_CURSOR, (now or dt.datetime.now(dt.UTC)).isoformat())
