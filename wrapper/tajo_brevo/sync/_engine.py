"""The sync engine: one plan, driven by ``TajoBrevo`` and ``AsyncTajoBrevo`` alike.

The plan is a generator (sans-IO, like the client's other plans). Besides a
:class:`~tajo_brevo._adapter.Call` it may yield :class:`Parallel` (sub-plans the driver runs
concurrently: per-contact upserts, unlinks), :class:`Sleep` (between polls of an import
process) and :class:`Download` (an import report file). Drivers are in ``_driver``.

Order of a run (each step leaves the state consistent if the process dies right after it):

1. provision the program (idempotent) and bind the state to account and program;
2. recover chunks an interrupted run left in flight: a queued import is confirmed through
   ``GET /processes/{id}``; a chunk whose fate is unknown is *abandoned*: its contacts are
   re-sent and the lists it may have added are checked;
3. pass 1 over the source: the last row of each email (case-insensitive) wins;
4. pass 2: validate, compare with the state, send changes: import chunks (recorded in the
   state before they are sent) or, when few, concurrent per-contact upserts;
5. confirm every import; the state advances only for confirmed rows;
6. unlink contacts from the tier lists they left (exactly the lists the state recorded);
7. mirror mode: contacts no longer in the source are kept, unlisted or blacklisted;
8. ``verify``: read back what this run touched and compare.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from .. import _adapter as calls
from .._adapter import Call
from .._plans import AccountCache, provision_plan
from ..attributes import TAJO_ATTRIBUTES
from ..errors import APIConnectionError, APIError, BrevoError, NotFoundError, ServerError
from ..profile import LoyaltyProfile
from ..results import ProvisionResult
from ..tiers import Tier, TierPolicy
from ._csv import DEFAULT_IMPORT_CHUNK_BYTES, DEFAULT_MAX_IMPORT_BYTES
from ._plan import Chunker, Program, ReadyChunk, is_unchanged, member, stale_lists, unlink_batches
from ._report import SyncOutcome, SyncReport
from ._source import Invalid, Normalizer, Raw, Row, Source, SourceError, canonical_column
from ._state import Confirmed, ContactState, Member, SyncState

__all__ = [
    "Download",
    "IterableSource",
    "Parallel",
    "RowSource",
    "Sleep",
    "SyncOptions",
    "parse_report",
    "sync_plan",
]

#: How a duplicate row's reason starts (a failures file leaves these out: the later row won).
SUPERSEDED = "superseded by row"
Mode = Literal["upsert", "update", "mirror"]
OnMissing = Literal["keep", "unlist", "blacklist"]
MODES: tuple[str, ...] = ("upsert", "update", "mirror")
ON_MISSING: tuple[str, ...] = ("keep", "unlist", "blacklist")


@dataclass(frozen=True)
class Parallel:
    """Run these sub-plans concurrently; the plan receives their values (or exceptions)."""

    plans: Sequence[Generator[Any, Any, Any]]


@dataclass(frozen=True)
class Sleep:
    """Wait before polling again."""

    seconds: float


@dataclass(frozen=True)
class Download:
    """Fetch a report file Brevo points to; the plan receives its text."""

    url: str


Effect = Call | Parallel | Sleep | Download
Plan = Generator[Any, Any, Any]


#: Fewer changed rows than this go as per-contact upserts, more through imports.
DEFAULT_IMPORT_THRESHOLD = 50
#: Mode update: rows the state doesn't know are sent per contact (only an update can
#: say whether the contact exists), in batches of this many, so a first ``update`` run
#: over a large source holds one batch in memory, not every row.
UPDATE_ONLY_BATCH = 500
#: Part of every raw hash: bump it when the way a row's text becomes values changes.
RAW_HASH_VERSION = 1
#: Outcomes only counted (not kept) unless every outcome is asked for.
_COUNTED_ONLY = frozenset({"unchanged", "created", "updated", "applied"})


@dataclass(frozen=True)
class SyncOptions:
    """How a sync runs (see ``TajoBrevo.sync_customers``)."""

    mode: Mode = "upsert"
    on_missing: OnMissing = "keep"
    dry_run: bool = False
    verify: bool = False
    import_threshold: int = DEFAULT_IMPORT_THRESHOLD
    max_import_bytes: int = DEFAULT_MAX_IMPORT_BYTES
    import_chunk_bytes: int = DEFAULT_IMPORT_CHUNK_BYTES
    concurrency: int = 8
    poll_interval: float = 0.2
    max_poll_interval: float = 10.0
    poll_timeout: float = 1800.0
    keep_outcomes: bool = False
    batch_rows: int = 1000
    #: Called with (rows planned so far, rows in the source) while reading the source.
    progress: Callable[[int, int], None] | None = None


#: Test hook for the durability tests: ``NAME`` or ``NAME#N`` kills the process (SIGKILL)
#: the N-th time the engine passes the named point. Unset in normal use.
FAILPOINT_ENV = "TAJO_BREVO_SYNC_FAILPOINT"
_passed: Counter[str] = Counter()
_passed_lock = threading.Lock()


def failpoint(name: str) -> None:
    """Die here, as a crash would, when the failpoint variable names this point."""
    wanted = os.environ.get(FAILPOINT_ENV)
    if not wanted:
        return
    point, _, nth = wanted.partition("#")
    if point != name:
        return
    with _passed_lock:
        _passed[name] += 1
        count = _passed[name]
    if count == (int(nth) if nth.isdigit() else 1):
        os.kill(os.getpid(), signal.SIGKILL)


class RowSource(Protocol):
    """What the engine reads: rows, re-iterable, with a name for the history."""

    @property
    def name(self) -> str: ...
    @property
    def mapping(self) -> Mapping[str, str]: ...
    @property
    def columns(self) -> Mapping[str, str]: ...
    def rows(self) -> Iterator[Raw]: ...


@dataclass
class IterableSource:
    """API callers' rows: LoyaltyProfile objects or mappings (held in memory)."""

    items: list[LoyaltyProfile | Mapping[str, Any]]
    name: str = "<rows>"
    mapping: Mapping[str, str] = field(default_factory=dict)
    columns: Mapping[str, str] = field(default_factory=dict)

    def rows(self) -> Iterator[Raw]:
        for index, item in enumerate(self.items):
            yield Raw(index, item)  # type: ignore[arg-type]


