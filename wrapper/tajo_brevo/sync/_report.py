"""What a sync reports: per-row outcomes, counts, requests, timings."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["SyncOutcome", "SyncReport", "SyncStatus"]

SyncStatus = Literal["created", "updated", "unchanged", "applied", "skipped", "invalid", "failed"]
#: Statuses that make a run exit 1: the row is not in Brevo as the source says.
PROBLEMS: frozenset[str] = frozenset({"invalid", "failed"})


@dataclass(frozen=True, slots=True)
class SyncOutcome:
    """What happened to one source row.

    Attributes:
        index: the row's position in the source (0-based, data rows only).
        email: the row's email, if readable.
        status: ``created`` / ``updated`` (Brevo said so), ``applied`` (an import Brevo
            confirmed, for a contact the state did not know: created or updated),
            ``unchanged`` (Brevo already holds these values: nothing sent), ``skipped``
            (mode ``update`` and the contact is not in Brevo), ``invalid`` (refused before
            sending: nothing sent), ``failed`` (Brevo refused it or did not confirm it;
            the next run retries it).
        reason: why it is invalid, failed or skipped.
        tier: the row's tier, when known.
        line: where the row starts in its file, as an editor numbers lines (1-based; the
            CSV header is line 1); None for rows given by an API caller. Set on the
            problems once the run ends.
    """

    index: int
    email: str | None
    status: SyncStatus
    reason: str | None = None
    tier: str | None = None
    line: int | None = None


@dataclass
class SyncReport:
    """The result of one sync run.

    Attributes:
        run_id: the run's id in the state's history (None for a dry run).
        mode: upsert, update or mirror.
        dry_run: nothing was sent.
        counts: rows per status.
        problems: the invalid, failed and skipped rows, in source order.
        outcomes: every row's outcome when asked for (``keep_outcomes``), else None.
        requests: requests sent per operation (retries not included).
        plan: what was (or, in a dry run, would be) sent: rows to send, import chunks,
            upserts, unlink requests.
        missing: mirror mode: contacts no longer in the source, per action taken.
        recovered: chunks of an earlier, interrupted run: confirmed or re-queued.
        verify: ``--verify`` read-back: contacts checked and mismatches.
        duration: seconds.
        process_ids: Brevo's import processes this run queued.
        drift: contacts found changed in Brevo since the last run, by kind (``edited``,
            ``tier_list_removed``, ``all_customers_list_removed``, ``other_tier_list``,
            ``deleted_or_unlisted``, ``program_lists_gone``).
        repaired: of those, the ones this run put back as the source says, by kind.
        columns: rows sent because of a column change: ``new column X``,
            ``recreated attribute X`` (0 when none had to be sent), ``dropped column X``.
        account: what the identity check found (``api_key_changed``,
            ``program_lists_gone``, ``another_account``, ``full``: contacts re-sent).
        status: ``ok``, ``failed`` (a row is invalid or failed), or ``stopped`` (the run
            stopped before its end: ``reason`` says why; what it confirmed is kept).
        reason: why the run stopped.
        consent_changes: customers whose blacklist flags changed in Brevo since the last
            run (email, loyalty_id, email_blacklisted, sms_blacklisted and the flags
            before): the sync never changes them, the platform may want to know.
    """

    mode: str
    dry_run: bool = False
    run_id: int | None = None
    counts: Counter[str] = field(default_factory=Counter)
    problems: list[SyncOutcome] = field(default_factory=list)
    outcomes: list[SyncOutcome] | None = None
    requests: Counter[str] = field(default_factory=Counter)
    plan: Counter[str] = field(default_factory=Counter)
    missing: Counter[str] = field(default_factory=Counter)
    recovered: Counter[str] = field(default_factory=Counter)
    verify: dict[str, Any] | None = None
    duration: float = 0.0
    process_ids: list[int] = field(default_factory=list)
    drift: Counter[str] = field(default_factory=Counter)
    repaired: Counter[str] = field(default_factory=Counter)
    columns: Counter[str] = field(default_factory=Counter)
    account: dict[str, Any] = field(default_factory=dict)
    status: str = "ok"
    reason: str | None = None
    consent_changes: list[dict[str, Any]] = field(default_factory=list)

    def add(self, outcome: SyncOutcome) -> None:
        """Count an outcome (and keep it when it is a problem or outcomes are kept)."""
        self.counts[outcome.status] += 1
        if outcome.status in PROBLEMS or outcome.status == "skipped":
            self.problems.append(outcome)
        if self.outcomes is not None:
            self.outcomes.append(outcome)

    @property
    def rows(self) -> int:
        """Rows read from the source."""
        return sum(self.counts.values())

    @property
    def ok(self) -> bool:
        """Every row is in Brevo as the source says (synced, unchanged or skipped)."""
        return not any(self.counts[s] for s in PROBLEMS) and not (
            self.verify and self.verify.get("mismatches")
        )

    @property
    def exit_code(self) -> int:
        """0 when every row is synced or unchanged, 1 when a row is invalid or failed."""
        return 0 if self.ok else 1

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary (the run history stores it; ``--json`` prints it)."""
        data: dict[str, Any] = {
            "status": self.status,
            "mode": self.mode,
            "dry_run": self.dry_run,
            "run": self.run_id,
            "rows": self.rows,
            "counts": dict(sorted(self.counts.items())),
            "requests": dict(sorted(self.requests.items())),
            "writes": sum(n for op, n in self.requests.items() if op in _WRITE_OPERATIONS),
            "plan": dict(sorted(self.plan.items())),
            "duration_s": round(self.duration, 3),
        }
        if self.missing:
            data["missing"] = dict(sorted(self.missing.items()))
        if self.recovered:
            data["recovered"] = dict(sorted(self.recovered.items()))
        if self.verify is not None:
            data["verify"] = self.verify
        if self.drift or self.repaired:
            data["drift"] = {
                "found": dict(sorted(self.drift.items())),
                "repaired": dict(sorted(self.repaired.items())),
            }
        if self.columns:
            data["columns"] = dict(sorted(self.columns.items()))
        if self.account:
            data["account"] = dict(sorted(self.account.items()))
        if self.reason is not None:
            data["reason"] = self.reason
        if self.consent_changes:
            data["consent_changes"] = len(self.consent_changes)
        return data


_WRITE_OPERATIONS = frozenset(
    {
        "importContacts",
        "createContact",
        "updateContact",
        "removeContactsFromList",
        "addContactsToList",
        "createContactAttribute",
        "createFolder",
        "createContactList",
        "deleteContact",
    }
)
