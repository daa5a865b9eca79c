"""Planning and diff: read the source twice, compare each row with the state, queue changes.

Pass 1 records every row's email (case-insensitive) and LOYALTY_ID with its line, and
finds the duplicates: every row that shares either with another row is invalid. Pass 2
validates, compares with what the state says Brevo holds, and hands changed rows to the
send paths (``_imports``) as they come, so memory stays bounded.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator, Mapping

from ..profile import LoyaltyProfile
from . import _identity as identity
from . import _imports as imports
from ._context import RunContext, loyalty_id_text, usable_email
from ._effects import Plan
from ._plan import is_unchanged, member
from ._source import MalformedRow, Raw, Source
from ._sql import SqlSource
from ._state import ContactState
from ._validation import Invalid, Normalizer, Row
from ._values import HEAD, canonical, entries, value_hash

__all__ = ["RAW_HASH_VERSION", "UPDATE_ONLY_BATCH", "pass_one", "pass_two"]
#: Mode update: rows the state doesn't know are sent per contact (only an update can
#: say whether the contact exists), in batches of this many, so a first ``update`` run
#: over a large source holds one batch in memory, not every row.
UPDATE_ONLY_BATCH = 500
#: Part of every raw hash: bump it when the way a row's text becomes values changes, or
#: what the state stores for a row. 2: the state learns every LOYALTY_ID's contact;
#: 3: per-attribute entries in the digest (each row takes the full path once).
RAW_HASH_VERSION = 3


def pass_one(ctx: RunContext) -> None:
    """Record every row's email key and LOYALTY_ID, with its line; find the duplicates."""
    ctx.state.reset_seen()
    keys: list[tuple[str, int, int | None]] = []
    ids: list[tuple[str, str, int | None]] = []
    for index, line, key, loyalty_id in _keys(ctx):
        ctx.total += 1
        if key is None:
            continue
        where = line if line is not None else index
        keys.append((key, index, where))
        if loyalty_id is not None:
            ids.append((loyalty_id, key, where))
        if len(keys) >= 5000:
            ctx.state.add_seen(keys, ids)
            keys, ids = [], []
    ctx.state.add_seen(keys, ids)
    ctx.duplicate_keys, ctx.duplicate_ids = ctx.state.duplicates()


def _keys(ctx: RunContext) -> Iterator[tuple[int, int | None, str | None, str | None]]:
    """(index, line, key, LOYALTY_ID) of every row of the source."""
    source = ctx.source
    if isinstance(source, Source) and source.format == "csv" and ctx.email_header:
        # Just the email and id columns: what key_of and id_of read from a whole row.
        headers = (ctx.email_header,) + ((ctx.id_header,) if ctx.id_header else ())
        for index, line, cells in source.csv_columns(headers):
            if cells is None:
                yield index, line, None, None
                continue
            email = usable_email(cells[0].strip())
            loyalty_id = loyalty_id_text(cells[1]) if len(cells) > 1 else None
            yield index, line, None if email is None else email.lower(), loyalty_id
        return
    if isinstance(source, SqlSource) and ctx.email_header:
        # A query: its email and id columns only, without converting the other cells.
        headers = (ctx.email_header,) + ((ctx.id_header,) if ctx.id_header else ())
        for index, cells in source.columns_of(headers):
            email = usable_email(cells[0].strip())
            loyalty_id = loyalty_id_text(cells[1]) if len(cells) > 1 else None
            yield index, None, None if email is None else email.lower(), loyalty_id
        return
    for raw in source.rows():
        yield raw.index, raw.line, ctx.key_of(raw), ctx.id_of(raw)


def pass_two(ctx: RunContext) -> Plan:
    """Validate, diff and queue every row; progress as rows are planned."""
    normalizer = ctx.normalizer()
    ctx.fingerprint = fingerprint(ctx)
    ctx.progress("reading", 0, ctx.total)
    batch: list[Raw] = []
    for raw in ctx.source.rows():
        batch.append(raw)
        if len(batch) >= ctx.options.batch_rows:
            yield from _plan_batch(ctx, normalizer, batch)
            batch = []
    if batch:
        yield from _plan_batch(ctx, normalizer, batch)


