"""Sending and confirming: import chunks, per-contact upserts, and Brevo's confirmation.

A chunk is recorded in the state (in flight) before its request is sent; the state
advances only for rows Brevo confirmed (``GET /processes/{id}`` completed, minus the rows
its report files name).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .. import _adapter as calls
from ..errors import APIConnectionError, APIError, BrevoError, NotFoundError, ServerError
from . import _lists as lists
from ._context import RunContext
from ._effects import Download, Parallel, Plan, Sleep
from ._failpoints import failpoint
from ._plan import Chunker, ReadyChunk, member, stale_lists
from ._state import Confirmed, ContactState, Member
from ._validation import Row

__all__ = [
    "confirm",
    "flush",
    "parse_report",
    "queue",
    "send_upserts",
    "skipped",
    "uncertain",
    "upsert_one",
]


def uncertain(exc: BaseException) -> bool:
    """Brevo may have applied the request (no answer, or a 5xx)."""
    return isinstance(exc, APIConnectionError | ServerError) or not isinstance(exc, APIError)


def skipped(ctx: RunContext, row: Row) -> None:
    """The row's outcome when mode update found no contact to update."""
    ctx.outcome(
        row.index,
        row.email,
        "skipped",
        "not in Brevo, and mode update never creates contacts",
        row.tier.value,
    )


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


# -- sending ------------------------------------------------------------------------------


def queue(ctx: RunContext, row: Row) -> Plan:
    """A changed row: per-contact while few, through import chunks from the threshold on."""
    if not ctx.importing:
        ctx.pending.append(row)
        if len(ctx.pending) < ctx.options.import_threshold:
            return
        ctx.importing = True
        ctx.chunker = Chunker(
            ctx.program,
            ctx.options.max_import_bytes,
            ctx.state,
            target_bytes=ctx.options.import_chunk_bytes,
            ids=ctx.attr_ids,
        )
        waiting, ctx.pending = ctx.pending, []
        for item in waiting:
            yield from _chunk(ctx, item)
        return
    yield from _chunk(ctx, row)


def _chunk(ctx: RunContext, row: Row) -> Plan:
    assert ctx.chunker is not None
    ready, too_large = ctx.chunker.add(row)
    if too_large:
        ctx.rows_queued -= 1
        ctx.outcome(
            row.index,
            row.email,
            "invalid",
            f"row is larger than the import limit of {ctx.options.max_import_bytes} bytes",
            row.tier.value,
        )
    for chunk in ready:
        yield from _send_chunk(ctx, chunk)


def flush(ctx: RunContext) -> Plan:
    """Send what is still queued once the source is read: open chunks, then upserts."""
    ctx.progress("sending", ctx.rows_sent, ctx.rows_queued)
    if ctx.chunker is not None:
        for chunk in ctx.chunker.finish():
            yield from _send_chunk(ctx, chunk)
    if ctx.pending:
        yield from send_upserts(ctx, ctx.pending, may_create=True)
        ctx.pending = []
    if ctx.update_only:
        yield from send_upserts(ctx, ctx.update_only, may_create=False)
        ctx.update_only = []


def _sent(ctx: RunContext, rows: int) -> None:
    ctx.rows_sent += rows
    if ctx.phase == "sending":
        ctx.progress("sending", ctx.rows_sent, ctx.rows_queued)


