"""Contact exports (``POST /contacts/export``), processed in the background like imports.

The request is checked at once: 400 for what production refuses, 200 ``{}`` (and no
process) when no contact matches, else 202 ``{processId}``. The export then runs on the
account's one process worker (the imports' queue, so processes run in order): its process
goes ``queued`` -> ``in_process`` -> ``completed`` and, completed, carries ``export_url``,
a CSV file the mock serves itself on the address the client used (no api-key: like a
signed storage link, the URL is the permission; a random token makes it unguessable).

The file is what production gives as far as its documentation says, and decided where
it says nothing (``docs/mock-accounts-and-export.md`` lists the decisions):

- ``;``-separated (Brevo's own import files and report files use ``;``), a header line,
  UTF-8, ``\\n`` line ends, cells quoted only when they contain ``;``, ``"`` or a line end;
- columns: ``EMAIL``, ``ADDED_TIME``, ``MODIFIED_TIME`` when ``exportMandatoryAttributes``
  (default true), then ``exportAttributes`` in the order given (upper case), then
  ``exportMetadata`` (``_listIds``: the contact's list ids joined by ``,``), then
  ``exportSubscriptionStatus`` (``subscribed`` / ``unsubscribed``);
- dates as Brevo's API writes them (``2026-10-01T08:30:00.000Z``; the mock's account
  time zone is UTC, so ``exportDateInUTC`` changes nothing), booleans ``true``/``false``.

The selection is taken when the export is processed (the file is a snapshot of that
moment), and the CSV is built in chunks of :data:`EXPORT_CHUNK_ROWS` contacts, one hold
of the account lock each, so other requests keep being answered during a 1M-contact
export; each chunk is kept zlib-compressed (a 1M-contact file is ~100 MB of text) and
streamed back, one chunk at a time, on download. Not offloaded to the helper process
(``_offload``): the rows live in this process, and shipping them there would cost what
rendering them does.
"""

from __future__ import annotations

import csv
import io
import secrets
import time
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ._base import Contact, MockAPIError, format_timestamp, invalid, missing
from ._imports import GIL_PAUSE, ImportsMixin, is_loopback_url
from ._processes import REPORT_PATH

#: Contacts rendered per hold of the account lock.
EXPORT_CHUNK_ROWS = 5000
#: Process name of a contact export (brevo-python 5.1.0 GetProcessResponseName lists
#: CONTACT_EXPORT next to IMPORTUSER; its export_url doc also names SEARCH_EXPORT_USERS).
EXPORT_PROCESS_NAME = "CONTACT_EXPORT"
#: The mandatory attributes (exportMandatoryAttributes, brevo-python 5.1.0 docstring).
MANDATORY_COLUMNS = ("EMAIL", "ADDED_TIME", "MODIFIED_TIME")
#: exportMetadata values the mock knows (the SDK's examples).
METADATA_COLUMNS = ("_listIds", "ADDED_TIME", "MODIFIED_TIME")
#: exportSubscriptionStatus values (brevo-python 5.1.0 docstring).
SUBSCRIPTION_COLUMNS = ("email_marketing", "sms_marketing")
#: Name of the export file on the process's path: export-{token}.csv
_FILE_PREFIX = "export-"
_FINISHED = frozenset({"completed", "failed", "cancelled"})


@dataclass
class ExportProcess:
    """One contact export and its process (``GET /processes/{id}``).

    Attributes:
        id: the process id (the 202's ``processId``).
        status: ``queued``, ``in_process``, ``completed`` or ``failed``.
        rows: contacts in the file (once completed).
        size: bytes of the file (once completed).
        chunks: the file, in zlib-compressed chunks.
        token: the random part of the file's URL.
    """

    id: int
    root_url: str = ""
    files_path: str = REPORT_PATH
    status: str = "queued"
    name: str = EXPORT_PROCESS_NAME
    rows: int = 0
    size: int = 0
    chunks: list[bytes] = field(default_factory=list)
    token: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    notify_url: str | None = None
    error: str | None = None

    @property
    def finished(self) -> bool:
        """The process will not change any more."""
        return self.status in _FINISHED

    @property
    def export_url(self) -> str:
        """Where the file is served (on the mock's own address)."""
        return f"{self.root_url}{self.files_path}/{self.id}/{_FILE_PREFIX}{self.token}.csv"

    def to_json(self) -> dict[str, Any]:
        """The process as ``GET /processes/{id}`` answers it."""
        out: dict[str, Any] = {"id": self.id, "name": self.name, "status": self.status}
        if self.status == "completed":
            out["export_url"] = self.export_url
        return out

    def file_chunks(self) -> Iterator[bytes]:
        """The file's bytes, one decompressed chunk at a time."""
        for chunk in self.chunks:
            yield zlib.decompress(chunk)