def fingerprint(ctx: RunContext) -> bytes:
    """A hash of everything besides a row's text that decides what is sent for it.

    A row's raw hash covers its text and this fingerprint, so a change of mapping,
    columns (their order included), tier policy, account attribute types, program
    lists, mode or tajo-brevo version makes every row take the full path again (once:
    rows found unchanged there get the new raw hash).
    """
    from .. import __version__  # here: the package imports this module

    source = ctx.source
    with ctx.account.lock:
        types = sorted((str(k), str(v)) for k, v in (ctx.account.attribute_types or {}).items())
    policy = type(ctx.policy)
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
        "policy": f"{policy.__module__}.{policy.__qualname__} {ctx.policy!r}",
        "types": types,
        "program": [
            ctx.program.all_customers,
            sorted((str(t), i) for t, i in ctx.program.tier_lists.items()),
        ],
        "mode": ctx.options.mode,
        # An attribute re-created in Brevo: every row is compared attribute by attribute.
        "resets": sorted((name, run) for name, run in ctx.table.values() if run),
    }
    text = json.dumps(data, sort_keys=True, ensure_ascii=True)
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def _raw_digest(ctx: RunContext, raw: Raw) -> bytes | None:
    if raw.text is None:
        return None
    return hashlib.blake2b(
        ctx.fingerprint + raw.text.encode("utf-8", "surrogatepass"), digest_size=16
    ).digest()


def _item(normalizer: Normalizer, raw: Raw, raw_digest: bytes | None) -> Row | Invalid:
    """One row validated and encoded, or why it is invalid."""
    if isinstance(raw.cells, LoyaltyProfile):
        return normalizer.from_profile(raw.index, raw.cells)
    if isinstance(raw.cells, Mapping | MalformedRow):
        return normalizer.normalize(raw, raw_digest)
    return Invalid(
        raw.index,
        None,
        f"row: must be a LoyaltyProfile or a mapping, got {type(raw.cells).__name__}",
        {},
    )


def _plan_batch(ctx: RunContext, normalizer: Normalizer, batch: list[Raw]) -> Plan:
    # One joined lookup for the block: the last row of each email, and the state.
    emails = [ctx.email_of(raw) for raw in batch]
    found = ctx.state.lookup_seen([e.lower() for e in emails if e is not None])
    if ctx.options.dry_run:
        found = {k: (i, _as_invalidated(ctx, k, c)) for k, (i, c) in found.items()}
    items: list[Row | Invalid] = []
    remember: list[tuple[str, bytes, bytes]] = []
    digests: list[tuple[str, bytes | None, bytes, bytes]] = []
    counts, counts_only = ctx.report.counts, ctx.report.outcomes is None
    duplicates = bool(ctx.duplicate_keys or ctx.duplicate_ids)
    for raw, email in zip(batch, emails, strict=True):
        if duplicates:
            reason = identity.duplicate_reason(ctx, raw, None if email is None else email.lower())
            if reason is not None:
                # The row's own problem first, if it has one (a duplicate is rare).
                own = _item(normalizer, raw, None)
                if isinstance(own, Invalid):
                    reason = f"{own.reason}; also {reason}"
                ctx.outcome(raw.index, email, "invalid", reason, None)
                continue
        raw_digest = _raw_digest(ctx, raw)
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
                    ctx.outcome(raw.index, email, "unchanged", None, known.tier)
                continue
        items.append(_item(normalizer, raw, raw_digest))
    ctx.done += len(batch)
    # A row's key is its email's (email_of): found holds them all but rows whose email
    # the lookup could not take (refused by the normalizer anyway).
    other = [i.key for i in items if isinstance(i, Row) and i.key not in found]
    if other:
        last_other = ctx.state.last_index(other)
        known_other = ctx.state.lookup(other)
        for key in other:
            known = known_other.get(key)
            if ctx.options.dry_run:
                known = _as_invalidated(ctx, key, known)
            found[key] = (last_other.get(key, -1), known)
    changes = identity.plan_identities(
        ctx, [(item, found[item.key][1]) for item in items if isinstance(item, Row)]
    )
    for item in items:
        if isinstance(item, Invalid):
            ctx.outcome(item.index, item.email, "invalid", item.reason, None)
            continue
        previous = found[item.key][1]
        if is_unchanged(item, previous, ctx.program) and not _recreated(ctx, item, previous):
            ctx.outcome(item.index, item.email, "unchanged", None, item.tier.value)
            assert previous is not None and previous.digest is not None
            if len(previous.digest) <= HEAD:
                # Stored before per-attribute entries: the entries are added now.
                digests.append((item.key, item.raw_digest, previous.digest, _digest(ctx, item)))
            elif item.raw_digest is not None and previous.raw != item.raw_digest:
                remember.append((item.key, item.raw_digest, previous.digest))
            continue
        if item.key in changes:
            # The customer (its LOYALTY_ID) is in Brevo under another email: change it.
            ctx.rows_queued += 1
            yield from identity.queue(ctx, item, changes[item.key])
            continue
        if previous is not None and _holds(ctx, item, previous):
            # Brevo holds every value of the row (a column added with nothing to send,
            # or dropped): nothing is sent; the state now remembers the row as it is.
            ctx.outcome(item.index, item.email, "unchanged", None, item.tier.value)
            assert previous.digest is not None
            digests.append((item.key, item.raw_digest, previous.digest, _digest(ctx, item)))
            continue
        if ctx.options.mode == "update" and (previous is None or previous.tier is None):
            # Not known to exist: only a per-contact update can say (never creates).
            ctx.update_only.append(item)
            ctx.rows_queued += 1
            if len(ctx.update_only) >= UPDATE_ONLY_BATCH:
                unknown, ctx.update_only = ctx.update_only, []
                yield from imports.send_upserts(ctx, unknown, may_create=False)
            continue
        ctx.rows_queued += 1
        yield from imports.queue(ctx, item)
    if remember and not ctx.options.dry_run:
        # Found unchanged the long way (a migrated state, a new fingerprint): the next
        # run takes the short way for these rows.
        ctx.state.remember_raw(remember)
    if digests and not ctx.options.dry_run:
        ctx.state.remember_digests(digests, ctx.run)
    # After the batch's sends: "done" counts rows whose plan is carried out or queued.
    ctx.progress("reading", ctx.done, ctx.total)


