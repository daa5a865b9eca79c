"""Brevo's asynchronous contact export: request it, follow its process, read its file.

One ``POST /contacts/export`` reads a whole list (or the contacts modified since a
moment), where paging a million contacts through ``GET /contacts`` takes 1,000 requests.
Brevo answers 202 ``{processId}`` (or 200 ``{}`` when no contact matches: nothing to
read); the process (``GET /processes/{id}``) ends ``completed`` with ``export_url``, a
CSV file of the contacts, or ``failed`` / ``cancelled``.

The pieces are sans-IO, so the clients and the sync engine share them:
:class:`ContactExport` checks the arguments (before any request) and builds the request,
follows the process (bounded polling with exponential backoff, like the sync follows
its imports) and parses the file incrementally (:class:`ExportParser`, fed text as it
arrives: the file is never held whole). :func:`export_rows` and
:func:`export_rows_async` drive them with the caller's I/O: ``execute`` (one API call),
``sleep`` and ``stream`` (the file's text, chunk by chunk).

The file: a header line, then one contact per line. The separator is read from the
header (``;`` as Brevo's import and report files use, or ``,``); ``_listIds`` holds the
contact's list ids separated by ``,`` (or ``|`` / spaces); dates are ISO 8601.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
)
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from typing import Any, Final

import httpx

from .. import _adapter as calls
from .._adapter import Call, Result
from .._profile_codec import EXTRA_NAME_RE
from ..attributes import text_problem
from ..errors import ExportError, NotFoundError, ValidationError
from ..results import ExportedContact
from ._base import Plan, Sleep, WaitingPlan
from .driving import AsyncDriver, BlockingDriver

__all__ = [
    "EXPORT_ACTIONS",
    "ContactExport",
    "ExportParser",
    "checked_file_url",
    "export_rows",
    "export_rows_async",
]

#: customContactFilter.actionForContacts (brevo-python 5.1.0).
EXPORT_ACTIONS: Final = ("allContacts", "subscribed", "unsubscribed", "unsubscribedPerList")
#: Statuses after which a process never changes (brevo-python 5.1.0 GetProcessResponseStatus).
_FAILED = frozenset({"failed", "cancelled"})
#: Columns that are not attributes (exportMandatoryAttributes, exportMetadata).
_EMAIL, _ADDED, _MODIFIED, _LIST_IDS = "EMAIL", "ADDED_TIME", "MODIFIED_TIME", "_listIds"
#: A bound on polls, whatever the intervals (the timeout ends them first).
_MAX_POLLS = 100_000


def _brevo_time(moment: dt.datetime) -> str:
    """RFC 3339 with milliseconds and the offset, as Brevo's date filters take it."""
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_time(text: str) -> dt.datetime | None:
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


