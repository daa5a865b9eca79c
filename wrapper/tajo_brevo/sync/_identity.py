"""Identity: who a row is. The LOYALTY_ID is the customer's key, the email its address.

- Duplicates: two rows of a source with the same email (in any case) or the same
  LOYALTY_ID are both invalid, named with their line numbers, and never sent: which of
  them is right is for the platform to say, not for the sync to guess. Found in pass one
  (``_planning``), which reads every row's email and LOYALTY_ID before anything is sent.
- Email changes: the state remembers which contact carries each LOYALTY_ID. A row whose
  LOYALTY_ID the state knows under another email, that email no longer in the source, is
  the same customer with a new address: ``PUT /contacts/{old email}`` with
  ``attributes.EMAIL`` set to the new one (Brevo keeps the contact's id, lists and
  history), never a second contact. If Brevo no longer has the old contact, the row is
  sent as usual; if the new email already belongs to another Brevo contact, the row fails
  (merging two contacts is a decision for a person) and nothing is sent for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import _adapter as calls
from ..errors import DuplicateContactError, NotFoundError
from . import _imports as imports
from ._context import RunContext
from ._effects import Parallel, Plan
from ._failpoints import failpoint
from ._plan import member
from ._source import Raw
from ._state import Confirmed, ContactState
from ._validation import Row

__all__ = ["EMAIL_CHANGE_BATCH", "duplicate_reason", "flush", "plan_identities", "queue"]

#: Email changes are sent per contact, this many at a time (they are few).
EMAIL_CHANGE_BATCH = 500


def duplicate_reason(ctx: RunContext, raw: Raw, key: str | None) -> str | None:
    """Why this row is invalid as a duplicate (None: its email and LOYALTY_ID are on no
    other row)."""
    problems = []
    if key is not None and key in ctx.duplicate_keys:
        problems.append(
            f"the email {key} is on {ctx.where(ctx.duplicate_keys[key])} (emails are "
            "case-insensitive)"
        )
    if ctx.duplicate_ids:
        loyalty_id = ctx.id_of(raw)
        if loyalty_id is not None and loyalty_id in ctx.duplicate_ids:
            problems.append(
                f"LOYALTY_ID {loyalty_id!r} is on {ctx.where(ctx.duplicate_ids[loyalty_id])}"
            )
    if not problems:
        return None
    return (
        "; ".join(problems) + ": a customer must be on one row, so none of these rows is "
        "sent (fix the source)"
    )


def _loyalty_id(row: Row) -> str | None:
    value = row.values.get("LOYALTY_ID")
    return value.strip() or None if isinstance(value, str) else None


def plan_identities(
    ctx: RunContext, rows: Sequence[tuple[Row, ContactState | None]]
) -> dict[str, str]:
    """Email changes among a batch of valid rows: ``{new key: old key}``.

    Also records which contact carries each LOYALTY_ID (not in a dry run), except for an
    email change, whose id moves once Brevo confirmed the change.
    """
    ids = {row.key: loyalty_id for row, _ in rows if (loyalty_id := _loyalty_id(row))}
    if not ids:
        return {}
    mapped = ctx.state.keys_for_ids(list(dict.fromkeys(ids.values())))
    candidates: dict[str, str] = {}
    for row, previous in rows:
        loyalty_id = ids.get(row.key)
        old = mapped.get(loyalty_id) if loyalty_id is not None else None
        # Only a row Brevo does not hold yet under its own email can be a new address.
        if old is not None and old != row.key and (previous is None or previous.digest is None):
            candidates[row.key] = old
    changes: dict[str, str] = {}
    if candidates:
        olds = list(dict.fromkeys(candidates.values()))
        known = ctx.state.lookup(olds)
        present = ctx.state.in_source(olds)
        changes = {
            new: old for new, old in candidates.items() if old in known and old not in present
        }
    _returning(ctx, [row.key for row, previous in rows if previous is None])
    if not ctx.options.dry_run:
        ctx.state.remember_ids(
            (loyalty_id, key)
            for key, loyalty_id in ids.items()
            if key not in changes and mapped.get(loyalty_id) != key
        )
    return changes


def _returning(ctx: RunContext, keys: list[str]) -> None:
    """Count customers the state does not know whose email Brevo has blacklisted as far
    as the state saw (e.g. blacklisted by ``--on-missing blacklist``, now back in the
    source). They are synced as any row, and stay blacklisted: the sync never changes
    consent (see ``_consent``)."""
    if not keys or not ctx.state.has_consent():
        return
    flags = ctx.state.consent(keys)
    back = sum(1 for email_bl, _ in flags.values() if email_bl)
    if back:
        ctx.report.missing["returned_blacklisted"] += back


def queue(ctx: RunContext, row: Row, old: str) -> Plan:
    """Queue one email change; send a batch when it is full."""
    ctx.report.plan["email_changes"] += 1
    ctx.email_changes.append((row, old))
    if len(ctx.email_changes) >= EMAIL_CHANGE_BATCH:
        batch, ctx.email_changes = ctx.email_changes, []
        yield from _send(ctx, batch)


def flush(ctx: RunContext) -> Plan:
    """Send the email changes still queued."""
    if ctx.email_changes:
        batch, ctx.email_changes = ctx.email_changes, []
        yield from _send(ctx, batch)


def _send(ctx: RunContext, batch: list[tuple[Row, str]]) -> Plan:
    ctx.report.plan["rows_to_send"] += len(batch)
    ctx.report.plan["upserts"] += len(batch)
    if ctx.options.dry_run:
        for row, _ in batch:
            ctx.outcome(row.index, row.email, "updated", None, row.tier.value)
        return
    program = ctx.program
    members = [member(row, program, ctx.attr_ids) for row, _ in batch]
    # Recorded before sending, like every other send: a run killed here re-plans these
    # rows (the state still maps each LOYALTY_ID to the old email, so the change is
    # tried again; if Brevo had applied it, the old email is gone and the row is upserted).
    chunk_id = ctx.state.record_chunk(ctx.run, "upsert", program.list_ids, members)
    results = yield Parallel([_change_one(ctx, row, old) for row, old in batch])
    confirmed: list[Confirmed] = []
    renamed: list[tuple[str, str, str]] = []
    unsure: list[str] = []
    for (row, old), m, result in zip(batch, members, results, strict=True):
        if isinstance(result, BaseException):
            if isinstance(result, DuplicateContactError):
                reason = (
                    f"the email changed (LOYALTY_ID {_loyalty_id(row)!r} was {old}), but "
                    f"{row.email} already belongs to another Brevo contact: merge or delete "
                    "one of them in Brevo; nothing was sent for this row"
                )
            elif imports.uncertain(result):
                unsure.append(row.key)
                reason = f"email change not confirmed ({result}); the next run sends it again"
            else:
                reason = f"email change from {old}: {result}"
            ctx.outcome(row.index, row.email, "failed", reason, row.tier.value)
            continue
        if result == "skipped":
            imports.skipped(ctx, row)
            continue
        confirmed.append(
            Confirmed(row.key, m.digest, row.tier.value, program.lists_for(row.tier), raw=m.raw)
        )
        # Renamed, or the old contact was gone: either way the old email is no contact.
        renamed.append((old, row.key, _loyalty_id(row) or ""))
        if ctx.options.verify:
            ctx.touched.add(row.key)
        status = "updated" if result == "renamed" else result
        ctx.outcome(row.index, row.email, status, None, row.tier.value)
    ctx.state.settle(chunk_id, confirmed, ctx.run, uncertain=unsure, renamed=renamed)


def _change_one(ctx: RunContext, row: Row, old: str) -> Plan:
    """``PUT /contacts/{old}`` with the new email and the row's values and lists; the
    usual upsert of the row when Brevo no longer has the old contact."""
    program = ctx.program
    targets = list(program.lists_for(row.tier))
    others = [i for i in program.tier_lists.values() if i not in targets]
    attributes: dict[str, Any] = dict(row.values)
    attributes["EMAIL"] = row.email
    update: dict[str, Any] = {"attributes": attributes, "listIds": targets}
    if others:
        update["unlinkListIds"] = others
    try:
        yield from ctx.call(calls.update_contact_call(old, update))
    except NotFoundError:
        # The old contact is gone from Brevo: the row is an ordinary one.
        result = yield from imports.upsert_one(ctx, row, ctx.options.mode != "update")
        return result
    failpoint("email:changed")
    return "renamed"
