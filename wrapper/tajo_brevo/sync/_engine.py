"""The sync engine: one plan, driven by ``TajoBrevo`` and ``AsyncTajoBrevo`` alike.

The plan is a generator (sans-IO, like the client's other plans). Besides a
:class:`~tajo_brevo._adapter.Call` it may yield :class:`Parallel` (sub-plans the driver runs
concurrently: per-contact upserts, unlinks), :class:`Sleep` (between polls of an import
process) and :class:`Download` (an import report file). The driver is
``_plans.driving``'s, the clients' own.

This module orders the phases of a run around one :class:`~._context.RunContext`; each
phase lives in its own module. Order of a run (each step leaves the state consistent if the
process dies right after it):

1. provision the program (idempotent) and bind the state to account and program (here);
2. ``_recovery``: finish chunks an interrupted run left in flight;
3. ``_drift``: check the account against the state;
4. ``_planning``: pass 1 over the source (the last row of each email, case-insensitive,
   wins), pass 2: validate, compare with the state, queue changes;
5. ``_imports``: send import chunks (recorded in the state before they are sent) or, when
   few, concurrent per-contact upserts; confirm every import; the state advances only for
   confirmed rows;
6. ``_lists``: unlink contacts from the tier lists they left; mirror mode: contacts no
   longer in the source are kept, unlisted or blacklisted;
7. ``_verify``: read back what this run touched and compare.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Callable, Mapping

from .. import _adapter as calls
from .._plans import AccountCache, find_program, list_names, provision_plan
from ..attributes import TAJO_ATTRIBUTES
from ..errors import SourceError
from ..results import ProvisionResult
from ..tiers import TierPolicy
from . import _consent as consent
from . import _drift as drift
from . import _identity as identities
from . import _imports as imports
from . import _lists as lists
from . import _planning as planning
from . import _reads as reads
from ._context import (
    DEFAULT_IMPORT_THRESHOLD,
    MODES,
    ON_MISSING,
    RowSource,
    RunContext,
    SyncOptions,
)
from ._effects import Download, Parallel, Plan, Sleep
from ._program import Program
from ._recovery import recover
from ._report import SyncReport
from ._source import IterableSource, Source
from ._state import SyncState
from ._verify import verify

__all__ = [
    "DEFAULT_IMPORT_THRESHOLD",
    "MODES",
    "ON_MISSING",
    "Download",
    "IterableSource",
    "Parallel",
    "Plan",
    "RowSource",
    "Sleep",
    "SyncOptions",
    "sync_plan",
]


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
    """The whole sync as one plan; returns a :class:`~tajo_brevo.sync.SyncReport`.

    ``identity``: ``base_url`` and ``key`` (an id of the API key, see ``_drift.key_id``)
    of the account this run writes to.
    """
    started = clock()
    ctx = RunContext(state, account, source, options, policy)
    report = ctx.report
    base_url, key = identity.get("base_url", ""), identity.get("key", "")
    if options.on_report is not None:
        options.on_report(report)
    if provisioning is None:
        ctx.progress("provisioning", 0, None, "requests")
        # Before any write: the account must be the one the state remembers.
        yield from drift.check_identity(ctx, base_url=base_url, key=key, program=program)
    folder: int | None = None
    created: tuple[str, ...] = ()
    if options.dry_run:
        yield from _account_types(ctx)
        if state.stored_program() is None:
            # Never synced: the program's lists, when they exist already, are the run's
            # (their members decide the unlinks the run would send).
            yield from _existing_program(ctx, program)
        with account.lock:
            types = account.attribute_types or {}
            # What provisioning would create is taken as there (a dry run writes nothing).
            missing = {n: a.type for n, a in TAJO_ATTRIBUTES.items() if n not in types}
            account.attribute_types = {**types, **missing}
    else:
        provisioned: ProvisionResult = (
            provisioning
            if provisioning is not None
            else (yield from _provision(ctx, program, policy))
        )
        with account.lock:
            known_types = account.attribute_types is not None
        if not known_types:
            yield from _account_types(ctx)
        lists_of = Program(provisioned.all_customers_list_id, dict(provisioned.tier_lists))
        stored = state.stored_program()
        if stored is not None and stored != lists_of and not ctx.reset_program:
            # The program's lists are new ones: what the state remembers of lists is void.
            ctx.reset_program = True
            ctx.report.drift["program_lists_gone"] += state.forget_all()
        ctx.program = lists_of
        folder, created = provisioned.folder_id, provisioned.attributes_created
        _check_columns(account, source)
        state.bind(program=identity.get("program", program))
        state.remember_program(lists_of.all_customers, lists_of.tier_lists)
    with account.lock:
        names = set(account.attribute_types or {}) | set(TAJO_ATTRIBUTES)
    ctx.attr_ids = state.attribute_ids(names)
    ctx.run = 0 if options.dry_run else state.start_run(source.name, options.mode)
    report.run_id = ctx.run or None
    if created and ctx.run:
        # Brevo holds no value of an attribute it just created: confirmed values are void.
        state.reset_attributes(created, ctx.run)
    ctx.table = state.attribute_table()
    ctx.resets = {name: run for name, run in ctx.table.values() if run}
    status = "aborted"
    try:
        ctx.progress("checking", 0, None, "requests")
        if not options.dry_run:
            yield from recover(ctx)
        # One read of the contacts modified since the last run, on Brevo's clock, for
        # every phase that needs them (the drift checks, consent); a dry run reads too
        # and plans what the drift found, writing nothing.
        yield from drift.check(ctx, [consent.observer(ctx)])
        ctx.progress("reading", 0, None)
        planning.pass_one(ctx)
        lists.check_removals(ctx)
        yield from planning.pass_two(ctx)
        yield from identities.flush(ctx)
        yield from imports.flush(ctx)
        if not options.dry_run:
            yield from imports.confirm(ctx, ctx.sent, emit=True)
        yield from lists.unlink(ctx)
        if options.mode == "mirror":
            yield from lists.mirror(ctx)
        if options.verify and not options.dry_run:
            yield from verify(ctx)
        if not options.dry_run:
            drift.repaired(ctx)
            if provisioning is None:  # not a throwaway state (upsert_customers)
                yield from drift.remember(ctx, base_url=base_url, key=key, folder=folder)
        reads.advance(ctx)
        status = "ok" if report.ok else "failed"
    except (GeneratorExit, KeyboardInterrupt):
        # Interrupted (Ctrl-C, SIGTERM): the driver closed the plan at a yield, or the
        # signal arrived while the plan's own code ran (reading the source, the state).
        status = "interrupted"
        _stopped(report, "interrupted")
        raise
    except BaseException as exc:
        _stopped(report, " ".join(str(exc).split()) or type(exc).__name__)
        raise
    finally:
        report.duration = clock() - started
        report.status = status if status in ("ok", "failed") else "stopped"
        report.problems.sort(key=lambda o: o.index)
        if report.outcomes is not None:
            report.outcomes.sort(key=lambda o: o.index)
        _number_lines(ctx)
        if ctx.run:
            state.finish_run(ctx.run, status, report.summary())
    ctx.progress("done", report.rows, report.rows)
    return report


def _stopped(report: SyncReport, reason: str) -> None:
    report.status = "stopped"
    if report.reason is None:
        report.reason = reason


def _number_lines(ctx: RunContext) -> None:
    """Give the problems their line numbers (one more read of the source, when a file
    source has problems)."""
    report = ctx.report
    if not report.problems or not isinstance(ctx.source, Source):
        return
    wanted = {o.index for o in report.problems}
    lines: dict[int, int] = {}
    with contextlib.suppress(SourceError, OSError, ValueError):
        for raw in ctx.source.rows():
            if raw.index in wanted and raw.line is not None:
                lines[raw.index] = raw.line
    report.problems = [dataclasses.replace(o, line=lines.get(o.index)) for o in report.problems]
    if report.outcomes is not None:
        report.outcomes = [
            dataclasses.replace(o, line=lines.get(o.index)) if o.index in lines else o
            for o in report.outcomes
        ]


def _provision(ctx: RunContext, program: str, policy: TierPolicy) -> Plan:
    plan = provision_plan(ctx.account, program=program, policy=policy)
    return (yield from ctx.delegate(plan, clock=True))


def _existing_program(ctx: RunContext, program: str) -> Plan:
    """A dry run on a new state: the program's lists as they are in Brevo (read only);
    the placeholders stay when any is missing (the run would create it)."""
    _, lists_by_name = yield from ctx.delegate(find_program(program))
    all_name, tier_names = list_names(program)
    ids = [lists_by_name.get(name) for name in (all_name, *tier_names.values())]
    if all(i is not None for i in ids):
        ctx.program = Program(
            lists_by_name[all_name], {t: lists_by_name[n] for t, n in tier_names.items()}
        )


def _account_types(ctx: RunContext) -> Plan:
    result = yield from ctx.call(calls.list_attributes_call())
    body = result.body if isinstance(result.body, dict) else {}
    with ctx.account.lock:
        ctx.account.attribute_types = {
            str(a.get("name")): a.get("type")
            for a in body.get("attributes") or []
            if isinstance(a, dict)
        }


def _check_columns(account: AccountCache, source: RowSource) -> None:
    """A file column naming no attribute of the account refuses the whole source.

    Raises:
        SourceError: the columns, with what to do.
    """
    with account.lock:
        types = account.attribute_types or {}
    unknown = sorted(
        f"{header!r} ({name})"
        for header, name in source.columns.items()
        if name != "EMAIL" and name not in types
    )
    if unknown:
        raise SourceError(
            f"{source.name}: column(s) {', '.join(unknown)} name no attribute of the "
            "Brevo account (Brevo would drop the values silently): create the attribute, "
            "rename the column with --mapping, or remove it"
        )