class ContactExport:
    """One contact export: its checked arguments, its request and its process (sans-IO).

    Args:
        list_id: export this list's contacts (or ``segment_id``).
        segment_id: export this segment's contacts.
        action: ``allContacts`` (default), ``subscribed``, ``unsubscribed`` (blacklisted
            by any means) or ``unsubscribedPerList``.
        modified_since: only contacts modified since then (timezone-aware).
        created_since: only contacts created since then (timezone-aware).
        attributes: attribute names to export besides EMAIL (they must exist).
        list_ids: export each contact's list ids (``_listIds``).
        poll_interval: first wait between two reads of the process, in seconds; it
            doubles up to ``max_poll_interval``.
        max_poll_interval: longest wait between two reads.
        timeout: seconds of waiting after which :class:`ExportError` is raised.

    Raises:
        ValidationError: a bad argument (nothing is sent). Brevo needs a list, a segment
            or a date filter to export from.
    """

    def __init__(
        self,
        *,
        list_id: int | None = None,
        segment_id: int | None = None,
        action: str = "allContacts",
        modified_since: dt.datetime | None = None,
        created_since: dt.datetime | None = None,
        attributes: Iterable[str] = (),
        list_ids: bool = True,
        poll_interval: float = 1.0,
        max_poll_interval: float = 10.0,
        timeout: float = 1800.0,
    ) -> None:
        problems: list[tuple[str, str]] = []
        for name, value in (("list_id", list_id), ("segment_id", segment_id)):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or not 1 <= value < 2**63
            ):
                problems.append((name, f"must be an int >= 1 or None, got {value!r:.60}"))
        if list_id is not None and segment_id is not None:
            problems.append(("segment_id", "give list_id or segment_id, not both"))
        if action not in EXPORT_ACTIONS:
            problems.append(("action", f"must be one of {', '.join(EXPORT_ACTIONS)}"))
        for name, moment in (("modified_since", modified_since), ("created_since", created_since)):
            if moment is None:
                continue
            if not isinstance(moment, dt.datetime) or moment.tzinfo is None:
                # Brevo refuses a date-time without its offset.
                problems.append((name, f"must be a timezone-aware datetime, got {moment!r:.60}"))
        if (
            list_id is None
            and segment_id is None
            and modified_since is None
            and created_since is None
        ):
            problems.append(("list_id", "give list_id, segment_id or a date filter"))
        if isinstance(attributes, str | bytes) or not isinstance(attributes, Iterable):
            attributes = ()
            problems.append(("attributes", "must be a sequence of attribute names"))
        attributes = tuple(attributes)
        if not all(
            isinstance(a, str)
            and text_problem(a) is None
            and EXTRA_NAME_RE.fullmatch(a.strip().upper())
            for a in attributes
        ):
            problems.append(("attributes", "must be a sequence of attribute names"))
        if not isinstance(list_ids, bool):
            problems.append(("list_ids", f"must be True or False, got {list_ids!r:.60}"))
        for name, seconds, least in (
            # A wait of 0 between polls would never grow (it doubles): a tight loop.
            ("poll_interval", poll_interval, math.ulp(0)),
            ("max_poll_interval", max_poll_interval, math.ulp(0)),
            ("timeout", timeout, 0),
        ):
            if (
                isinstance(seconds, bool)
                or not isinstance(seconds, int | float)
                or not least <= seconds < math.inf
            ):
                bound = "> 0" if least else ">= 0"
                problems.append((name, f"must be seconds {bound}, got {seconds!r:.60}"))
        if problems:
            raise ValidationError(problems)
        filter_: dict[str, Any] = {"actionForContacts": action}
        if list_id is not None:
            filter_["listId"] = list_id
        if segment_id is not None:
            filter_["segmentId"] = segment_id
        if modified_since is not None:
            filter_["modifiedSince"] = _brevo_time(modified_since)
        if created_since is not None:
            filter_["createdSince"] = _brevo_time(created_since)
        names = [a.strip().upper() for a in attributes]
        self.body: dict[str, Any] = {
            "customContactFilter": filter_,
            "exportMandatoryAttributes": True,  # EMAIL, ADDED_TIME, MODIFIED_TIME
            "exportDateInUTC": True,
            "disableNotification": True,  # no email to the account's owner per export
        }
        if names:
            self.body["exportAttributes"] = list(dict.fromkeys(n for n in names if n != _EMAIL))
        if list_ids:
            self.body["exportMetadata"] = [_LIST_IDS]
        self.process_id: int | None = None
        self.status = "queued"
        self.waited = 0.0
        self._interval = max(float(poll_interval), 0.01)
        self._max_interval = max(float(max_poll_interval), self._interval)
        self._timeout = float(timeout)

    def request_plan(self) -> Plan[int | None]:
        """Send the export request: the process id, or None when no contact matches."""
        result = yield calls.request_contact_export_call(self.body)
        body = result.body if isinstance(result.body, dict) else {}
        process_id = calls.as_int(body.get("processId"))
        if process_id is None and result.status_code != 200:
            # Queued, but with nothing to follow: never read as "no contact matches".
            raise ExportError(
                f"Brevo answered {result.status_code} without a process id",
                process_id=0,
                status="unknown",
            )
        self.process_id = process_id
        return process_id

    def file_plan(self) -> WaitingPlan[str | None]:
        """Request the export and follow its process: the file's URL, or None when no
        contact matches (Brevo made no file).

        Raises:
            ExportError: the export failed, was cancelled, Brevo lost its process, or it
                was not ready in time.
        """
        if (yield from self.request_plan()) is None:
            return None
        for _ in range(_MAX_POLLS):
            try:
                result = yield self.process_call()
            except NotFoundError as exc:
                raise self.unknown_process(exc) from exc
            url = self.read_process(result)
            if url is not None:
                return url
            yield Sleep(self.next_wait())
        raise ExportError("too many polls", **self._where())  # pragma: no cover - timeout first

    def process_call(self) -> Call:
        """The read of the export's process (after :meth:`request_plan` gave an id)."""
        assert self.process_id is not None, "request the export first"
        return calls.get_process_call(self.process_id)

    def read_process(self, result: Result) -> str | None:
        """The file's URL once the process is completed, else None (poll again).

        Raises:
            ExportError: the process failed, was cancelled, or completed without a file.
        """
        assert self.process_id is not None
        body = result.body if isinstance(result.body, dict) else {}
        self.status = str(body.get("status") or "unknown")
        if self.status in _FAILED:
            raise ExportError(f"Brevo's export {self.status}", **self._where())
        if self.status != "completed":
            return None
        url = body.get("export_url")
        if not isinstance(url, str) or not url:
            raise ExportError("completed without an export_url", **self._where())
        return url

    def next_wait(self) -> float:
        """Seconds to wait before the next read of the process (doubling, capped).

        Raises:
            ExportError: waiting longer would pass the timeout.
        """
        if self.waited >= self._timeout:
            raise ExportError(
                f"not completed after {self.waited:g} s (still {self.status})", **self._where()
            )
        wait = min(self._interval, self._max_interval, self._timeout - self.waited)
        self._interval = min(self._interval * 2, self._max_interval)
        self.waited += wait
        return wait

    def unknown_process(self, exc: NotFoundError) -> ExportError:
        """What a 404 on the process means: Brevo lost it; the export gives nothing."""
        error = ExportError("Brevo does not know this process", **self._where())
        error.__cause__ = exc
        return error

    def _where(self) -> dict[str, Any]:
        return {"process_id": self.process_id or 0, "status": self.status}