#: Uncertain failures: Brevo may have applied the request (no answer, or a 5xx).
def _uncertain(exc: BaseException) -> bool:
    return isinstance(exc, APIConnectionError | ServerError) or not isinstance(exc, APIError)


_REPORT_REASONS = {
    "invalid_emails": "Brevo refused the email address (import report: invalid_emails)",
    "duplicate_contact_id": "another contact has the same contact id (duplicate_contact_id)",
    "duplicate_ext_id": "another contact has the same ext_id (duplicate_ext_id)",
    "duplicate_email_id": "the email appears twice in the import (duplicate_email_id)",
    "duplicate_phone_id": "the SMS number belongs to another contact (duplicate_phone_id)",
    "duplicate_whatsapp_id": "the WhatsApp number belongs to another contact",
    "duplicate_landline_number_id": "the landline number belongs to another contact",
}


def parse_report(kind: str, text: str) -> dict[str, str]:
    """Emails (lower-cased) named by an import report file, with the reason for each."""
    default = _REPORT_REASONS.get(kind, f"skipped by Brevo (import report: {kind})")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return {}
    delimiter = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    rows = list(reader)
    header = [cell.strip().lower() for cell in rows[0]]
    email_col = next((i for i, h in enumerate(header) if h in ("email", "email_id")), None)
    reason_col = next(
        (i for i, h in enumerate(header) if h in ("reason", "error", "message", "errors")), None
    )
    body = rows[1:] if email_col is not None else rows
    email_col = 0 if email_col is None else email_col
    found: dict[str, str] = {}
    for row in body:
        if len(row) <= email_col or not row[email_col].strip():
            continue
        reason = default
        if reason_col is not None and len(row) > reason_col and row[reason_col].strip():
            reason = f"{row[reason_col].strip()} ({kind})"
        found[row[email_col].strip().lower()] = reason
    return found


