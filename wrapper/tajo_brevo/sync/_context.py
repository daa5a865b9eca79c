"""One run's context: what every phase of the engine reads and advances.

The phases (``_planning``, ``_imports``, ``_lists``, ``_drift``, ``_recovery``,
``_verify``) are functions of a :class:`RunContext`; ``_engine`` builds it once the program
is known and runs the phases in order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Literal, Protocol

from .._adapter import Call
from .._plans import AccountCache
from ..errors import BrevoError
from ..profile import LoyaltyProfile
from ..tiers import Tier, TierPolicy
from ._csv import DEFAULT_IMPORT_CHUNK_BYTES, DEFAULT_MAX_IMPORT_BYTES
from ._effects import Plan
from ._plan import Chunker
from ._program import Program
from ._progress import Phase, ProgressCallback, SyncProgress
from ._report import SyncOutcome, SyncReport
from ._source import Raw, Source, canonical_column
from ._state import ContactState, SyncState
from ._validation import Normalizer, Row

__all__ = [
    "DEFAULT_IMPORT_THRESHOLD",
    "MODES",
    "ON_MISSING",
    "Mode",
    "OnMissing",
    "RowSource",
    "RunContext",
    "SyncOptions",
    "encodable",
    "usable_email",
]

Mode = Literal["upsert", "update", "mirror"]
OnMissing = Literal["keep", "unlist", "blacklist"]
MODES: tuple[str, ...] = ("upsert", "update", "mirror")
ON_MISSING: tuple[str, ...] = ("keep", "unlist", "blacklist")
#: Fewer changed rows than this go as per-contact upserts, more through imports.
DEFAULT_IMPORT_THRESHOLD = 50
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
    #: Send every row again, whatever the state remembers (and sync to another account).
    full: bool = False
    #: Read the whole program back, compare it with the state, repair what differs.
    reconcile: bool = False
    #: Mirror mode: the most customers a run may unlist or blacklist; an int, or a share
    #: of the customers the state knows (``"10%"``). Above it the run stops before writing.
    max_removals: int | str = "10%"
    #: Called with a :class:`SyncProgress` when a phase starts and as it advances.
    progress: ProgressCallback | None = None
    #: Called once with the run's report as soon as it exists, so that a caller still
    #: has what the run did when it stops with an exception (the CLI's ``--json``).
    on_report: Callable[[SyncReport], None] | None = None


class RowSource(Protocol):
    """What the engine reads: rows, re-iterable, with a name for the history."""

    @property
    def name(self) -> str: ...
    @property
    def mapping(self) -> Mapping[str, str]: ...
    @property
    def columns(self) -> Mapping[str, str]: ...
    def rows(self) -> Iterator[Raw]: ...


def _brevo_time(date: str) -> dt.datetime | None:
    try:
        moment = parsedate_to_datetime(date)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def loyalty_id_text(value: Any) -> str | None:
    """A LOYALTY_ID cell as the text that identifies the customer (None when empty; the
    normalizer refuses a row whose id is not text)."""
    text = value.strip() if isinstance(value, str) else None
    return text if text and encodable(text) else None


def encodable(text: str) -> bool:
    """Whether ``text`` is valid UTF-8 material (no lone surrogate)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def usable_email(email: str) -> str | None:
    """The email, if it is text SQLite can store (the row is refused otherwise anyway)."""
    return email if email and email.isprintable() and encodable(email) else None


#: Sources whose rows carry line numbers (files).
_Numbered = Source