def _send_chunk(ctx: RunContext, ready: ReadyChunk) -> Plan:
    chunk = ready.chunk
    ctx.report.plan["rows_to_send"] += ready.count
    ctx.report.plan["import_chunks"] += 1
    if ctx.occupied is None:
        # Read in a dry run too: the plan's unlinks depend on it, as the run's do.
        ctx.occupied = yield from lists.occupied_tier_lists(ctx)
    maybe = ctx.occupied - set(chunk.list_ids)
    if ctx.options.dry_run:
        members = ready.members
        if ready.bucket is not None:
            members = ctx.state.spilled_members(ready.bucket)
            ctx.state.drop_spilled(ready.bucket)
        _predict_import(ctx, members, chunk.list_ids, tuple(sorted(maybe)))
        _sent(ctx, ready.count)
        return
    if ready.bucket is None:
        chunk_id = ctx.state.record_chunk(
            ctx.run, "import", chunk.list_ids, ready.members, maybe=maybe
        )
        file_body = chunk.body()
    else:
        # The rows wait on disk (see Chunker): read the lines, then move the rows to the
        # in-flight chunk; only this one request body is in memory.
        file_body = chunk.body() + ctx.state.spilled_lines(ready.bucket)
        chunk_id = ctx.state.record_spilled(
            ctx.run, "import", chunk.list_ids, ready.bucket, maybe=maybe
        )
    failpoint("import:recorded")
    try:
        result = yield from ctx.call(
            calls.import_call(
                file_body=file_body,
                list_ids=chunk.list_ids,
                empty_contacts_attributes=chunk.empty_contacts_attributes,
            )
        )
    except BrevoError as exc:
        del file_body
        _chunk_failed(ctx, chunk_id, _members(ctx, ready, chunk_id), exc)
        _sent(ctx, ready.count)
        return
    del file_body
    failpoint("import:sent")
    _sent(ctx, ready.count)
    payload = result.body if isinstance(result.body, dict) else {}
    process_id = payload.get("processId")
    if not isinstance(process_id, int) or isinstance(process_id, bool):
        members = _members(ctx, ready, chunk_id)
        ctx.state.abandon(chunk_id)
        for m in members:
            ctx.outcome(
                m.index,
                m.email,
                "failed",
                "Brevo queued the import without a process id: not confirmed; the next "
                "run sends it again",
                m.tier,
            )
        return
    ctx.state.set_process(chunk_id, process_id)
    ctx.report.process_ids.append(process_id)
    failpoint("import:queued")
    ctx.sent.append(chunk_id)


def _predict_import(
    ctx: RunContext, members: Sequence[Member], targets: tuple[int, ...], maybe: tuple[int, ...]
) -> None:
    """A dry run: the outcomes and the unlinks the run would have once Brevo confirmed the
    chunk (as ``_settle_import`` decides them)."""
    known = ctx.state.lookup([m.key for m in members])
    for m in members:
        previous = known.get(m.key)
        status = "updated" if previous is not None and previous.tier else "applied"
        ctx.outcome(m.index, m.email, status, None, m.tier)
        before = previous.lists if previous is not None else maybe
        merged = tuple(sorted(set(before) | set(targets)))
        candidate = ContactState(m.key, m.digest, m.tier, merged, 0)
        if stale_lists(candidate, ctx.program):
            ctx.predicted_stale[m.key] = candidate


def _members(ctx: RunContext, ready: ReadyChunk, chunk_id: int) -> list[Member]:
    """A sent chunk's rows (read back from the state when they were spilled)."""
    return ready.members if ready.bucket is None else ctx.state.chunk_rows(chunk_id)


def _chunk_failed(
    ctx: RunContext, chunk_id: int, members: Sequence[Member], exc: BrevoError
) -> None:
    if uncertain(exc):
        # Brevo may have queued it: the contacts are re-sent and their lists checked.
        ctx.state.abandon(chunk_id)
        reason = f"import not confirmed ({exc}); the next run sends it again"
    else:
        ctx.state.settle(chunk_id, [], ctx.run)
        reason = f"Brevo refused the import: {exc}"
    for m in members:
        ctx.outcome(m.index, m.email, "failed", reason, m.tier)