class _Engine:
    def __init__(
        self,
        *,
        state: SyncState,
        account: AccountCache,
        source: RowSource,
        options: SyncOptions,
        program: str,
        policy: TierPolicy,
        identity: Mapping[str, str],
        clock: Callable[[], float],
        provisioning: ProvisionResult | None = None,
    ) -> None:
        self.provisioning = provisioning
        self.state = state
        self.account = account
        self.source = source
        self.options = options
        self.program_name = program
        self.policy = policy
        self.identity = dict(identity)
        self.clock = clock
        self.report = SyncReport(
            mode=options.mode,
            dry_run=options.dry_run,
            outcomes=[] if options.keep_outcomes else None,
        )
        self.run = 0
        self.program: Program | None = None
        self.chunker: Chunker | None = None
        self.pending: list[Row] = []
        self.update_only: list[Row] = []
        self.importing = False
        self.sent: list[int] = []  # chunk ids waiting for confirmation
        self.touched: set[str] = set()
        self._email_headers: dict[str, bool] = {}
        emails = [h for h, name in source.columns.items() if name == "EMAIL"]
        self._email_header: str | None = emails[0] if len(emails) == 1 else None
        self.total = 0
        self.done = 0
        self.fingerprint = b""
        #: Tier lists with members before this run's first import (None: not read yet).
        self.occupied: set[int] | None = None

    # -- helpers ----------------------------------------------------------------------

    def call(self, call: Call) -> Plan:
        """Yield one call, counted by operation."""
        self.report.requests[call.operation] += 1
        result = yield call
        return result

    def outcome(
        self, index: int, email: str | None, status: Any, reason: str | None, tier: str | None
    ) -> None:
        report = self.report
        if report.outcomes is None and status in _COUNTED_ONLY:
            # Kept nowhere: a count is all a million unchanged rows need.
            report.counts[status] += 1
            return
        report.add(SyncOutcome(index, email, status, reason, tier))

    def _email_of(self, raw: Raw) -> str | None:
        """The row's email as given (stripped), if it has one SQLite can store."""
        cells = raw.cells
        if isinstance(cells, LoyaltyProfile):
            return cells.email if _encodable(cells.email) else None
        if not isinstance(cells, Mapping):
            return None
        if self._email_header is not None and type(cells) is dict:
            # A file's rows: the one EMAIL column is known (the header refuses two).
            value = cells.get(self._email_header)
            return self._usable(value.strip()) if isinstance(value, str) else None
        for header, value in cells.items():
            name = str(header)
            is_email = self._email_headers.get(name)
            if is_email is None:
                is_email = canonical_column(name, self.source.mapping) == "EMAIL"
                self._email_headers[name] = is_email
            if is_email and isinstance(value, str) and value.strip():
                return self._usable(value.strip())
        return None

    @staticmethod
    def _usable(email: str) -> str | None:
        # Not text SQLite can store (a lone surrogate): the row is refused anyway.
        return email if email and email.isprintable() and _encodable(email) else None

    def _key_of(self, raw: Raw) -> str | None:
        email = self._email_of(raw)
        return None if email is None else email.lower()

    # -- the run ----------------------------------------------------------------------

    def run_plan(self) -> Plan:
        started = self.clock()
        opts = self.options
        if opts.dry_run:
            yield from self._account_types()
            with self.account.lock:
                types = self.account.attribute_types or {}
                # What provisioning would create is taken as there (a dry run writes nothing).
                missing = {n: a.type for n, a in TAJO_ATTRIBUTES.items() if n not in types}
                self.account.attribute_types = {**types, **missing}
            self.program = self._stored_program()
        else:
            provisioned: ProvisionResult = (
                self.provisioning
                if self.provisioning is not None
                else (yield from self._provision())
            )
            with self.account.lock:
                known_types = self.account.attribute_types is not None
            if not known_types:
                yield from self._account_types()
            self.program = Program(provisioned.all_customers_list_id, dict(provisioned.tier_lists))
            self._check_columns()
            self.state.bind(**self.identity)
            self.state.remember_program(self.program.all_customers, self.program.tier_lists)
        self.run = 0 if opts.dry_run else self.state.start_run(self.source.name, opts.mode)
        self.report.run_id = self.run or None
        status = "aborted"
        try:
            if not opts.dry_run:
                yield from self._recover()
            self._pass_one()
            yield from self._pass_two()
            yield from self._flush()
            if not opts.dry_run:
                yield from self._confirm(self.sent, emit=True)
            yield from self._unlink()
            if opts.mode == "mirror":
                yield from self._mirror()
            if opts.verify and not opts.dry_run:
                yield from self._verify()
            status = "ok" if self.report.ok else "failed"
        finally:
            self.report.duration = self.clock() - started
            self.report.problems.sort(key=lambda o: o.index)
            if self.report.outcomes is not None:
                self.report.outcomes.sort(key=lambda o: o.index)
            if self.run:
                self.state.finish_run(self.run, status, self.report.summary())
        return self.report

    def _provision(self) -> Plan:
        counting = provision_plan(self.account, program=self.program_name, policy=self.policy)
        value = None
        try:
            call = next(counting)
            while True:
                self.report.requests[call.operation] += 1
                try:
                    value = yield call
                except BrevoError as exc:
                    call = counting.throw(exc)
                else:
                    call = counting.send(value)
        except StopIteration as stop:
            return stop.value

    def _account_types(self) -> Plan:
        result = yield from self.call(calls.list_attributes_call())
        body = result.body if isinstance(result.body, dict) else {}
        with self.account.lock:
            self.account.attribute_types = {
                str(a.get("name")): a.get("type")
                for a in body.get("attributes") or []
                if isinstance(a, dict)
            }

    def _check_columns(self) -> None:
        """A file column naming no attribute of the account refuses the whole source.

        Raises:
            SourceError: the columns, with what to do.
        """
        with self.account.lock:
            types = self.account.attribute_types or {}
        unknown = sorted(
            f"{header!r} ({name})"
            for header, name in self.source.columns.items()
            if name != "EMAIL" and name not in types
        )
        if unknown:
            raise SourceError(
                f"{self.source.name}: column(s) {', '.join(unknown)} name no attribute of the "
                "Brevo account (Brevo would drop the values silently): create the attribute, "
                "rename the column with --mapping, or remove it"
            )

    def _stored_program(self) -> Program:
        stored = self.state.stored_program()
        if stored is not None:
            return stored
        # Never synced: no contact is known, every valid row is to send; ids are placeholders.
        return Program(0, {tier: -(n + 1) for n, tier in enumerate(Tier)})

    def _normalizer(self) -> Normalizer:
        with self.account.lock:
            types = dict(self.account.attribute_types or {})
        return Normalizer(
            policy=self.policy,
            attribute_types=types,
            mapping=self.source.mapping,
            columns=self.source.columns,
        )

    # -- recovery ---------------------------------------------------------------------

    def _recover(self) -> Plan:
        queued: list[int] = []
        for chunk in self.state.inflight():
            if chunk.kind == "import" and chunk.process_id is not None:
                queued.append(chunk.id)
            else:
                self.report.recovered["requeued_rows"] += len(self.state.chunk_rows(chunk.id))
                self.state.abandon(chunk.id)
        if queued:
            yield from self._confirm(queued, emit=False)

    # -- reading ----------------------------------------------------------------------

    def _pass_one(self) -> None:
        """Record the last row index of every email (a later row wins)."""
        self.state.reset_seen()
        batch: list[tuple[str, int]] = []
        for index, key in self._keys():
            self.total += 1
            if key is not None:
                batch.append((key, index))
            if len(batch) >= 5000:
                self.state.add_seen(batch)
                batch = []
        self.state.add_seen(batch)

    def _keys(self) -> Iterator[tuple[int, str | None]]:
        """(index, key) of every row of the source."""
        source = self.source
        if isinstance(source, Source) and source.format == "csv" and self._email_header:
            # Just the email column: what _key_of reads from a whole row.
            for index, cell in source.csv_cells(self._email_header):
                email = None if cell is None else self._usable(cell.strip())
                yield index, None if email is None else email.lower()
            return
        for raw in source.rows():
            yield raw.index, self._key_of(raw)

    def _pass_two(self) -> Plan:
        normalizer = self._normalizer()
        self.fingerprint = self._fingerprint()
        batch: list[Raw] = []
        for raw in self.source.rows():
            batch.append(raw)
            if len(batch) >= self.options.batch_rows:
                yield from self._plan_batch(normalizer, batch)
                batch = []
        if batch:
            yield from self._plan_batch(normalizer, batch)

    def _fingerprint(self) -> bytes:
        """A hash of everything besides a row's text that decides what is sent for it.

        A row's raw hash covers its text and this fingerprint, so a change of mapping,
        columns (their order included), tier policy, account attribute types, program
        lists, mode or tajo-brevo version makes every row take the full path again (once:
        rows found unchanged there get the new raw hash).
        """
        from .. import __version__  # here: the package imports this module

        assert self.program is not None
        source = self.source
        with self.account.lock:
            types = sorted(
                (str(k), str(v)) for k, v in (self.account.attribute_types or {}).items()
            )
        policy = type(self.policy)
        data = {
            "version": [RAW_HASH_VERSION, __version__],
            "source": [
                type(source).__qualname__,
                str(getattr(source, "format", "")),
                str(getattr(source, "delimiter", "")),
                [str(h) for h in getattr(source, "headers", [])],
                sorted(source.columns.items()),
                sorted(source.mapping.items()),
            ],
            "policy": f"{policy.__module__}.{policy.__qualname__} {self.policy!r}",
            "types": types,
            "program": [
                self.program.all_customers,
                sorted((str(t), i) for t, i in self.program.tier_lists.items()),
            ],
            "mode": self.options.mode,
        }
        text = json.dumps(data, sort_keys=True, ensure_ascii=True)
        return hashlib.blake2b(text.encode(), digest_size=16).digest()

    def _raw_digest(self, raw: Raw) -> bytes | None:
        if raw.text is None:
            return None
        return hashlib.blake2b(
            self.fingerprint + raw.text.encode("utf-8", "surrogatepass"), digest_size=16
        ).digest()

    def _plan_batch(self, normalizer: Normalizer, batch: list[Raw]) -> Plan:
        assert self.program is not None
        # One joined lookup for the block: the last row of each email, and the state.
        emails = [self._email_of(raw) for raw in batch]
        found = self.state.lookup_seen([e.lower() for e in emails if e is not None])
        items: list[Row | Invalid] = []
        remember: list[tuple[str, bytes, bytes]] = []
        counts, counts_only = self.report.counts, self.report.outcomes is None
        for raw, email in zip(batch, emails, strict=True):
            raw_digest = self._raw_digest(raw)
            if raw_digest is not None and email is not None:
                key = email.lower()
                latest, known = found.get(key, (-1, None))
                if (
                    latest == raw.index
                    and known is not None
                    and known.raw == raw_digest
                    and known.digest is not None
                    and known.tier is not None
                ):
                    # The same text, under the same fingerprint, as a row Brevo confirmed
                    # (stored with its values' hash): unchanged, no need to validate it.
                    if counts_only:
                        counts["unchanged"] += 1
                    else:
                        self.outcome(raw.index, email, "unchanged", None, known.tier)
                    continue
            if isinstance(raw.cells, LoyaltyProfile):
                items.append(normalizer.from_profile(raw.index, raw.cells))
            elif isinstance(raw.cells, Mapping):
                items.append(normalizer.normalize(raw, raw_digest))
            else:
                items.append(
                    Invalid(
                        raw.index,
                        None,
                        f"row: must be a LoyaltyProfile or a mapping, got "
                        f"{type(raw.cells).__name__}",
                        {},
                    )
                )
        self.done += len(batch)
        if self.options.progress is not None:
            self.options.progress(self.done, self.total)
        # A row's key is its email's (_email_of): found holds them all but rows whose email
        # the lookup could not take (refused by the normalizer anyway).
        other = [i.key for i in items if isinstance(i, Row) and i.key not in found]
        if other:
            last_other = self.state.last_index(other)
            known_other = self.state.lookup(other)
            for key in other:
                found[key] = (last_other.get(key, -1), known_other.get(key))
        for item in items:
            if isinstance(item, Invalid):
                self.outcome(item.index, item.email, "invalid", item.reason, None)
                continue
            latest, previous = found[item.key]
            if latest < 0:
                latest = item.index
            if latest != item.index:
                self.outcome(
                    item.index,
                    item.email,
                    "invalid",
                    f"{SUPERSEDED} {latest} with the same email (emails are "
                    "case-insensitive): only the last row of an email is synced",
                    item.tier.value,
                )
                continue
            if is_unchanged(item, previous, self.program):
                self.outcome(item.index, item.email, "unchanged", None, item.tier.value)
                if (
                    previous is not None
                    and previous.digest is not None
                    and item.raw_digest is not None
                    and previous.raw != item.raw_digest
                ):
                    remember.append((item.key, item.raw_digest, previous.digest))
                continue
            if self.options.mode == "update" and (previous is None or previous.tier is None):
                # Not known to exist: only a per-contact update can say (never creates).
                self.update_only.append(item)
                if len(self.update_only) >= UPDATE_ONLY_BATCH:
                    unknown, self.update_only = self.update_only, []
                    yield from self._send_upserts(unknown, may_create=False)
                continue
            yield from self._queue(item)
        if remember and not self.options.dry_run:
            # Found unchanged the long way (a migrated state, a new fingerprint): the next
            # run takes the short way for these rows.
            self.state.remember_raw(remember)

    # -- sending ----------------------------------------------------------------------

    def _queue(self, row: Row) -> Plan:
        assert self.program is not None
        if not self.importing:
            self.pending.append(row)
            if len(self.pending) < self.options.import_threshold:
                return
            self.importing = True
            self.chunker = Chunker(
                self.program,
                self.options.max_import_bytes,
                self.state,
                target_bytes=self.options.import_chunk_bytes,
            )
            waiting, self.pending = self.pending, []
            for item in waiting:
                yield from self._chunk(item)
            return
        yield from self._chunk(row)

    def _chunk(self, row: Row) -> Plan:
        assert self.chunker is not None
        ready, too_large = self.chunker.add(row)
        if too_large:
            self.outcome(
                row.index,
                row.email,
                "invalid",
                f"row is larger than the import limit of {self.options.max_import_bytes} bytes",
                row.tier.value,
            )
        for chunk in ready:
            yield from self._send_chunk(chunk)

    def _flush(self) -> Plan:
        if self.chunker is not None:
            for chunk in self.chunker.finish():
                yield from self._send_chunk(chunk)
        if self.pending:
            yield from self._send_upserts(self.pending, may_create=True)
            self.pending = []
        if self.update_only:
            yield from self._send_upserts(self.update_only, may_create=False)
            self.update_only = []

    def _send_chunk(self, ready: ReadyChunk) -> Plan:
        chunk = ready.chunk
        self.report.plan["rows_to_send"] += ready.count
        self.report.plan["import_chunks"] += 1
        if self.options.dry_run:
            if ready.bucket is not None:
                self.state.drop_spilled(ready.bucket)
            return
        if self.occupied is None:
            self.occupied = yield from self._occupied_tier_lists()
        maybe = self.occupied - set(chunk.list_ids)
        if ready.bucket is None:
            chunk_id = self.state.record_chunk(
                self.run, "import", chunk.list_ids, ready.members, maybe=maybe
            )
            file_body = chunk.body()
        else:
            # The rows wait on disk (see Chunker): read the lines, then move the rows to the
            # in-flight chunk; only this one request body is in memory.
            file_body = chunk.body() + self.state.spilled_lines(ready.bucket)
            chunk_id = self.state.record_spilled(
                self.run, "import", chunk.list_ids, ready.bucket, maybe=maybe
            )
        failpoint("import:recorded")
        try:
            result = yield from self.call(
                calls.import_call(
                    file_body=file_body,
                    list_ids=chunk.list_ids,
                    empty_contacts_attributes=chunk.empty_contacts_attributes,
                )
            )
        except BrevoError as exc:
            del file_body
            self._chunk_failed(chunk_id, self._members(ready, chunk_id), exc)
            return
        del file_body
        failpoint("import:sent")
        payload = result.body if isinstance(result.body, dict) else {}
        process_id = payload.get("processId")
        if not isinstance(process_id, int) or isinstance(process_id, bool):
            members = self._members(ready, chunk_id)
            self.state.abandon(chunk_id)
            for m in members:
                self.outcome(
                    m.index,
                    m.email,
                    "failed",
                    "Brevo queued the import without a process id: not confirmed; the next "
                    "run sends it again",
                    m.tier,
                )
            return
        self.state.set_process(chunk_id, process_id)
        self.report.process_ids.append(process_id)
        failpoint("import:queued")
        self.sent.append(chunk_id)

    def _members(self, ready: ReadyChunk, chunk_id: int) -> list[Member]:
        """A sent chunk's rows (read back from the state when they were spilled)."""
        return ready.members if ready.bucket is None else self.state.chunk_rows(chunk_id)

    def _occupied_tier_lists(self) -> Plan:
        """Tier lists that have members, read before this run's first import.

        An import adds, never removes. A contact the state does not know (a first sync on
        an account that already has customers) may be in another tier list: it is unlinked
        from the tier lists that had members, blindly, 150 a request. On a fresh account
        every tier list is empty and nothing is unlinked.
        """
        assert self.program is not None
        occupied: set[int] = set()
        for list_id in self.program.tier_lists.values():
            try:
                info = yield from self.call(calls.get_list_call(list_id))
            except BrevoError:
                occupied.add(list_id)  # unknown: assume members (an unlink too many is harmless)
                continue
            body = info.body if isinstance(info.body, dict) else {}
            counts = [
                c
                for c in (body.get("uniqueSubscribers"), body.get("totalSubscribers"))
                if isinstance(c, int) and not isinstance(c, bool)
            ]
            if not counts or max(counts) > 0:
                occupied.add(list_id)  # members, or no count given: assume members
        return occupied

    def _chunk_failed(self, chunk_id: int, members: Sequence[Member], exc: BrevoError) -> None:
        if _uncertain(exc):
            # Brevo may have queued it: the contacts are re-sent and their lists checked.
            self.state.abandon(chunk_id)
            reason = f"import not confirmed ({exc}); the next run sends it again"
        else:
            self.state.settle(chunk_id, [], self.run)
            reason = f"Brevo refused the import: {exc}"
        for m in members:
            self.outcome(m.index, m.email, "failed", reason, m.tier)

    def _send_upserts(self, rows: list[Row], *, may_create: bool) -> Plan:
        assert self.program is not None
        self.report.plan["rows_to_send"] += len(rows)
        self.report.plan["upserts"] += len(rows)
        if self.options.dry_run:
            return
        program = self.program
        members = [member(row, program) for row in rows]
        chunk_id = self.state.record_chunk(self.run, "upsert", program.list_ids, members)
        results = yield Parallel([self._upsert_one(row, may_create) for row in rows])
        confirmed: list[Confirmed] = []
        uncertain: list[str] = []
        for row, m, result in zip(rows, members, results, strict=True):
            if isinstance(result, BaseException):
                if _uncertain(result):
                    uncertain.append(row.key)
                    reason = f"not confirmed ({result}); the next run sends it again"
                else:
                    reason = str(result)
                self.outcome(row.index, row.email, "failed", reason, row.tier.value)
            elif result == "skipped":
                self.outcome(
                    row.index,
                    row.email,
                    "skipped",
                    "not in Brevo, and mode update never creates contacts",
                    row.tier.value,
                )
            else:
                confirmed.append(
                    Confirmed(
                        row.key, m.digest, row.tier.value, program.lists_for(row.tier), raw=m.raw
                    )
                )
                if self.options.verify:
                    self.touched.add(row.key)
                self.outcome(row.index, row.email, result, None, row.tier.value)
        self.state.settle(chunk_id, confirmed, self.run, uncertain=uncertain)

    def _upsert_one(self, row: Row, may_create: bool) -> Plan:
        """One contact: PUT (lists set, other tier lists unlinked); POST when it is new."""
        assert self.program is not None
        lists = list(self.program.lists_for(row.tier))
        others = [i for i in self.program.tier_lists.values() if i not in lists]
        attributes = dict(row.values)  # None clears the attribute
        update: dict[str, Any] = {"attributes": attributes, "listIds": lists}
        if others:
            update["unlinkListIds"] = others
        try:
            yield from self.call(calls.update_contact_call(row.email, update))
            failpoint("upsert:sent")
        except NotFoundError:
            if not may_create:
                return "skipped"
        else:
            return "updated"
        created = yield from self.call(
            calls.create_contact_call(
                {
                    "email": row.email,
                    "attributes": {k: v for k, v in attributes.items() if v is not None},
                    "listIds": lists,
                    "updateEnabled": True,
                }
            )
        )
        failpoint("upsert:created")
        if created.status_code == 201:
            return "created"
        # 204: someone created it in between: set it again, clears and unlinks included.
        yield from self.call(calls.update_contact_call(row.email, update))
        return "updated"

    # -- confirming -------------------------------------------------------------------

    def _confirm(self, chunk_ids: list[int], *, emit: bool) -> Plan:
        waiting = {c.id: c for c in self.state.inflight() if c.id in set(chunk_ids)}
        interval = self.options.poll_interval
        waited = 0.0
        last_status: dict[int, str] = {}
        for _ in range(100_000):  # bounded; ends on confirmation or the timeout
            if not waiting:
                break
            for chunk_id, chunk in list(waiting.items()):
                assert chunk.process_id is not None
                try:
                    result = yield from self.call(calls.get_process_call(chunk.process_id))
                except NotFoundError:
                    members = self.state.chunk_rows(chunk_id)
                    self.state.abandon(chunk_id)
                    del waiting[chunk_id]
                    self._emit_all(
                        members,
                        emit,
                        f"Brevo does not know import process {chunk.process_id}; the next run "
                        "sends the rows again",
                    )
                    continue
                except BrevoError as exc:
                    last_status[chunk_id] = f"unreadable ({exc})"
                    continue
                body = result.body if isinstance(result.body, dict) else {}
                status = str(body.get("status", ""))
                last_status[chunk_id] = status
                if status == "completed":
                    settled = yield from self._settle_import(
                        chunk_id, chunk.lists, chunk.maybe, body, emit
                    )
                    if settled:
                        del waiting[chunk_id]
                elif status in ("failed", "cancelled"):
                    members = self.state.chunk_rows(chunk_id)
                    # Brevo says it applied nothing; re-sent by the next run.
                    self.state.settle(chunk_id, [], self.run)
                    del waiting[chunk_id]
                    self._emit_all(
                        members, emit, f"Brevo's import process {chunk.process_id} {status}"
                    )
            if not waiting or waited >= self.options.poll_timeout:
                break
            yield Sleep(interval)
            waited += interval
            interval = min(interval * 2, self.options.max_poll_interval)
        for chunk_id, chunk in waiting.items():
            # Still queued: stays in flight; the next run confirms it.
            members = self.state.chunk_rows(chunk_id)
            self.report.recovered["still_in_flight_rows"] += len(members)
            self._emit_all(
                members,
                emit,
                f"not confirmed after {waited:g} s: import process {chunk.process_id} is "
                f"{last_status.get(chunk_id) or 'unknown'}; the next run confirms it",
            )

    def _emit_all(self, members: Iterable[Member], emit: bool, reason: str) -> None:
        for m in members:
            if emit:
                self.outcome(m.index, m.email, "failed", reason, m.tier)
            else:
                self.report.recovered["failed_rows"] += 1

    def _settle_import(
        self,
        chunk_id: int,
        lists: tuple[int, ...],
        maybe: tuple[int, ...],
        body: Mapping[str, Any],
        emit: bool,
    ) -> Plan:
        assert self.program is not None
        info = body.get("info") if isinstance(body.get("info"), dict) else {}
        reports = info.get("import") if isinstance(info, dict) else None
        rejected: dict[str, str] = {}
        for kind, url in (reports or {}).items() if isinstance(reports, dict) else []:
            if not isinstance(url, str) or not url:
                continue
            try:
                text = yield Download(url)
            except BrevoError:
                return False  # can't tell which rows Brevo skipped: try again later
            rejected.update(parse_report(str(kind), str(text)))
        program = self.program
        # (lists before, tier) -> (lists after, stale): a handful of combinations per chunk.
        merges: dict[tuple[tuple[int, ...], str], tuple[tuple[int, ...], bool]] = {}

        def decide(members: list[Member], known: Mapping[str, ContactState]) -> list[Confirmed]:
            if not rejected and not known and emit and not self.options.verify:
                return fresh(members)
            confirmed: list[Confirmed] = []
            for m in members:
                if m.key in rejected:
                    if emit:
                        self.outcome(m.index, m.email, "failed", rejected[m.key], m.tier)
                    else:
                        self.report.recovered["failed_rows"] += 1
                    continue
                previous = known.get(m.key)
                before = previous.lists if previous is not None else maybe
                merged_stale = merges.get((before, m.tier))
                if merged_stale is None:
                    merged = tuple(sorted(set(before) | set(lists)))
                    candidate = ContactState(m.key, m.digest, m.tier, merged, self.run)
                    merged_stale = (merged, bool(stale_lists(candidate, program)))
                    merges[(before, m.tier)] = merged_stale
                merged, stale = merged_stale
                confirmed.append(Confirmed(m.key, m.digest, m.tier, merged, stale, m.raw))
                if self.options.verify:
                    self.touched.add(m.key)
                if emit:
                    status = "updated" if previous is not None and previous.tier else "applied"
                    self.outcome(m.index, m.email, status, None, m.tier)
                else:
                    self.report.recovered["confirmed_rows"] += 1
            return confirmed

        def fresh(members: list[Member]) -> list[Confirmed]:
            """decide() for contacts the state does not know, none rejected (a first sync):
            the same result, without the per-row checks."""
            by_tier: dict[str, tuple[tuple[int, ...], bool]] = {}
            for tier in {m.tier for m in members}:
                merged = tuple(sorted(set(maybe) | set(lists)))
                candidate = ContactState("", None, tier, merged, self.run)
                by_tier[tier] = (merged, bool(stale_lists(candidate, program)))
            report = self.report
            if report.outcomes is None:
                report.counts["applied"] += len(members)
            else:
                for m in members:
                    self.outcome(m.index, m.email, "applied", None, m.tier)
            return [Confirmed(m.key, m.digest, m.tier, *by_tier[m.tier], m.raw) for m in members]

        if not rejected and emit and self.report.outcomes is None and not self.options.verify:
            # Contacts the state does not know (a first sync): stored by one statement per
            # tier, as fresh() would store them; None when the state knows one of them.
            by_tier: dict[str, tuple[tuple[int, ...], bool]] = {}
            for tier in self.state.chunk_tiers(chunk_id):
                merged = tuple(sorted(set(maybe) | set(lists)))
                candidate = ContactState("", None, tier, merged, self.run)
                by_tier[tier] = (merged, bool(stale_lists(candidate, program)))
            settled = self.state.settle_new(chunk_id, self.run, by_tier)
            if settled is not None:
                self.report.counts["applied"] += settled
                failpoint("import:confirmed")
                return True
        # Batch by batch in one transaction: a chunk of 100,000 rows is never all in memory.
        self.state.settle_rows(chunk_id, self.run, decide)
        failpoint("import:confirmed")
        return True

    # -- unlinking --------------------------------------------------------------------

    def _unlink(self) -> Plan:
        assert self.program is not None
        program = self.program
        stale = list(self.state.stale())
        batches = list(unlink_batches(stale, program))
        self.report.plan["unlink_requests"] += len(batches)
        if self.options.dry_run:
            return
        # Stale with nothing left to leave (e.g. the wrong list was never added): clear.
        nothing = [c for c in stale if c.tier is not None and not stale_lists(c, program)]
        self.state.set_lists((c.key, c.lists, False) for c in nothing)
        if not batches:
            return
        results = yield Parallel([self._remove(list_id, batch) for list_id, batch in batches])
        removed: dict[str, set[int]] = {}
        by_key = {c.key: c for c in stale}
        for (list_id, batch), result in zip(batches, results, strict=True):
            if isinstance(result, BaseException):
                self.report.plan["unlink_failed"] += len(batch)
                continue
            for contact in batch:
                removed.setdefault(contact.key, set()).add(list_id)
        changes = []
        for key, gone in removed.items():
            contact = by_key[key]
            left = tuple(i for i in contact.lists if i not in gone)
            after = ContactState(key, contact.digest, contact.tier, left, contact.run)
            changes.append((key, left, bool(stale_lists(after, program))))
        self.state.set_lists(changes)

    def _remove(self, list_id: int, contacts: Sequence[ContactState]) -> Plan:
        try:
            yield from self.call(
                calls.remove_from_list_call(list_id, emails=[c.key for c in contacts])
            )
        except APIError as exc:
            if exc.status_code == 400:
                return None  # "already removed / does not exist": not in the list either way
            raise
        failpoint("unlink:sent")
        return None

    # -- mirror -----------------------------------------------------------------------

    def _mirror(self) -> Plan:
        assert self.program is not None
        program = self.program
        missing = list(self.state.missing())
        action = self.options.on_missing
        if not missing:
            return
        if action == "keep" or self.options.dry_run:
            self.report.missing["kept" if action == "keep" else f"to_{action}"] += len(missing)
            return
        if self.report.rows == 0:
            # An empty source is far more likely a broken export than an empty program.
            self.report.missing["kept_empty_source"] += len(missing)
            return
        if action == "unlist":
            done = yield from self._unlist(missing, program)
            self.state.forget(done)
            self.report.missing["unlisted"] += len(done)
            if len(done) < len(missing):
                self.report.missing["unlist_failed"] += len(missing) - len(done)
            return
        results = yield Parallel(
            [self._blacklist_one(contact.key, list(program.list_ids)) for contact in missing]
        )
        done = [
            c.key for c, r in zip(missing, results, strict=True) if not isinstance(r, BaseException)
        ]
        self.state.forget(done)
        self.report.missing["blacklisted"] += len(done)
        if len(done) < len(missing):
            self.report.missing["blacklist_failed"] += len(missing) - len(done)

    def _unlist(self, missing: list[ContactState], program: Program) -> Plan:
        jobs: list[tuple[int, list[ContactState]]] = []
        for list_id in program.list_ids:
            members = [c for c in missing if list_id in c.lists]
            for start in range(0, len(members), 150):
                jobs.append((list_id, members[start : start + 150]))
        results = yield Parallel([self._remove(list_id, batch) for list_id, batch in jobs])
        failed: set[str] = set()
        for (_, batch), result in zip(jobs, results, strict=True):
            if isinstance(result, BaseException):
                failed.update(c.key for c in batch)
        return [c.key for c in missing if c.key not in failed]

    def _blacklist_one(self, key: str, lists: list[int]) -> Plan:
        try:
            yield from self.call(
                calls.update_contact_call(key, {"emailBlacklisted": True, "unlinkListIds": lists})
            )
        except NotFoundError:
            return None  # gone from Brevo already: nothing to blacklist
        return None

    # -- verify -----------------------------------------------------------------------

    def _verify(self) -> Plan:
        """Read back the contacts this run touched and compare values and lists."""
        assert self.program is not None
        program = self.program
        checked = 0
        mismatches: list[dict[str, Any]] = []
        if not self.touched:
            self.report.verify = {"checked": 0, "mismatches": 0, "examples": []}
            return
        found: dict[str, Mapping[str, Any]] = {}
        offset = 0
        since = dt.datetime.fromtimestamp(self._run_started_epoch(), dt.UTC)
        for _ in range(100_000):  # bounded by the pages of contacts modified in this run
            page = yield from self.call(
                calls.list_contacts_call(limit=1000, offset=offset, modified_since=since)
            )
            body = page.body if isinstance(page.body, dict) else {}
            contacts = [c for c in body.get("contacts") or [] if isinstance(c, dict)]
            for contact in contacts:
                email = contact.get("email")
                if isinstance(email, str) and email.lower() in self.touched:
                    found[email.lower()] = contact
            offset += len(contacts)
            if len(contacts) < 1000:
                break
        normalizer = self._normalizer()
        for raw in self.source.rows():
            key = self._key_of(raw)
            if key is None or key not in self.touched:
                continue
            item = (
                normalizer.from_profile(raw.index, raw.cells)
                if isinstance(raw.cells, LoyaltyProfile)
                else normalizer.normalize(raw)
            )
            if not isinstance(item, Row):
                continue
            checked += 1
            problem = _compare(item, found.get(key), program)
            if problem is not None:
                mismatches.append({"row": item.index, "email": item.email, "problem": problem})
        if mismatches:
            self.state.invalidate(m["email"].lower() for m in mismatches)
        self.report.verify = {
            "checked": checked,
            "mismatches": len(mismatches),
            "examples": mismatches[:20],
        }

    def _run_started_epoch(self) -> float:
        started = self.state.run_started(self.run)
        return started.timestamp() - 1


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _same(expected: Any, actual: Any) -> bool:
    if expected is None:
        return actual is None or actual == ""
    if isinstance(expected, bool):
        return actual is expected or str(actual).lower() == str(expected).lower()
    if isinstance(expected, int | float):
        try:
            return bool(float(actual) == float(expected))
        except (TypeError, ValueError):
            return False
    if isinstance(actual, str) and len(expected) == 10 and expected[4:5] == "-":
        return bool(actual[:10] == expected)
    return bool(actual == expected)