def checked_file_url(url: str, base_url: str) -> str:
    """The export file's URL, refused unless it is HTTPS or on the API's own origin.

    The file holds the contacts' data: never fetched over plain HTTP from elsewhere.
    Returns the URL without its query (safe to put in a message: a storage link's
    query may carry its signature).

    Raises:
        ExportError: a URL the client won't fetch.
    """
    try:
        target, base = httpx.URL(url), httpx.URL(base_url)
    except (httpx.InvalidURL, TypeError):
        raise ExportError("export_url is not a URL", process_id=0, status="completed") from None
    same_origin = (target.scheme, target.host, target.port) == (base.scheme, base.host, base.port)
    if target.scheme != "https" and not same_origin:
        raise ExportError(
            f"export_url {target.scheme}://{target.host}: not HTTPS, not fetched",
            process_id=0,
            status="completed",
        )
    return str(target.copy_with(query=None, fragment=None))


class ExportParser:
    """Turns an export file's text, fed in chunks of any size, into contacts.

    ``feed(text)`` returns the contacts completed by that text; ``close()`` the rest.
    Memory holds one chunk and one unfinished record (a quoted cell may span lines: a
    record ends at a line end outside quotes, which the parity of ``"`` tells).
    """

    def __init__(self) -> None:
        self._pending = ""
        self._delimiter = ";"
        self._columns: _Columns | None = None

    def feed(self, text: str) -> list[ExportedContact]:
        """The contacts whose lines ``text`` completes."""
        pending = self._pending + text
        end = pending.rfind("\n") + 1
        if not end:
            self._pending = pending
            return []
        complete = pending[:end]
        if complete.count('"') % 2:
            # The last line end is inside a quoted cell: cut at the last one outside.
            end = _last_record_end(complete)
            complete = pending[:end]
        self._pending = pending[end:]
        return self._records(complete)

    def close(self) -> list[ExportedContact]:
        """The last contacts (a file without a final line end, or a quote left open)."""
        rest, self._pending = self._pending, ""
        return self._records(rest) if rest.strip() else []

    def _records(self, text: str) -> list[ExportedContact]:
        if not text:
            return []
        lines = text.splitlines(keepends=True)
        out: list[ExportedContact] = []
        if self._columns is None:
            while lines and not lines[0].strip():
                lines.pop(0)
            if not lines:
                return out
            head = lines[0]
            self._delimiter = ";" if head.count(";") >= head.count(",") else ","
            names = next(csv.reader([head], delimiter=self._delimiter), [])
            self._columns = _Columns([n.strip().lstrip("\ufeff") for n in names])
            lines = lines[1:]
        columns = self._columns
        for cells in csv.reader(lines, delimiter=self._delimiter):
            if cells:
                out.append(columns.contact(cells))
        return out


