"""Contact imports, processed in the background like production, and their processes.

``POST /contacts/import`` is checked at once (400 for a request Brevo refuses outright),
then queued: the answer is 202 ``{processId}`` and the process goes ``queued`` ->
``in_process`` -> ``completed`` (or ``failed``) while one worker thread applies the rows
in small chunks, taking the account lock per chunk so every other request keeps being
answered. Each row costs O(1) (indexed lookups), so an import is linear in its rows.

Rows Brevo skips (an invalid or non-ASCII address, no identifier, an SMS number another
contact already has) are not imported; a completed process lists them in CSV report
files (``info.import``), which the mock serves itself under ``/_mock/processes/``.

A large import body (``_offload``) is parsed, validated and split into rows in a helper
process (:func:`prepare_rows`): the server process then only unpickles small batches of
ready rows and applies them, so no request waits behind a long parse holding the GIL.
"""

from __future__ import annotations

import collections
import csv
import gc
import io
import ipaddress
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from ._base import (
    EMAIL_RE,
    IDENTIFIER_ATTRIBUTES,
    SMS_RE,
    Attribute,
    Contact,
    MockAPIError,
    StateBase,
    invalid,
    missing,
    not_found,
)
from ._import_rows import (
    PreparedRows,
    csv_header,
    csv_rows,
    json_columns,
    json_rows,
    prepared_rows,
)
from ._lists import ListsMixin

#: The report files of a completed import (brevo-python 5.1.0 GetProcessResponseInfoImport).
REPORT_KINDS = (
    "invalid_emails",
    "duplicate_contact_id",
    "duplicate_ext_id",
    "duplicate_email_id",
    "duplicate_phone_id",
    "duplicate_whatsapp_id",
    "duplicate_landline_number_id",
)
#: Path (on the mock's own address) of a report file: /_mock/processes/{id}/{kind}.csv
REPORT_PATH = "/_mock/processes"
#: Rows applied per hold of the account lock: small enough that a request waiting for the
#: lock is answered within milliseconds, large enough that locking costs nothing.
CHUNK_ROWS = 200
#: From this many contacts on, imported objects are frozen out of the cyclic GC.
_FREEZE_FROM = 100_000
#: An import of this many rows (a file of ~50 bytes a row) is large: the GC is frozen
#: from its first chunk on (below, objects a test leaves behind stay collectable).
_LARGE_ROWS = 20_000
#: Seconds the worker sleeps between chunks (see _apply_rows); 0 turns it off.
GIL_PAUSE = 0.0001
_FINISHED = frozenset({"completed", "failed", "cancelled"})
IMPORT_PROCESS = "IMPORTUSER"
#: The mock's name for a membership change answered as a process (production's name for
#: such a process is not published; its shape is GetProcessResponse's all the same).
MEMBERSHIP_PROCESS = "LIST_MEMBERSHIP"


@dataclass
class ImportProcess:
    """One import and its process (``GET /processes/{id}``).

    Attributes:
        id: the process id (the 202's ``processId``).
        status: ``queued``, ``in_process``, ``completed`` or ``failed``.
        created: ids of the contacts the import created, in row order.
        updated: ids of the contacts it updated.
        skipped: a label (email or SMS) of every row not imported, in row order.
        list_ids: lists the imported contacts joined.
        columns: header of the report files (the import's columns).
        reports: report kind -> the skipped rows of that kind (cells, as given).
        error: why a failed process failed.
    """

    id: int
    root_url: str = ""
    status: str = "queued"
    name: str = IMPORT_PROCESS
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    list_ids: list[int] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    reports: dict[str, list[list[str]]] = field(default_factory=dict)
    error: str | None = None
    notify_url: str | None = None
    #: Path of the account's files on the mock's address (one prefix per account).
    files_path: str = REPORT_PATH

    @property
    def finished(self) -> bool:
        """The process will not change any more."""
        return self.status in _FINISHED

    def report_url(self, kind: str) -> str | None:
        """URL of one report file, or None when no row was skipped for that reason."""
        if not self.reports.get(kind):
            return None
        return f"{self.root_url}{self.files_path}/{self.id}/{kind}.csv"

    def report_csv(self, kind: str) -> str | None:
        """One report file: the import's columns, then each skipped row (``;``-separated)."""
        rows = self.reports.get(kind)
        if not rows:
            return None
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\n")
        writer.writerow(self.columns)
        writer.writerows(rows)
        return out.getvalue()

    def to_json(self) -> dict[str, Any]:
        """The process as ``GET /processes/{id}`` answers it."""
        out: dict[str, Any] = {"id": self.id, "name": self.name, "status": self.status}
        if self.status == "completed" and self.name == IMPORT_PROCESS:
            out["info"] = {"import": {kind: self.report_url(kind) for kind in REPORT_KINDS}}
        return out