def _as_invalidated(ctx: RunContext, key: str, known: ContactState | None) -> ContactState | None:
    """What a real run's state holds for a contact once the drift checks wrote (a dry run
    writes nothing, and plans from this instead)."""
    if known is None or ctx.reset_program:
        return None  # the state forgot every contact
    kind = ctx.drifted.get(key)
    if ctx.resend_all or (kind is not None and kind != "other_tier_list"):
        return dataclasses.replace(known, digest=None, raw=None)
    return known


def _digest(ctx: RunContext, row: Row) -> bytes:
    """What the state stores for a row Brevo holds: its hash and per-attribute entries."""
    return member(row, ctx.program, ctx.attr_ids).digest


def _recreated(ctx: RunContext, row: Row, known: ContactState | None) -> bool:
    """Whether Brevo re-created one of the row's attributes since it confirmed the row."""
    if known is None or not ctx.resets:
        return False
    resets = ctx.resets
    return any(resets.get(name, 0) > known.run for name in row.values)


def _holds(ctx: RunContext, row: Row, known: ContactState) -> bool:
    """Whether Brevo holds the row's values, compared attribute by attribute.

    An attribute the state has no confirmed value of (a new column, an attribute
    re-created in Brevo) is taken as empty in Brevo: an empty cell needs nothing sent.
    Columns the row no longer has (dropped) are left as they are in Brevo. Counts, per
    new column, the rows sent because of it.
    """
    stored = entries(known.digest)
    if stored is None or known.tier != row.tier.value:
        return False
    if not set(ctx.program.lists_for(row.tier)) <= set(known.lists):
        return False
    same = True
    fresh: list[str] = []
    for name, value in row.values.items():
        number = ctx.attr_ids.get(name)
        hashed = stored.get(number) if number is not None else None
        if (
            hashed is not None
            and number is not None
            and ctx.table.get(number, ("", 0))[1] > known.run
        ):
            fresh.append(f"recreated attribute {name}")
            hashed = None
        elif hashed is None:
            fresh.append(f"new column {name}")
        if hashed is None:
            if canonical(value) != "":
                same = False
        elif value_hash(value) != hashed:
            same = False
            fresh = []  # a value changed: sent for that, not for a column
            break
    columns = ctx.report.columns
    for label in fresh:
        columns[label] += 0 if same else 1
    for number in stored:
        name = ctx.table.get(number, ("", 0))[0]
        if name and name not in row.values:
            columns[f"dropped column {name}"] += 0
    return same