def _last_record_end(text: str) -> int:
    """Index just after the last line end that is outside quotes (0 when none is)."""
    outside = True
    last = 0
    for index, char in enumerate(text):
        if char == '"':
            outside = not outside
        elif char == "\n" and outside:
            last = index + 1
    return last


class _Columns:
    """Where each part of a contact is in the file's rows (from its header)."""

    def __init__(self, names: list[str]) -> None:
        upper = [n.upper() for n in names]

        def at(name: str, *, exact: bool = False) -> int | None:
            found = names if exact else upper
            return found.index(name) if name in found else None

        self.email = at(_EMAIL)
        self.added = at(_ADDED)
        self.modified = at(_MODIFIED)
        self.list_ids = at(_LIST_IDS, exact=True)
        special = {self.email, self.added, self.modified, self.list_ids}
        self.attributes = [(i, n) for i, n in enumerate(names) if i not in special]
        self.width = len(names)

    def contact(self, cells: list[str]) -> ExportedContact:
        if len(cells) < self.width:
            cells = cells + [""] * (self.width - len(cells))
        list_ids: frozenset[int] | None = None
        if self.list_ids is not None:
            raw = cells[self.list_ids]
            try:
                list_ids = frozenset(map(int, raw.split(","))) if raw else frozenset()
            except ValueError:  # another separator, or spaces
                parts = raw.replace("|", ",").replace(" ", ",").split(",")
                list_ids = frozenset(int(p) for p in parts if p.isdigit())
        email = cells[self.email].strip().lower() or None if self.email is not None else None
        return ExportedContact(
            email=email,
            attributes={name: cells[i] for i, name in self.attributes if cells[i] != ""},
            list_ids=list_ids,
            added_at=_parse_time(cells[self.added]) if self.added is not None else None,
            modified_at=_parse_time(cells[self.modified]) if self.modified is not None else None,
        )


def export_rows(
    export: ContactExport,
    *,
    execute: Callable[[Call], Result],
    sleep: Callable[[float], None],
    stream: Callable[[str], AbstractContextManager[Iterable[str]]],
) -> Iterator[ExportedContact]:
    """Run an export with blocking I/O, yielding its contacts as the file arrives.

    Args:
        export: the export (its arguments checked).
        execute: sends one API call (the client's paced, retried transport).
        sleep: waits between reads of the process.
        stream: opens the file's URL and gives its text chunk by chunk (never with the
            API key: the URL is a storage link).

    Raises:
        ExportError: the export failed, was cancelled or was not ready in time.
        CommunicationError: a request failed.
    """
    url = BlockingDriver(execute=execute, sleep=sleep).run(export.file_plan())
    if url is None:
        return  # no contact matches: Brevo made no file
    parser = ExportParser()
    with stream(url) as chunks:
        for text in chunks:
            yield from parser.feed(text)
    yield from parser.close()


async def export_rows_async(
    export: ContactExport,
    *,
    execute: Callable[[Call], Awaitable[Result]],
    sleep: Callable[[float], Awaitable[None]],
    stream: Callable[[str], AbstractAsyncContextManager[AsyncIterable[str]]],
) -> AsyncIterator[ExportedContact]:
    """The async twin of :func:`export_rows`."""
    url = await AsyncDriver(execute=execute, sleep=sleep).run(export.file_plan())
    if url is None:
        return
    parser = ExportParser()
    async with stream(url) as chunks:
        async for text in chunks:
            for contact in parser.feed(text):
                yield contact
    for contact in parser.close():
        yield contact