class BackgroundProcess(Protocol):
    """What every kind of process (an import, an export) offers ``/processes``."""

    id: int
    status: str

    def to_json(self) -> dict[str, Any]: ...


@dataclass
class _Options:
    list_ids: list[int]
    update_existing: bool
    empty_attributes: bool
    email_bl: bool | None
    sms_bl: bool | None


@dataclass
class _Job:
    process: ImportProcess
    options: _Options
    file_body: str | None = None
    json_body: list[Any] | None = None
    file_url: str | None = None
    #: The cells are CSV text (typed per attribute), not JSON values.
    text: bool = False
    prepared: PreparedRows | None = None


@dataclass
class _Apply:
    """A membership change the worker carries out as a process."""

    process: ImportProcess
    apply: Callable[[], object]


def is_loopback_url(url: str) -> bool:
    """Whether ``url`` is http(s) on a loopback host (the only URLs the mock calls)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return False
    if parts.scheme not in ("http", "https"):
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ImportsMixin(ListsMixin, StateBase):
    """Imports and processes of :class:`MockState`.

    Attributes:
        import_delay: seconds a new import stays ``queued`` before it is processed.
        import_rows_per_second: processing speed cap (None: as fast as possible).
    """

    imports: list[ImportProcess]
    files_path: str
    import_delay: float
    import_rows_per_second: float | None
    _membership_process_above: int | None = None

    @property
    def membership_process_above(self) -> int | None:
        """Above this many members an add/remove runs as a process (None: never)."""
        return self._membership_process_above

    @membership_process_above.setter
    def membership_process_above(self, value: int | None) -> None:
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 0
        ):
            raise ValueError("membership_process_above must be an int >= 0 (or None: never)")
        self._membership_process_above = value

    def _init_imports(
        self,
        import_delay: float,
        import_rows_per_second: float | None,
        sleep: Callable[[float], None],
        notify: Callable[[str, dict[str, Any]], None] | None,
        fetch: Callable[[str], str] | None = None,
    ) -> None:
        if import_delay < 0:
            raise ValueError("import_delay must be >= 0 seconds")
        if import_rows_per_second is not None and import_rows_per_second <= 0:
            raise ValueError("import_rows_per_second must be > 0 (or None: no cap)")
        self.imports = []
        self.import_delay = import_delay
        self.import_rows_per_second = import_rows_per_second
        # Every background process of the account (imports, exports), by id.
        self._processes: dict[int, BackgroundProcess] = {}
        # One queue and one worker for every kind of process, in order, like production.
        self._queue: collections.deque[Any] = collections.deque()
        self._worker: threading.Thread | None = None
        self._idle = threading.Condition(threading.Lock())
        self._sleep = sleep
        # Network I/O is the server layer's (tajo_brevo.mock._network): without it, a
        # notifyUrl is not called and a fileUrl import fails.
        self._notify = notify
        self._fetch = fetch

    # ------------------------------------------------------------------ requests

    def import_contacts(
        self,
        body: Mapping[str, Any],
        *,
        root_url: str = "",
        prepared: PreparedRows | None = None,
    ) -> int:
        """importContacts: check the request, queue the import, return its process id.

        Args:
            body: the request body (fileBody, jsonBody or fileUrl; listIds or newList).
            root_url: the mock's own address as the client sees it (report file URLs).
            prepared: the rows, when :func:`prepare_rows` parsed them apart (``body`` is
                then its light body).

        Raises:
            MockAPIError: 400 for a request Brevo refuses before queuing it.
        """
        with self.lock:
            sources = [k for k in ("fileUrl", "fileBody", "jsonBody") if body.get(k) is not None]
            if len(sources) > 1:
                raise invalid(f"{', '.join(sources)}: give exactly one of them")
            if not sources:
                raise missing("fileBody is missing: give one of fileUrl, fileBody or jsonBody")
            file_body = body.get("fileBody")
            json_body = body.get("jsonBody")
            file_url = body.get("fileUrl")
            if file_body is not None and (not isinstance(file_body, str) or not file_body.strip()):
                raise missing("fileBody is missing")
            if json_body is not None and not json_body:
                raise missing("jsonBody is missing: give at least one contact")
            list_ids = list(body.get("listIds") or [])
            new_list = body.get("newList")
            if not list_ids and not new_list:
                raise missing("listIds or newList is missing")
            self._check_list_ids(list_ids, "listIds")
            new_list_name: str | None = None
            new_list_folder: int | None = None
            if new_list:
                new_list_name = new_list.get("listName")
                if not new_list_name:
                    raise missing("newList.listName is missing")
                new_list_folder = new_list.get("folderId")
                if new_list_folder is None:
                    raise missing("newList.folderId is missing")
                self._check_folder(new_list_folder)
            columns: list[str] = []
            if prepared is not None:
                if prepared.header_error is not None:
                    raise MockAPIError(*prepared.header_error)
                columns = list(prepared.columns)
            elif isinstance(file_body, str):
                columns = csv_header(file_body)
            update_existing = body.get("updateExistingContacts")
            options = _Options(
                list_ids=list_ids,
                update_existing=True if update_existing is None else bool(update_existing),
                empty_attributes=bool(body.get("emptyContactsAttributes")),
                email_bl=body.get("emailBlacklist"),
                sms_bl=body.get("smsBlacklist"),
            )

            # Everything is checked: queue it.
            if new_list_name is not None and new_list_folder is not None:
                options.list_ids.append(self.create_list(new_list_name, new_list_folder))
            process = ImportProcess(
                id=self._new_id("import"),
                root_url=root_url.rstrip("/"),
                list_ids=list(options.list_ids),
                columns=columns,
                notify_url=body.get("notifyUrl"),
                files_path=self.files_path,
            )
            self.imports.append(process)
            self._processes[process.id] = process
            if prepared is not None:
                job = _Job(process, options, file_url=file_url, prepared=prepared)
            else:
                job = _Job(process, options, file_body, json_body, file_url)
        self._submit(job)
        return process.id

    def change_members(self, list_id: int, body: Mapping[str, Any], *, add: bool) -> dict[str, Any]:
        """addContactsToList / removeContactsFromList, synchronous or as a process.

        Above ``membership_process_above`` members the change runs as a process (queued
        behind imports, ``import_delay`` applies) and the answer is production's
        asynchronous form, ``{"contacts": {"processId": ..., "total": ...}}``
        (brevo-python 5.1.0 PostContactInfoContacts).
        """
        above = self.membership_process_above
        if above is None:
            return super().change_members(list_id, body, add=add)
        with self.lock:
            emails, ids = self.check_members(list_id, body)
            total = len(emails) + len(ids)
            if total <= above:
                return super().change_members(list_id, body, add=add)
            process = ImportProcess(id=self._new_id("import"), name=MEMBERSHIP_PROCESS)
            self._processes[process.id] = process
            change = dict(body)

        def apply() -> object:
            # The list may be gone by the time the process runs: then nothing changes.
            try:
                return ListsMixin.change_members(self, list_id, change, add=add)
            except MockAPIError as exc:
                raise _ImportFailed(exc.message) from None

        self._submit(_Apply(process, apply))
        return {"contacts": {"processId": process.id, "total": total}}

    def get_process(self, process_id: int) -> dict[str, Any]:
        """getProcess (404 for an unknown id)."""
        with self.lock:
            process = self._processes.get(process_id)
            if process is None:
                raise not_found("Process does not exist")
            return process.to_json()

    def list_processes(self, *, limit: int, offset: int, sort: str) -> dict[str, Any]:
        """getProcesses: newest first by default."""
        with self.lock:
            rows = list(self._processes.values())
            if sort == "desc":
                rows.reverse()
            page = rows[offset : offset + limit] if offset < len(rows) else []
            return {"processes": [p.to_json() for p in page], "count": len(rows)}

    def report_file(self, process_id: int, kind: str) -> str | None:
        """The CSV of one report file, or None when there is no such file."""
        with self.lock:
            process = self._processes.get(process_id)
            if (
                not isinstance(process, ImportProcess)
                or process.status != "completed"
                or kind not in REPORT_KINDS
            ):
                return None
            return process.report_csv(kind)

    def wait_for_imports(self, timeout: float = 30.0) -> bool:
        """Block until every queued import has finished (True) or ``timeout`` passed (False)."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._queue or self._worker is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(min(left, 0.1))
        return True

    # ------------------------------------------------------------------ the worker

    def _submit(self, job: Any) -> None:
        with self._idle:
            self._queue.append(job)
            if self._worker is None:
                # One worker per mock, started on demand and ended when the queue is empty:
                # no thread outlives the work, and imports run in order, like production.
                self._worker = threading.Thread(
                    target=self._work, name=f"tajo-brevo-mock-import-{id(self):x}", daemon=True
                )
                self._worker.start()

    def _work(self) -> None:
        while True:
            with self._idle:
                if not self._queue:
                    self._worker = None
                    self._idle.notify_all()
                    return
                job = self._queue.popleft()
            self._process_job(job)

    def _process_job(self, job: Any) -> None:
        """Run one queued job (another kind of process overrides this and calls it)."""
        self._run_job(job)

    def _run_job(self, job: _Job | _Apply) -> None:
        process = job.process
        if self.import_delay:
            self._sleep(self.import_delay)
        process.status = "in_process"
        try:
            if isinstance(job, _Apply):
                job.apply()
            else:
                self._apply_rows(job, self._rows(job))
        except _ImportFailed as exc:
            with self.lock:
                process.error = str(exc)
                process.status = "failed"
        else:
            with self.lock:
                process.status = "completed"
        if self._notify is not None and process.notify_url and is_loopback_url(process.notify_url):
            self._notify(process.notify_url, process.to_json())

    def _rows(self, job: _Job) -> Iterator[tuple[list[Any], list[str]]]:
        """(cells in column order, cells as given) for each row of the import."""
        if job.prepared is not None:
            job.process.columns = list(job.prepared.columns)
            job.text = job.prepared.text
            return prepared_rows(job.prepared)
        if job.file_url is not None:
            job.file_body = self._fetch_file(job.file_url)
            job.process.columns = _checked_header(job.file_body)
        if job.file_body is not None:
            job.text = True
            return csv_rows(job.file_body, job.process.columns)
        items = job.json_body or []
        columns = json_columns(items)
        job.process.columns = columns
        return json_rows(items, columns)

    def _fetch_file(self, url: str) -> str:
        if not is_loopback_url(url):
            raise _ImportFailed("fileUrl: the mock fetches files only from loopback addresses")
        if self._fetch is None:
            raise _ImportFailed("fileUrl: this mock state fetches no files")
        try:
            return self._fetch(url)
        except ImportFileError as exc:
            raise _ImportFailed(f"fileUrl: {exc}") from None

    def _apply_rows(self, job: _Job, rows: Iterator[tuple[list[Any], list[str]]]) -> None:
        rate = self.import_rows_per_second
        # Under a speed cap, chunks of about a tenth of a second of rows: progress shows.
        size = max(1, min(CHUNK_ROWS, int(rate / 10))) if rate else CHUNK_ROWS
        started = time.monotonic()
        done = 0
        large = (
            job.prepared.rows >= _LARGE_ROWS
            if job.prepared is not None
            else len(job.file_body or "") >= _LARGE_ROWS * 50
        )
        if large:
            gc.freeze()
        while True:
            chunk: list[tuple[list[Any], list[str]]] = []
            try:
                for row in rows:
                    chunk.append(row)
                    if len(chunk) >= size:
                        break
            except csv.Error as exc:
                raise _ImportFailed(f"malformed CSV: {exc}") from None
            if not chunk:
                return
            with self.lock:
                plan = self._plan(job)
                now = self._now_ms()  # one timestamp per chunk: rows of a chunk land together
                for cells, given in chunk:
                    self._import_row(job, plan, cells, given, now)
            done += len(chunk)
            self.lock.yield_to_waiters()
            if GIL_PAUSE:
                # The GIL passes to a waiting thread only every switch interval (5 ms)
                # or when its holder blocks: a short real sleep per chunk lets a server's
                # event loop in at once, so a read waits at most about one chunk.
                time.sleep(GIL_PAUSE)
            if large or len(self.contacts) >= _FREEZE_FROM:
                # A million contacts are millions of objects the cyclic GC would walk on
                # every full collection (seconds, holding the GIL: every other request
                # waits). Frozen, they are skipped; they still die by reference counting.
                # A large import freezes from its first chunk on: a full collection
                # while it grows the account took 35-130 ms (the slowest reads).
                gc.freeze()
            if rate:
                ahead = started + done / rate - time.monotonic()
                if ahead > 0:
                    self._sleep(ahead)

    def _plan(self, job: _Job) -> _ColumnPlan:
        """Where the identifiers are and which columns are attributes kept (per chunk:
        an attribute created meanwhile counts from the next chunk on)."""
        columns = job.process.columns
        kept = [
            (index, name, attribute)
            for index, name in enumerate(columns)
            if name not in IDENTIFIER_ATTRIBUTES
            and (attribute := self.attributes.get(name)) is not None
        ]
        return _ColumnPlan(
            email_at=columns.index("EMAIL") if "EMAIL" in columns else None,
            sms_at=columns.index("SMS") if "SMS" in columns else None,
            attributes=kept,
        )

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
            return {"true": True, "false": False}.get(cell.lower(), cell)
        return cell

    def _skip(self, job: _Job, label: str, given: list[str], kind: str | None) -> None:
        job.process.skipped.append(label)
        if kind is not None:
            job.process.reports.setdefault(kind, []).append(given)

    def _import_row(
        self, job: _Job, plan: _ColumnPlan, cells: list[Any], given: list[str], now: datetime
    ) -> None:
        options = job.options
        raw_email = cells[plan.email_at] if plan.email_at is not None else None
        email = raw_email.lower() if isinstance(raw_email, str) and raw_email else None
        raw_sms = cells[plan.sms_at] if plan.sms_at is not None else None
        if isinstance(raw_sms, int) and not isinstance(raw_sms, bool):
            raw_sms = str(raw_sms)
        sms = raw_sms if isinstance(raw_sms, str) and raw_sms else None
        label = email or sms or ""
        if email is not None and not EMAIL_RE.match(email):
            self._skip(job, label, given, "invalid_emails")
            return
        if sms is not None and not SMS_RE.match(sms):
            sms = None
        if email is None and sms is None:
            self._skip(job, label, given, "invalid_emails")
            return
        existing = self._by_email.get(email) if email else self._contact_by_sms(sms or "")
        if sms is not None:
            sms_owner = self._contact_by_sms(sms)
            if sms_owner is not None and sms_owner is not existing:
                self._skip(job, label, given, "duplicate_phone_id")
                return
        updates: dict[str, Any] = {}
        text = job.text
        for index, name, attribute in plan.attributes:
            cell = cells[index]
            if cell == "" or cell is None:
                if options.empty_attributes:
                    updates[name] = None
                continue
            ok, stored = self._coerce_value(
                attribute, self._typed_cell(attribute, cell) if text else cell
            )
            if ok:
                updates[name] = stored
        if existing is not None:
            if not options.update_existing:
                self._skip(job, label, given, None)
                return
            self._update(
                existing, updates, sms, options.list_ids, (), options.email_bl, options.sms_bl
            )
            job.process.updated.append(existing.id)
            return
        if sms is not None:
            updates["SMS"] = sms
        contact = Contact(
            id=self._new_id("contact"),
            email=email,
            created_at=now,
            modified_at=now,
            attributes={k: v for k, v in updates.items() if v is not None},
            list_ids=set(options.list_ids),
            email_blacklisted=bool(options.email_bl),
            sms_blacklisted=bool(options.sms_bl),
        )
        self._store(contact)
        job.process.created.append(contact.id)


@dataclass
class _ColumnPlan:
    email_at: int | None
    sms_at: int | None
    attributes: list[tuple[int, str, Attribute]]


class ImportFileError(Exception):
    """A ``fileUrl`` could not be fetched (the message says why, e.g. ``HTTP 404``)."""


class _ImportFailed(Exception):
    """The import can't be processed: its process ends ``failed``."""


def _checked_header(text: str) -> list[str]:
    try:
        return csv_header(text)
    except Exception as exc:
        raise _ImportFailed(str(exc)) from None


__all__ = [
    "GIL_PAUSE",
    "REPORT_KINDS",
    "REPORT_PATH",
    "BackgroundProcess",
    "ImportFileError",
    "ImportProcess",
    "ImportsMixin",
    "is_loopback_url",
]