def send_upserts(ctx: RunContext, rows: list[Row], *, may_create: bool) -> Plan:
    """Send rows one contact at a time, concurrently; settle what Brevo confirmed."""
    ctx.report.plan["rows_to_send"] += len(rows)
    ctx.report.plan["upserts"] += len(rows)
    if ctx.options.dry_run:
        # What the run would report: a contact the state knows is updated, another is
        # created (mode update: assumed to exist; only the request could tell).
        known = ctx.state.lookup([row.key for row in rows])
        for row in rows:
            previous = known.get(row.key)
            is_known = previous is not None and previous.tier is not None
            status = "updated" if is_known or not may_create else "created"
            ctx.outcome(row.index, row.email, status, None, row.tier.value)
        _sent(ctx, len(rows))
        return
    program = ctx.program
    members = [member(row, program, ctx.attr_ids) for row in rows]
    chunk_id = ctx.state.record_chunk(ctx.run, "upsert", program.list_ids, members)
    results = yield Parallel([upsert_one(ctx, row, may_create) for row in rows])
    confirmed: list[Confirmed] = []
    unsure: list[str] = []
    for row, m, result in zip(rows, members, results, strict=True):
        if isinstance(result, BaseException):
            if uncertain(result):
                unsure.append(row.key)
                reason = f"not confirmed ({result}); the next run sends it again"
            else:
                reason = str(result)
            ctx.outcome(row.index, row.email, "failed", reason, row.tier.value)
        elif result == "skipped":
            skipped(ctx, row)
        else:
            confirmed.append(
                Confirmed(row.key, m.digest, row.tier.value, program.lists_for(row.tier), raw=m.raw)
            )
            if ctx.options.verify:
                ctx.touched.add(row.key)
            ctx.outcome(row.index, row.email, result, None, row.tier.value)
    ctx.state.settle(chunk_id, confirmed, ctx.run, uncertain=unsure)
    _sent(ctx, len(rows))


def upsert_one(ctx: RunContext, row: Row, may_create: bool) -> Plan:
    """One contact: PUT (lists set, other tier lists unlinked); POST when it is new."""
    program = ctx.program
    targets = list(program.lists_for(row.tier))
    others = [i for i in program.tier_lists.values() if i not in targets]
    attributes = dict(row.values)  # None clears the attribute
    update: dict[str, Any] = {"attributes": attributes, "listIds": targets}
    if others:
        update["unlinkListIds"] = others
    try:
        yield from ctx.call(calls.update_contact_call(row.email, update))
        failpoint("upsert:sent")
    except NotFoundError:
        if not may_create:
            return "skipped"
    else:
        return "updated"
    created = yield from ctx.call(
        calls.create_contact_call(
            {
                "email": row.email,
                "attributes": {k: v for k, v in attributes.items() if v is not None},
                "listIds": targets,
                "updateEnabled": True,
            }
        )
    )
    failpoint("upsert:created")
    if created.status_code == 201:
        return "created"
    # 204: someone created it in between: set it again, clears and unlinks included.
    yield from ctx.call(calls.update_contact_call(row.email, update))
    return "updated"


# -- confirming ---------------------------------------------------------------------------


