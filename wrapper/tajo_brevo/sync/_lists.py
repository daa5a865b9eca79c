"""Lists, tiers and mirror: what an import can't do (it adds to lists, never removes).

- Tier moves: a contact whose confirmed tier changed leaves the tier lists the state
  recorded (150 contacts a request), then the state forgets them.
- A first sync on an account whose tier lists already have members: the contacts an
  import adds may sit in another tier list; those lists are read once before the first
  import (their subscriber counts) and remembered as "maybe" for the chunk.
- Unlinking: a list with pending removals whose members cost fewer requests to read
  (1,000 a page, known from its count before the run) than the blind removals (150 a
  request) is read first; only the pending contacts really in it are removed, the others
  are recorded as out of it without a request. A dry run reads the same and plans the same.
  Block by block: the stale contacts and the members read stay in the state; memory
  holds a block of contacts and a round of requests, whatever their number.
- Mirror mode: contacts no longer in the source are kept, unlisted or blacklisted; the
  removal guard (:func:`check_removals`) stops a run that would remove more than
  ``max_removals`` before anything is sent.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from .. import _adapter as calls
from .._plans import follow_process
from ..errors import APIError, BrevoError, NotFoundError, RemovalLimitError
from ._context import RunContext
from ._effects import Parallel, Plan
from ._failpoints import failpoint
from ._plan import MEMBERS_CHUNK, stale_lists, unlink_batches
from ._program import Program
from ._reads import PAGE
from ._state import ContactState

__all__ = [
    "check_removals",
    "mirror",
    "occupied_tier_lists",
    "really_listed",
    "removal_limit",
    "unlink",
]

#: Stale contacts the unlink phase holds at a time (the state keeps the others).
UNLINK_BLOCK = 5000
#: Removal requests (150 contacts each) sent together, then recorded.
UNLINK_ROUND = 100


def removal_limit(max_removals: int | str, known: int) -> int:
    """The most customers a run may remove: ``max_removals`` as a count, or as a share of
    ``known`` (``"10%"``, rounded down).

    Raises:
        ValueError: not a count >= 0 or a share from 0% to 100%.
    """
    if isinstance(max_removals, bool):
        raise ValueError(f"expected N or P%, got {max_removals!r}")
    if isinstance(max_removals, int):
        if max_removals < 0:
            raise ValueError(f"must be >= 0, got {max_removals}")
        return max_removals
    text = str(max_removals).strip()
    try:
        if text.endswith("%"):
            share = float(text[:-1])
            if not 0 <= share <= 100:
                raise ValueError
            return int(known * share / 100)
        count = int(text)
    except ValueError:
        raise ValueError(f"expected a count N or a share P% (0-100), got {text!r}") from None
    if count < 0:
        raise ValueError(f"must be >= 0, got {count}")
    return count


def check_removals(ctx: RunContext) -> None:
    """Mirror mode: refuse, before anything is sent, to remove more than ``max_removals``.

    A partial export, a filtered file or a failures file fed back as the source looks
    like most customers leaving; removing them is not undone by the next run.

    Raises:
        RemovalLimitError: how many would leave, the limit, and the option that allows it.
    """
    options = ctx.options
    if options.mode != "mirror" or options.on_missing == "keep":
        return
    leaving = sum(1 for _ in ctx.state.missing())
    known = ctx.state.count()
    limit = removal_limit(options.max_removals, known)
    if leaving <= limit:
        return
    verb = "unlisted" if options.on_missing == "unlist" else "blacklisted"
    raise RemovalLimitError(
        f"{ctx.source.name}: {leaving} of the {known} customers the state knows are not in "
        f"the source and would be {verb}, more than --max-removals {options.max_removals} "
        f"allows ({limit}); nothing was sent. If they really left, run again with "
        f"--max-removals {leaving} (or max_removals={leaving}); if the source is partial, "
        "sync it without --mode mirror",
        leaving=leaving,
        known=known,
        limit=limit,
    )


def occupied_tier_lists(ctx: RunContext) -> Plan:
    """Tier lists that have members, read before this run's first import.

    An import adds, never removes. A contact the state does not know (a first sync on
    an account that already has customers) may be in another tier list: it is unlinked
    from the tier lists that had members, blindly, 150 a request. On a fresh account
    every tier list is empty and nothing is unlinked.
    """
    occupied: set[int] = set()
    for list_id in ctx.program.tier_lists.values():
        seen = (ctx.list_info or {}).get(list_id)
        if seen is not None and seen.get("count") is not None:
            # Read before this run wrote anything (the identity check): no request.
            ctx.tier_counts[list_id] = seen["count"]
            if seen["count"] > 0:
                occupied.add(list_id)
            continue
        try:
            info = yield from ctx.call(calls.get_list_call(list_id))
        except BrevoError:
            occupied.add(list_id)  # unknown: assume members (an unlink too many is harmless)
            continue
        body = info.body if isinstance(info.body, dict) else {}
        counts = [
            c
            for c in (body.get("uniqueSubscribers"), body.get("totalSubscribers"))
            if isinstance(c, int) and not isinstance(c, bool)
        ]
        if counts:
            ctx.tier_counts[list_id] = max(counts)
        if not counts or max(counts) > 0:
            occupied.add(list_id)  # members, or no count given: assume members
    return occupied


def _ceil(count: int, size: int) -> int:
    return -(-count // size)


def _stale_blocks(ctx: RunContext) -> Iterator[list[ContactState]]:
    """The stale contacts, ``UNLINK_BLOCK`` at a time, in key order (the state holds the
    rest); in a dry run, then those the run would mark stale."""
    predicted = ctx.predicted_stale
    block: list[ContactState] = []
    for contact in ctx.state.stale():
        if contact.key not in predicted:
            block.append(contact)
            if len(block) >= UNLINK_BLOCK:
                yield block
                block = []
    if block:
        yield block
    extra = sorted(predicted.values(), key=lambda c: c.key)
    for start in range(0, len(extra), UNLINK_BLOCK):
        yield extra[start : start + UNLINK_BLOCK]


#: A stale contact, the lists it must leave, and whether a list read found it out of one.
_Pending = tuple[ContactState, set[int], bool]


def _blocks(ctx: RunContext, read: set[int]) -> Iterator[list[_Pending]]:
    """The stale contacts block by block, with the lists each must leave; the lists read
    (``read``) that a contact is not a member of are taken off its lists."""
    program = ctx.program
    known: dict[tuple[str | None, tuple[int, ...]], set[int]] = {}

    def leaving(contact: ContactState) -> set[int]:
        # A run has a handful of (tier, lists) pairs: each computed once.
        pair = (contact.tier, contact.lists)
        found = known.get(pair)
        if found is None:
            found = known[pair] = stale_lists(contact, program)
        return found

    for block in _stale_blocks(ctx):
        pending = [(c, leaving(c)) for c in block]
        absent: dict[str, set[int]] = {}
        for list_id in sorted(read):
            keys = [c.key for c, lists in pending if list_id in lists]
            members = ctx.state.listed(list_id, keys)
            for key in keys:
                if key not in members:
                    absent.setdefault(key, set()).add(list_id)
        found: list[_Pending] = []
        for contact, lists in pending:
            gone = absent.get(contact.key)
            if gone:
                left = tuple(i for i in contact.lists if i not in gone)
                contact = ContactState(contact.key, contact.digest, contact.tier, left, contact.run)
                lists = leaving(contact)
            found.append((contact, lists, bool(gone)))
        yield found


def _count(ctx: RunContext, read: set[int], *, record: bool = False) -> dict[int, int]:
    """Stale contacts to take off each list; ``record``: and what :func:`_record` keeps."""
    pending: dict[int, int] = {}
    for block in _blocks(ctx, read):
        if record:
            _record(ctx, block)
        for _, lists, _ in block:
            for list_id in lists:
                pending[list_id] = pending.get(list_id, 0) + 1
    return pending


def really_listed(ctx: RunContext) -> Plan:
    """The lists whose members this run read (into the state's scratch table), where
    reading them is cheaper than removing their pending contacts blindly; and the stale
    contacts to take off each list before the read: ``(lists read, {list: count})``.

    A list's members are estimated from its count before the run (``tier_counts``):
    the same in a dry run and in the run (the run's imports add to other lists than the
    ones their contacts leave, so the pending contacts found in a list are the same).
    A list without a known count is left to the blind removals.
    """
    pending = _count(ctx, set())
    read: set[int] = set()
    ctx.state.reset_listed()
    for list_id in sorted(pending):
        count = ctx.tier_counts.get(list_id)
        if count is None or max(1, _ceil(count, PAGE)) >= _ceil(pending[list_id], MEMBERS_CHUNK):
            continue
        yield from _list_members(ctx, list_id)
        read.add(list_id)
    return read, pending


def _list_members(ctx: RunContext, list_id: int) -> Plan:
    """Read a list's members (lowercased emails) into the state, 1,000 a request."""
    offset = 0
    for _ in range(1_000_000):  # bounded by the pages of the list
        page = yield from ctx.call(
            calls.list_contacts_call(limit=PAGE, offset=offset, list_ids=[list_id])
        )
        body = page.body if isinstance(page.body, dict) else {}
        contacts = [c for c in body.get("contacts") or [] if isinstance(c, dict)]
        emails = (c.get("email") for c in contacts)
        ctx.state.add_listed(list_id, (e.lower() for e in emails if isinstance(e, str) and e))
        offset += len(contacts)
        count = body.get("count")
        if len(contacts) < PAGE or (isinstance(count, int) and offset >= count):
            break


def unlink(ctx: RunContext) -> Plan:
    """Take stale contacts off the tier lists they left (exactly the lists recorded).

    Block by block: the state holds the stale contacts, memory holds a block of them and
    a round of requests (``UNLINK_ROUND`` batches of 150), whatever their number; the
    requests are the ones a single pass would make (150 contacts a list, in key order).
    """
    program = ctx.program
    # Read where cheaper (in a dry run too: the plan's unlinks depend on it).
    read, pending = yield from really_listed(ctx)
    if read:
        # Fewer to remove: those found out of a list read are not (recorded now, so the
        # pass that sends reads the state as it is, without the lists read).
        pending = _count(ctx, read, record=not ctx.options.dry_run)
    total = sum(_ceil(n, MEMBERS_CHUNK) for n in pending.values())
    ctx.report.plan["unlink_requests"] += total
    if ctx.options.dry_run:
        return
    if total:
        ctx.progress("unlinking", 0, total, "requests")
    sent = 0
    batches: list[tuple[int, list[ContactState]]] = []
    for batch in unlink_batches(_recorded(ctx), program):
        batches.append(batch)
        if len(batches) >= UNLINK_ROUND:
            sent += yield from _send_unlinks(ctx, batches)
            batches = []
            ctx.progress("unlinking", sent, total, "requests")
    sent += yield from _send_unlinks(ctx, batches)
    if total:
        ctx.progress("unlinking", sent, total, "requests")


def _record(ctx: RunContext, block: list[_Pending]) -> None:
    """Record a block's contacts found out of a list read, and clear the ones with
    nothing to leave."""
    # Not in a list after all: recorded as out of it, no request.
    ctx.state.set_lists((c.key, c.lists, bool(lists)) for c, lists, gone in block if gone)
    # Stale with nothing left to leave (e.g. the wrong list was never added): clear.
    ctx.state.set_lists(
        (c.key, c.lists, False) for c, lists, _ in block if c.tier is not None and not lists
    )


def _recorded(ctx: RunContext) -> Iterator[ContactState]:
    """The stale contacts, each block recorded (:func:`_record`) before its contacts are
    batched."""
    for block in _blocks(ctx, set()):
        _record(ctx, block)
        yield from (c for c, _, _ in block)


def _send_unlinks(ctx: RunContext, batches: list[tuple[int, list[ContactState]]]) -> Plan:
    """Send removals; record the lists each contact is then in (read from the state: an
    earlier round may have taken it off another list). Returns the requests sent."""
    if not batches:
        return 0
    program = ctx.program
    results = yield Parallel([_remove(ctx, list_id, batch) for list_id, batch in batches])
    removed: dict[str, set[int]] = {}
    for (list_id, batch), result in zip(batches, results, strict=True):
        if isinstance(result, BaseException) or result is False:
            ctx.report.plan["unlink_failed"] += len(batch)
            continue
        for contact in batch:
            removed.setdefault(contact.key, set()).add(list_id)
    known = ctx.state.lookup(sorted(removed))
    changes = []
    for key, gone in removed.items():
        now = known.get(key)
        if now is None:
            continue
        left = tuple(i for i in now.lists if i not in gone)
        after = ContactState(key, now.digest, now.tier, left, now.run)
        changes.append((key, left, bool(stale_lists(after, program))))
    ctx.state.set_lists(changes)
    return len(batches)


def _remove(ctx: RunContext, list_id: int, contacts: Sequence[ContactState]) -> Plan:
    """Remove a batch from a list; False when Brevo has not confirmed it (yet)."""
    try:
        result = yield from ctx.call(
            calls.remove_from_list_call(list_id, emails=[c.key for c in contacts])
        )
    except APIError as exc:
        if exc.status_code == 400:
            return None  # "already removed / does not exist": not in the list either way
        raise
    failpoint("unlink:sent")
    # Listed under success or failure, a contact is out of the list either way (failure:
    # not in it, or unknown). An answer with only a process is confirmed by its process.
    answer = calls.to_membership_answer(result.body)
    if answer.process_id is not None and not (answer.success or answer.failure):
        status, _ = yield from ctx.delegate(
            follow_process(answer.process_id, ctx.options.poll_timeout)
        )
        if status != "completed":
            return False
    return None


def mirror(ctx: RunContext) -> Plan:
    """Mirror mode: contacts no longer in the source follow ``on_missing`` (the current
    one: customers kept by an earlier run are removed by a later ``unlist`` run).

    A dry run counts under the keys the run would use, and plans the same unlink requests.
    """
    program = ctx.program
    missing = list(ctx.state.missing())
    action = ctx.options.on_missing
    if not missing:
        return
    if action == "keep":
        ctx.report.missing["kept"] += len(missing)
        return
    if ctx.report.rows == 0:
        # An empty source is far more likely a broken export than an empty program.
        ctx.report.missing["kept_empty_source"] += len(missing)
        return
    if ctx.options.dry_run:
        if action == "unlist":
            ctx.report.plan["unlink_requests"] += len(_unlist_jobs(missing, program))
            ctx.report.missing["unlisted"] += len(missing)
        else:
            ctx.report.plan["blacklist_requests"] += len(missing)
            ctx.report.missing["blacklisted"] += len(missing)
        return
    ctx.progress("unlinking", 0, len(missing), "contacts")
    if action == "unlist":
        done = yield from _unlist(ctx, missing, program)
        ctx.state.forget(done)
        ctx.report.missing["unlisted"] += len(done)
        if len(done) < len(missing):
            ctx.report.missing["unlist_failed"] += len(missing) - len(done)
    else:
        ctx.report.plan["blacklist_requests"] += len(missing)
        results = yield Parallel(
            [_blacklist_one(ctx, contact.key, list(program.list_ids)) for contact in missing]
        )
        done = [
            c.key for c, r in zip(missing, results, strict=True) if not isinstance(r, BaseException)
        ]
        ctx.state.forget(done)
        # Remembered past the contact: if the customer comes back, the run says so.
        ctx.state.set_consent((key, True, False) for key in done)
        ctx.report.missing["blacklisted"] += len(done)
        if len(done) < len(missing):
            ctx.report.missing["blacklist_failed"] += len(missing) - len(done)
    ctx.progress("unlinking", len(missing), len(missing), "contacts")


def _unlist_jobs(
    missing: list[ContactState], program: Program
) -> list[tuple[int, list[ContactState]]]:
    jobs: list[tuple[int, list[ContactState]]] = []
    for list_id in program.list_ids:
        members = [c for c in missing if list_id in c.lists]
        for start in range(0, len(members), MEMBERS_CHUNK):
            jobs.append((list_id, members[start : start + MEMBERS_CHUNK]))
    return jobs


def _unlist(ctx: RunContext, missing: list[ContactState], program: Program) -> Plan:
    jobs = _unlist_jobs(missing, program)
    ctx.report.plan["unlink_requests"] += len(jobs)
    results = yield Parallel([_remove(ctx, list_id, batch) for list_id, batch in jobs])
    failed: set[str] = set()
    for (_, batch), result in zip(jobs, results, strict=True):
        if isinstance(result, BaseException) or result is False:
            failed.update(c.key for c in batch)
    return [c.key for c in missing if c.key not in failed]


def _blacklist_one(ctx: RunContext, key: str, lists: list[int]) -> Plan:
    try:
        yield from ctx.call(
            calls.update_contact_call(key, {"emailBlacklisted": True, "unlinkListIds": lists})
        )
    except NotFoundError:
        return None  # gone from Brevo already: nothing to blacklist
    return None