@dataclass
class RunContext:
    """Everything one run shares between its phases."""

    state: SyncState
    account: AccountCache
    source: RowSource
    options: SyncOptions
    policy: TierPolicy
    #: The run's report, made from the options.
    report: SyncReport = field(init=False)
    #: The program as the state remembers it (ids are placeholders before a first sync).
    program: Program = field(init=False)
    #: The run's id in the state's history (0 for a dry run).
    run: int = 0
    # -- sending
    chunker: Chunker | None = None
    pending: list[Row] = field(default_factory=list)
    update_only: list[Row] = field(default_factory=list)
    importing: bool = False
    #: Chunk ids sent and waiting for confirmation.
    sent: list[int] = field(default_factory=list)
    #: Tier lists with members before this run's first import (None: not read yet).
    occupied: set[int] | None = None
    #: Tier lists' member counts before this run's first import (where Brevo gave one).
    tier_counts: dict[int, int] = field(default_factory=dict)
    #: A dry run: contacts that would have a tier list to leave once their import is
    #: confirmed (the run marks them stale then), by key.
    predicted_stale: dict[str, ContactState] = field(default_factory=dict)
    #: Rows handed to a send path, and rows whose send has returned.
    rows_queued: int = 0
    rows_sent: int = 0
    # -- reading
    total: int = 0
    done: int = 0
    fingerprint: bytes = b""
    #: Keys of the contacts this run confirmed (kept for ``verify``).
    touched: set[str] = field(default_factory=set)
    # -- the account (see _drift)
    #: What the last run saw of the account (None: nothing remembered).
    memory: dict[str, Any] | None = None
    #: The program's lists as read before this run wrote anything.
    list_info: dict[int, dict[str, Any] | None] | None = None
    #: A list's subscriber count differs from the last run's: the program is read.
    counts_changed: bool = False
    #: The program's lists were gone: the state forgot its contacts.
    reset_program: bool = False
    #: A dry run with ``full``: every contact planned as if the state were invalidated.
    resend_all: bool = False
    #: Attribute number -> (name, run that (re)created it).
    table: dict[int, tuple[str, int]] = field(default_factory=dict)
    #: Attribute name -> run that re-created it in Brevo (only those ever re-created).
    resets: dict[str, int] = field(default_factory=dict)
    #: Attribute name -> number (for the per-attribute entries of a digest).
    attr_ids: dict[str, int] = field(default_factory=dict)
    #: Contacts read back by the drift checks so far (progress).
    checked: int = 0
    #: Contacts found drifted, with the kind of drift.
    drifted: dict[str, str] = field(default_factory=dict)
    #: Brevo's clock: the first and the latest ``Date`` its answers gave in this run.
    brevo_first: dt.datetime | None = None
    brevo_last: dt.datetime | None = None
    # -- identity (``_identity``)
    #: Email keys and loyalty ids on more than one row: their line numbers, joined.
    duplicate_keys: dict[str, str] = field(default_factory=dict)
    duplicate_ids: dict[str, str] = field(default_factory=dict)
    #: Rows whose customer (by LOYALTY_ID) Brevo knows under another email: (row, old key).
    email_changes: list[tuple[Row, str]] = field(default_factory=list)
    _email_headers: dict[str, bool] = field(default_factory=dict)
    _email_header: str | None = None
    _id_headers: dict[str, bool] = field(default_factory=dict)
    _id_header: str | None = None
    phase: Phase | None = None

    def __post_init__(self) -> None:
        self.report = SyncReport(
            mode=self.options.mode,
            dry_run=self.options.dry_run,
            outcomes=[] if self.options.keep_outcomes else None,
        )
        stored = self.state.stored_program()
        # Never synced: no contact is known, every valid row is to send; ids are placeholders.
        placeholder = Program(0, {tier: -(n + 1) for n, tier in enumerate(Tier)})
        self.program = placeholder if stored is None else stored
        emails = [h for h, name in self.source.columns.items() if name == "EMAIL"]
        self._email_header = emails[0] if len(emails) == 1 else None
        ids = [h for h, name in self.source.columns.items() if name == "LOYALTY_ID"]
        self._id_header = ids[0] if len(ids) == 1 else None

    # -- reporting ----------------------------------------------------------------------

    def call(self, call: Call) -> Plan:
        """Yield one call, counted by operation; Brevo's clock noted from the answer."""
        self.report.requests[call.operation] += 1
        result = yield call
        self.saw(result)
        return result

    def delegate(self, plan: Plan, *, clock: bool = False) -> Plan:
        """Run a client plan (calls and sleeps) inside this one, its calls counted by
        operation; with ``clock``, Brevo's clock noted from every answer."""
        try:
            effect = next(plan)
            while True:  # ends when the sub-plan returns (StopIteration) or raises
                if isinstance(effect, Call):
                    self.report.requests[effect.operation] += 1
                try:
                    value = yield effect
                except BrevoError as exc:
                    effect = plan.throw(exc)
                else:
                    if clock:
                        self.saw(value)
                    effect = plan.send(value)
        except StopIteration as stop:
            return stop.value
        finally:
            plan.close()

    def saw(self, result: Any) -> None:
        """Note the time an answer of Brevo's carries (its ``Date``)."""
        date = getattr(result, "date", None)
        if not date:
            return
        moment = _brevo_time(date)
        if moment is None:
            return
        if self.brevo_first is None:
            self.brevo_first = moment
        if self.brevo_last is None or moment > self.brevo_last:
            self.brevo_last = moment

    def outcome(
        self, index: int, email: str | None, status: Any, reason: str | None, tier: str | None
    ) -> None:
        """Record one row's outcome (only counted when outcomes are not kept)."""
        report = self.report
        if report.outcomes is None and status in _COUNTED_ONLY:
            # Kept nowhere: a count is all a million unchanged rows need.
            report.counts[status] += 1
            return
        report.add(SyncOutcome(index, email, status, reason, tier))

    def progress(
        self, phase: Phase, done: int = 0, total: int | None = None, unit: str = "rows"
    ) -> None:
        """Tell the progress callback where the run is (nothing without a callback)."""
        callback = self.options.progress
        self.phase = phase
        if callback is None:
            return
        if total is not None:
            done = min(done, total)
        callback(SyncProgress(phase, done, total, unit, self.done))

    # -- rows -------------------------------------------------------------------------

    @property
    def email_header(self) -> str | None:
        """The one header naming EMAIL, if the source has exactly one."""
        return self._email_header

    def email_of(self, raw: Raw) -> str | None:
        """The row's email as given (stripped), if it has one SQLite can store."""
        cells = raw.cells
        if isinstance(cells, LoyaltyProfile):
            return cells.email if encodable(cells.email) else None
        if not isinstance(cells, Mapping):
            return None
        if self._email_header is not None and type(cells) is dict:
            # A file's rows: the one EMAIL column is known (the header refuses two).
            value = cells.get(self._email_header)
            return usable_email(value.strip()) if isinstance(value, str) else None
        for value in self._cells_naming("EMAIL", cells, self._email_headers):
            if isinstance(value, str) and value.strip():
                return usable_email(value.strip())
        return None

    @property
    def id_header(self) -> str | None:
        """The one header naming LOYALTY_ID, if the source has exactly one."""
        return self._id_header

    def id_of(self, raw: Raw) -> str | None:
        """The row's LOYALTY_ID as given (stripped text), if it has one."""
        cells = raw.cells
        if isinstance(cells, LoyaltyProfile):
            return loyalty_id_text(cells.loyalty_id)
        if not isinstance(cells, Mapping):
            return None
        if self._id_header is not None and type(cells) is dict:
            return loyalty_id_text(cells.get(self._id_header))
        for value in self._cells_naming("LOYALTY_ID", cells, self._id_headers):
            return loyalty_id_text(value)
        return None

    def _cells_naming(
        self, column: str, cells: Mapping[Any, Any], known: dict[str, bool]
    ) -> Iterator[Any]:
        """The row's values under a header that names ``column`` (after the mapping);
        ``known`` remembers each header's answer."""
        for header, value in cells.items():
            name = str(header)
            names_it = known.get(name)
            if names_it is None:
                names_it = known[name] = canonical_column(name, self.source.mapping) == column
            if names_it:
                yield value

    def where(self, lines: str) -> str:
        """``lines 2, 5`` for a file's rows, ``rows 0, 3`` for an API caller's."""
        numbers = lines.split(",")
        noun = "line" if isinstance(self.source, _Numbered) else "row"
        return f"{noun}{'s' if len(numbers) > 1 else ''} {', '.join(numbers)}"

    def key_of(self, raw: Raw) -> str | None:
        """The row's key: its email, lower-cased."""
        email = self.email_of(raw)
        return None if email is None else email.lower()

    def normalizer(self) -> Normalizer:
        """Validates and encodes rows against the account's attribute types."""
        with self.account.lock:
            types = dict(self.account.attribute_types or {})
        return Normalizer(
            policy=self.policy,
            attribute_types=types,
            mapping=self.source.mapping,
            columns=self.source.columns,
        )