@dataclass(frozen=True)
class _Selection:
    """Which contacts an export takes (the filter, checked)."""

    action: str
    list_id: int | None
    modified_since: datetime | None
    created_since: datetime | None


@dataclass
class _ExportJob:
    process: ExportProcess
    selection: _Selection
    columns: list[str]


def _moment(value: Any, name: str) -> datetime | None:
    """An RFC 3339 date-time with its offset (a date alone, or no offset: 400)."""
    if value is None:
        return None
    text = str(value)
    if "T" not in text.upper():
        raise invalid(f"customContactFilter.{name}: give a date-time, not a date alone")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise invalid(f"customContactFilter.{name}: not an RFC 3339 date-time") from None
    if moment.tzinfo is None:
        raise invalid(f"customContactFilter.{name}: give the offset (Z or +HH:MM)")
    return moment.astimezone(UTC)


class ExportsMixin(ImportsMixin):
    """Contact exports of :class:`MockState` (on the imports' process worker)."""

    # ------------------------------------------------------------------ the request

    def request_contact_export(self, body: Mapping[str, Any], *, root_url: str = "") -> int | None:
        """requestContactExport: check, then queue; None when no contact matches (200 {}).

        Raises:
            MockAPIError: 400 for a request production refuses.
        """
        with self.lock:
            selection = self._export_selection(body.get("customContactFilter") or {})
            columns = self._export_columns(body)
            if selection is None or next(self._selected(selection), None) is None:
                return None
            process = ExportProcess(
                id=self._new_id("import"),  # one id sequence for every process
                root_url=root_url.rstrip("/"),
                files_path=self.files_path,
                notify_url=body.get("notifyUrl"),
            )
            self._processes[process.id] = process
            job = _ExportJob(process, selection, columns)
        self._submit(job)
        return process.id

    def _export_selection(self, raw: Mapping[str, Any]) -> _Selection | None:
        """The checked filter, or None when it selects nothing in the mock (no campaigns)."""
        action = raw.get("actionForContacts")
        campaign = raw.get("actionForEmailCampaigns") or raw.get("actionForSmsCampaigns")
        if action is None and campaign is None:
            raise missing(
                "customContactFilter.actionForContacts is missing: give it, or "
                "actionForEmailCampaigns or actionForSmsCampaigns"
            )
        list_id = raw.get("listId")
        segment_id = raw.get("segmentId")
        if list_id is not None and segment_id is not None:
            raise invalid("customContactFilter: give listId or segmentId, not both")
        if segment_id is not None:
            # The mock has no segments (they are built in Brevo's interface).
            raise invalid(f"customContactFilter.segmentId: segment not found: {segment_id}")
        if list_id is not None and list_id not in self.lists:
            raise invalid(f"customContactFilter.listId: list id not found: {list_id}")
        modified_since = _moment(raw.get("modifiedSince"), "modifiedSince")
        created_since = _moment(raw.get("createdSince"), "createdSince")
        if action is None:
            if (
                raw.get("actionForEmailCampaigns")
                in (
                    "openers",
                    "nonOpeners",
                    "clickers",
                    "nonClickers",
                    "unsubscribed",
                )
                and raw.get("emailCampaignId") is None
            ):
                raise missing("customContactFilter.emailCampaignId is missing")
            if raw.get("emailCampaignId") is not None or raw.get("smsCampaignId") is not None:
                raise invalid("customContactFilter: campaign not found (the mock has none)")
            return None  # no campaign sent from the mock: nobody opened, bounced, ...
        if list_id is None and modified_since is None and created_since is None:
            raise missing(
                "customContactFilter.listId is missing: give listId or segmentId "
                "(or a modifiedSince / createdSince date filter)"
            )
        return _Selection(str(action), list_id, modified_since, created_since)

    def _export_columns(self, body: Mapping[str, Any]) -> list[str]:
        """The file's header, checked against the account (unknown names: 400)."""
        mandatory = body.get("exportMandatoryAttributes")
        columns: list[str] = list(MANDATORY_COLUMNS) if mandatory is None or mandatory else []
        wanted = list(body.get("exportAttributes") or [])
        if not columns and not wanted:
            raise missing(
                "exportAttributes is missing: it is required when exportMandatoryAttributes "
                "is false"
            )
        unknown = [str(n) for n in wanted if str(n).upper() not in self.attributes]
        if unknown:
            raise invalid(f"exportAttributes: attributes not found: {', '.join(unknown)}")
        for name in wanted:
            if str(name).upper() not in columns:
                columns.append(str(name).upper())
        for key, allowed in (
            ("exportMetadata", METADATA_COLUMNS),
            ("exportSubscriptionStatus", SUBSCRIPTION_COLUMNS),
        ):
            for name in body.get(key) or []:
                if name not in allowed:
                    raise invalid(f"{key}: {name!r} is not one of {', '.join(allowed)}")
                if name not in columns:
                    columns.append(name)
        return columns

    def _selected(self, selection: _Selection) -> Iterator[Contact]:
        """The contacts the filter takes, oldest first (call it holding the lock)."""
        if selection.action == "unsubscribedPerList":
            # Unsubscribing from one list only is not modelled by the mock: nobody is.
            return
        if selection.list_id is not None:
            source: Iterator[Contact] = (
                self.contacts[i] for i in sorted(self._members.get(selection.list_id, ()))
            )
        else:
            source = iter(self.contacts.values())
        modified, created = selection.modified_since, selection.created_since
        for contact in source:
            if selection.action == "subscribed" and contact.email_blacklisted:
                continue
            if selection.action == "unsubscribed" and not contact.email_blacklisted:
                continue
            if modified is not None and contact.modified_at < modified:
                continue
            if created is not None and contact.created_at < created:
                continue
            yield contact

    # ------------------------------------------------------------------ the worker

    def _process_job(self, job: Any) -> None:
        if isinstance(job, _ExportJob):
            self._run_export(job)
        else:
            super()._process_job(job)

    def _run_export(self, job: _ExportJob) -> None:
        process = job.process
        if self.import_delay:
            self._sleep(self.import_delay)
        with self.lock:
            process.status = "in_process"
            # The selection as it stands now: the file is a snapshot of this moment.
            ids = [c.id for c in self._selected(job.selection)]
        header = io.StringIO()
        csv.writer(header, delimiter=";", lineterminator="\n").writerow(job.columns)
        first = header.getvalue().encode()
        process.chunks.append(zlib.compress(first, 1))
        size = len(first)
        rows = 0
        for start in range(0, len(ids), EXPORT_CHUNK_ROWS):
            with self.lock:
                text, count = _render(
                    self.contacts, ids[start : start + EXPORT_CHUNK_ROWS], job.columns
                )
            data = text.encode()
            process.chunks.append(zlib.compress(data, 1))
            size += len(data)
            rows += count
            self.lock.yield_to_waiters()
            if GIL_PAUSE:
                time.sleep(GIL_PAUSE)  # see the imports' worker: let a waiting request in
        with self.lock:
            process.rows = rows
            process.size = size
            process.status = "completed"
        if self._notify is not None and process.notify_url and is_loopback_url(process.notify_url):
            self._notify(process.notify_url, process.to_json())

    # ------------------------------------------------------------------ the file

    def export_file(self, process_id: int, name: str) -> tuple[int, Iterator[bytes]] | None:
        """(size, chunks) of a completed export's file, or None for no such file."""
        with self.lock:
            process = self._processes.get(process_id)
            if (
                not isinstance(process, ExportProcess)
                or process.status != "completed"
                or not secrets.compare_digest(name, f"{_FILE_PREFIX}{process.token}")
            ):
                return None
            return process.size, process.file_chunks()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _render(
    contacts: Mapping[int, Contact], ids: Sequence[int], columns: Sequence[str]
) -> tuple[str, int]:
    """The CSV lines of these contacts (those deleted meanwhile are left out)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    times: dict[datetime, str] = {}  # contacts imported together share their timestamps
    getters = [_getter(name, times) for name in columns]
    count = 0
    rows = []
    for contact_id in ids:
        contact = contacts.get(contact_id)
        if contact is None:
            continue
        rows.append([get(contact) for get in getters])
        count += 1
    writer.writerows(rows)
    return out.getvalue(), count


def _stamp(moment: datetime, times: dict[datetime, str]) -> str:
    text = times.get(moment)
    if text is None:
        text = times[moment] = format_timestamp(moment)
    return text


def _getter(column: str, times: dict[datetime, str]) -> Callable[[Contact], str]:
    if column == "EMAIL":
        return lambda c: c.email or ""
    if column == "ADDED_TIME":
        return lambda c: _stamp(c.created_at, times)
    if column == "MODIFIED_TIME":
        return lambda c: _stamp(c.modified_at, times)
    if column == "_listIds":
        return lambda c: ",".join(map(str, sorted(c.list_ids)))
    if column == "email_marketing":
        return lambda c: "unsubscribed" if c.email_blacklisted else "subscribed"
    if column == "sms_marketing":
        return lambda c: "unsubscribed" if c.sms_blacklisted else "subscribed"
    return lambda c: _cell(c.attributes.get(column))


__all__ = [
    "EXPORT_CHUNK_ROWS",
    "EXPORT_PROCESS_NAME",
    "ExportProcess",
    "ExportsMixin",
    "MockAPIError",
]
