"""``sync_customers`` for both clients: resolve source and state, then drive the engine."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from .._plans import AsyncDriver, BlockingDriver
from ..errors import ValidationError
from ..profile import LoyaltyProfile
from ..results import BatchResult, ProvisionResult, RowOutcome
from ..tiers import DEFAULT_TIER_POLICY, Tier, TierPolicy
from ._effects import Plan
from ._engine import MODES, ON_MISSING, IterableSource, RowSource, SyncOptions, sync_plan
from ._lists import removal_limit
from ._report import SyncReport
from ._seam import ClientSeam
from ._source import Source, load_mapping
from ._sql import SqlSource
from ._state import SyncState, is_state_url

__all__ = ["batch_result", "check_batch_arguments", "default_state_path", "run_async", "run_sync"]

#: What a sync reads: a CSV / JSON Lines path, a :class:`Source`, a :class:`SqlSource`,
#: or rows.
SyncSource = (
    str | os.PathLike[str] | Source | SqlSource | Iterable[LoyaltyProfile | Mapping[str, Any]]
)
SourceLike = SyncSource
PathLike = str | os.PathLike[str]


def default_state_path(source: PathLike) -> Path:
    """The state file beside an input file: ``customers.csv`` -> ``customers.csv.sync.db``."""
    path = Path(source)
    return path.with_name(path.name + ".sync.db")


def _source(source: SourceLike, mapping: PathLike | Mapping[str, str] | None) -> RowSource:
    if isinstance(mapping, str | os.PathLike):
        mapping = load_mapping(mapping)
    if isinstance(source, Source | SqlSource):
        return source
    if isinstance(source, str | os.PathLike):
        return Source(source, mapping=mapping)
    if isinstance(source, Mapping | LoyaltyProfile):
        raise ValidationError([("source", "must be a file path or an iterable of rows")])
    return IterableSource(list(source))


def _reading(source: RowSource) -> contextlib.AbstractContextManager[Any]:
    """One consistent view of the source for the whole run (a database's snapshot)."""
    return source.snapshot() if isinstance(source, SqlSource) else contextlib.nullcontext()


def _state(
    source: SourceLike,
    state: PathLike | SyncState | None,
    *,
    account: str,
    program: str,
    lock_timeout: float,
) -> tuple[SyncState, bool]:
    """The state to use and whether this call opened it (then it closes it).

    A PostgreSQL URL holds many accounts: this one's rows are the (``account``, program)
    scope, ``account`` being a one-way id of the API key (the key itself is never stored).
    """
    if isinstance(state, SyncState):
        return state, False
    if state is None:
        if isinstance(source, str | os.PathLike):
            state = default_state_path(source)
        elif isinstance(source, Source):
            state = default_state_path(source.path)
        else:
            return SyncState(":memory:"), True
    if is_state_url(state):
        opened = SyncState(state, account=account, program=program, lock_timeout=lock_timeout)
        return opened, True
    return SyncState(state, lock_timeout=lock_timeout), True


def _options(mode: str, on_missing: str, **kwargs: Any) -> SyncOptions:
    problems = []
    if mode not in MODES:
        problems.append(("mode", f"must be one of {', '.join(MODES)}, got {mode!r}"))
    if on_missing not in ON_MISSING:
        problems.append(
            ("on_missing", f"must be one of {', '.join(ON_MISSING)}, got {on_missing!r}")
        )
    if kwargs.get("import_threshold", 1) < 1:
        problems.append(("import_threshold", "must be >= 1"))
    if kwargs.get("max_import_bytes", 10**7) < 10_000:
        problems.append(("max_import_bytes", "must be >= 10000"))
    if "max_removals" in kwargs:
        try:
            removal_limit(kwargs["max_removals"], 0)
        except ValueError as exc:
            problems.append(("max_removals", str(exc)))
    if problems:
        raise ValidationError(problems)
    return SyncOptions(mode=mode, on_missing=on_missing, **kwargs)  # type: ignore[arg-type]


@contextlib.contextmanager
def _planned(
    client: ClientSeam[BlockingDriver] | ClientSeam[AsyncDriver],
    source: SourceLike,
    *,
    state: PathLike | SyncState | None = None,
    program: str,
    policy: TierPolicy = DEFAULT_TIER_POLICY,
    mode: str = "upsert",
    on_missing: str = "keep",
    mapping: PathLike | Mapping[str, str] | None = None,
    provisioning: ProvisionResult | None = None,
    **options: Any,
) -> Iterator[tuple[Plan, SyncOptions]]:
    """The run's plan and options, for either client's driver: the one place that takes
    a sync's settings (``run_sync`` and ``run_async`` pass them on).

    Options are checked first, then the source and the state are opened; the source is read
    from one snapshot and a state this call opened is closed when the block ends.
    """
    lock_timeout = options.pop("lock_timeout", 0)
    if not isinstance(lock_timeout, int | float) or lock_timeout < 0:
        raise ValidationError([("lock_timeout", "must be a number of seconds >= 0")])
    opts = _options(mode, on_missing, **options)
    rows = _source(source, mapping)
    store, owned = _state(
        source, state, account=client.key_id, program=program, lock_timeout=lock_timeout
    )
    try:
        with _reading(rows):
            yield (
                sync_plan(
                    state=store,
                    account=client.account,
                    source=rows,
                    options=opts,
                    program=program,
                    policy=policy,
                    identity={
                        "base_url": client.base_url,
                        "key": client.key_id,
                        "program": program,
                    },
                    provisioning=provisioning,
                ),
                opts,
            )
    finally:
        if owned:
            store.close()


def run_sync(client: ClientSeam[BlockingDriver], source: SourceLike, **settings: Any) -> SyncReport:
    """Drive a sync on the blocking client's driver (see ``TajoBrevo.sync_customers``;
    ``settings`` as for :func:`_planned`)."""
    with _planned(client, source, **settings) as (plan, opts):
        report: SyncReport = client.driver.with_workers(opts.concurrency).run(plan)
    return report


async def run_async(
    client: ClientSeam[AsyncDriver], source: SourceLike, **settings: Any
) -> SyncReport:
    """Drive a sync on the async client's driver (see ``AsyncTajoBrevo.sync_customers``)."""
    with _planned(client, source, **settings) as (plan, opts):
        report: SyncReport = await client.driver.with_workers(opts.concurrency).run(plan)
    return report


def check_batch_arguments(
    rows: object, import_threshold: object, max_import_bytes: object, progress: object
) -> None:
    """``upsert_customers``' arguments, every problem named, before anything is sent.

    Raises:
        ValidationError: one ``(argument, problem)`` per bad argument.
    """
    problems: list[tuple[str, str]] = []
    if (
        rows is None
        or isinstance(rows, str | bytes | Mapping | LoyaltyProfile)
        or not hasattr(rows, "__iter__")
    ):
        problems.append(
            (
                "rows",
                f"must be an iterable of rows, got {type(rows).__name__} (for a file use "
                "sync_customers)",
            )
        )
    for name, value, low in (
        ("import_threshold", import_threshold, 1),
        ("max_import_bytes", max_import_bytes, 10_000),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            problems.append((name, f"must be an int >= {low}, got {value!r}"))
    if progress is not None and not callable(progress):
        problems.append(("progress", f"must be callable or None, got {type(progress).__name__}"))
    if problems:
        raise ValidationError(problems)


def batch_result(report: SyncReport) -> BatchResult:
    """``upsert_customers``' result from the engine's report (every outcome kept)."""
    outcomes = tuple(
        RowOutcome(
            index=o.index,
            email=o.email,
            status=o.status,
            tier=Tier(o.tier) if o.tier else None,
            reason=o.reason,
        )
        for o in report.outcomes or ()
    )
    return BatchResult(
        outcomes=outcomes,
        mode="import" if report.plan["import_chunks"] else "upsert",
        import_process_ids=tuple(report.process_ids),
    )