def _compare(row: Row, contact: Mapping[str, Any] | None, program: Program) -> str | None:
    if contact is None:
        return "not found among the contacts modified by this run"
    attributes = contact.get("attributes") if isinstance(contact.get("attributes"), dict) else {}
    for name, expected in row.values.items():
        actual = attributes.get(name) if isinstance(attributes, dict) else None
        if not _same(expected, actual):
            return f"{name}: Brevo has {actual!r}, the source {expected!r}"
    lists = set(contact.get("listIds") or []) & set(program.list_ids)
    wanted = set(program.lists_for(row.tier))
    if lists != wanted:
        return f"lists: Brevo has {sorted(lists)}, expected {sorted(wanted)}"
    return None


def sync_plan(
    *,
    state: SyncState,
    account: AccountCache,
    source: RowSource,
    options: SyncOptions,
    program: str,
    policy: TierPolicy,
    identity: Mapping[str, str],
    clock: Callable[[], float] = time.monotonic,
    provisioning: ProvisionResult | None = None,
) -> Plan:
    """The whole sync as one plan; returns a :class:`~tajo_brevo.sync.SyncReport`."""
    engine = _Engine(
        state=state,
        account=account,
        source=source,
        options=options,
        program=program,
        policy=policy,
        identity=identity,
        clock=clock,
        provisioning=provisioning,
    )
    report: SyncReport = yield from engine.run_plan()
    return report