def confirm(ctx: RunContext, chunk_ids: list[int], *, emit: bool) -> Plan:
    """Poll Brevo's import processes until each is settled or the timeout passes.

    ``emit``: this run's chunks (outcomes per row); else an earlier run's (counted under
    ``recovered``).
    """
    wanted = set(chunk_ids)
    waiting = {c.id: c for c in ctx.state.inflight() if c.id in wanted}
    interval = ctx.options.poll_interval
    waited = 0.0
    last_status: dict[int, str] = {}
    total = len(waiting)
    if emit:
        ctx.progress("processing", 0, total, "imports")
    for _ in range(100_000):  # bounded; ends on confirmation or the timeout
        if not waiting:
            break
        for chunk_id, chunk in list(waiting.items()):
            assert chunk.process_id is not None
            try:
                result = yield from ctx.call(calls.get_process_call(chunk.process_id))
            except NotFoundError:
                members = ctx.state.chunk_rows(chunk_id)
                ctx.state.abandon(chunk_id)
                del waiting[chunk_id]
                _emit_all(
                    ctx,
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
                settled = yield from _settle_import(
                    ctx, chunk_id, chunk.lists, chunk.maybe, body, emit
                )
                if settled:
                    del waiting[chunk_id]
            elif status in ("failed", "cancelled"):
                members = ctx.state.chunk_rows(chunk_id)
                # Brevo says it applied nothing; re-sent by the next run.
                ctx.state.settle(chunk_id, [], ctx.run)
                del waiting[chunk_id]
                _emit_all(ctx, members, emit, f"Brevo's import process {chunk.process_id} {status}")
        if emit:
            ctx.progress("processing", total - len(waiting), total, "imports")
        if not waiting or waited >= ctx.options.poll_timeout:
            break
        yield Sleep(interval)
        waited += interval
        interval = min(interval * 2, ctx.options.max_poll_interval)
    for chunk_id, chunk in waiting.items():
        # Still queued: stays in flight; the next run confirms it.
        members = ctx.state.chunk_rows(chunk_id)
        ctx.report.recovered["still_in_flight_rows"] += len(members)
        _emit_all(
            ctx,
            members,
            emit,
            f"not confirmed after {waited:g} s: import process {chunk.process_id} is "
            f"{last_status.get(chunk_id) or 'unknown'}; the next run confirms it",
        )


def _emit_all(ctx: RunContext, members: Iterable[Member], emit: bool, reason: str) -> None:
    for m in members:
        if emit:
            ctx.outcome(m.index, m.email, "failed", reason, m.tier)
        else:
            ctx.report.recovered["failed_rows"] += 1


def _settle_import(
    ctx: RunContext,
    chunk_id: int,
    targets: tuple[int, ...],
    maybe: tuple[int, ...],
    body: Mapping[str, Any],
    emit: bool,
) -> Plan:
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
    program = ctx.program
    report = ctx.report
    verify = ctx.options.verify
    # (lists before, tier) -> (lists after, stale): a handful of combinations per chunk.
    merges: dict[tuple[tuple[int, ...], str], tuple[tuple[int, ...], bool]] = {}

    def decide(members: list[Member], known: Mapping[str, ContactState]) -> list[Confirmed]:
        if not rejected and not known and emit and not verify:
            return fresh(members)
        confirmed: list[Confirmed] = []
        for m in members:
            if m.key in rejected:
                if emit:
                    ctx.outcome(m.index, m.email, "failed", rejected[m.key], m.tier)
                else:
                    report.recovered["failed_rows"] += 1
                continue
            previous = known.get(m.key)
            before = previous.lists if previous is not None else maybe
            merged_stale = merges.get((before, m.tier))
            if merged_stale is None:
                merged = tuple(sorted(set(before) | set(targets)))
                candidate = ContactState(m.key, m.digest, m.tier, merged, ctx.run)
                merged_stale = (merged, bool(stale_lists(candidate, program)))
                merges[(before, m.tier)] = merged_stale
            merged, stale = merged_stale
            confirmed.append(Confirmed(m.key, m.digest, m.tier, merged, stale, m.raw))
            if verify:
                ctx.touched.add(m.key)
            if emit:
                status = "updated" if previous is not None and previous.tier else "applied"
                ctx.outcome(m.index, m.email, status, None, m.tier)
            else:
                report.recovered["confirmed_rows"] += 1
        return confirmed

    def fresh(members: list[Member]) -> list[Confirmed]:
        """decide() for contacts the state does not know, none rejected (a first sync):
        the same result, without the per-row checks."""
        by_tier: dict[str, tuple[tuple[int, ...], bool]] = {}
        for tier in {m.tier for m in members}:
            merged = tuple(sorted(set(maybe) | set(targets)))
            candidate = ContactState("", None, tier, merged, ctx.run)
            by_tier[tier] = (merged, bool(stale_lists(candidate, program)))
        if report.outcomes is None:
            report.counts["applied"] += len(members)
        else:
            for m in members:
                ctx.outcome(m.index, m.email, "applied", None, m.tier)
        return [Confirmed(m.key, m.digest, m.tier, *by_tier[m.tier], m.raw) for m in members]

    if not rejected and emit and report.outcomes is None and not verify:
        # Contacts the state does not know (a first sync): stored by one statement per
        # tier, as fresh() would store them; None when the state knows one of them.
        by_tier: dict[str, tuple[tuple[int, ...], bool]] = {}
        for tier in ctx.state.chunk_tiers(chunk_id):
            merged = tuple(sorted(set(maybe) | set(targets)))
            candidate = ContactState("", None, tier, merged, ctx.run)
            by_tier[tier] = (merged, bool(stale_lists(candidate, program)))
        settled = ctx.state.settle_new(chunk_id, ctx.run, by_tier)
        if settled is not None:
            report.counts["applied"] += settled
            failpoint("import:confirmed")
            return True
    # Batch by batch in one transaction: a chunk of 100,000 rows is never all in memory.
    ctx.state.settle_rows(chunk_id, ctx.run, decide)
    failpoint("import:confirmed")
    return True
