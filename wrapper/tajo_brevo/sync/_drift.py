"""Drift and reconcile: the account is the truth, the state only a memory of it.

Before the state is trusted:

1. **Identity** (before any write): the program's lists the state remembers are read
   (one ``GET /contacts/lists/{id}`` each). List ids are small per-account integers, so
   equal ids prove nothing: their names, folder and subscriber counts must match what the
   last run saw. Lists gone or renamed with the same API key: the account lost the
   program (wiped): the state forgets its contacts and the run sends every row. With
   another key: another account: refused (``StateError``) before anything is written,
   unless ``full`` says to sync every row to it.
2. **Modified contacts**: ``GET /contacts?modifiedSince=`` (1,000 a page) from the time,
   on Brevo's clock (the answers' ``Date``), the last run left off. Each contact is
   compared with what the state says Brevo holds, attribute by attribute and list by list
   (the tool's own writes are read back too and compare equal); those that differ are
   invalidated: the run re-sends them.
3. **Subscriber counts**: a deletion leaves no modified contact, but changes the count of
   the lists it was in. Only when a count differs from the last run's (or ``reconcile``)
   is the program read: through Brevo's contact export when it is large (one request
   and a file, streamed to disk), else ``GET /contacts?listIds=`` (1,000 a page); a
   confirmed contact it lacks was deleted or taken off every list: re-sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .. import _adapter as calls
from .._plans.export import ContactExport, ExportParser
from .._plans.provisioning import list_names
from ..errors import BrevoError, CommunicationError, NotFoundError, StateError
from ..results import ExportedContact
from ..tiers import Tier
from . import _reads as reads
from . import _values as values
from ._context import RunContext
from ._effects import Plan, SaveFile, Sleep
from ._plan import stale_lists
from ._program import Program
from ._state import ContactState

__all__ = [
    "PAGE",
    "REREAD_LIMIT",
    "SINCE_MARGIN",
    "check",
    "check_identity",
    "remember",
]

#: Contacts a page of ``GET /contacts`` holds at most.
PAGE = 1000
#: Read back again from a little before where the last run left off (clock resolution,
#: servers' clocks a little apart).
SINCE_MARGIN = dt.timedelta(seconds=2)
#: Contacts in the state above which the program is read through Brevo's contact export
#: (one request and a file) rather than paged (1,000 contacts a request).
EXPORT_FROM = 5_000
#: Characters of an export file parsed at a time.
_FILE_CHUNK = 1 << 20
#: Seconds a run that wrote more than REREAD_LIMIT contacts waits before reading the
#: time it leaves off at (its writes then lie before the margin).
SETTLE_SECONDS = SINCE_MARGIN.total_seconds() + 1.0
#: A run that wrote at most this many contacts has the next run read them back (their
#: modification date is after the run's start): edits made in Brevo during the run are
#: then seen too. Above it the next run reads from the run's end (a first sync of a
#: million is not read back).
REREAD_LIMIT = 10_000


# -- identity -----------------------------------------------------------------------------


def _read_lists(ctx: RunContext, ids: Sequence[int]) -> Plan:
    """id -> {name, folder, count} of each list (None: Brevo does not know it)."""
    found: dict[int, dict[str, Any] | None] = {}
    for list_id in ids:
        try:
            result = yield from ctx.call(calls.get_list_call(list_id))
        except NotFoundError:
            found[list_id] = None
            continue
        body = result.body if isinstance(result.body, dict) else {}
        counts = [
            c
            for c in (body.get("uniqueSubscribers"), body.get("totalSubscribers"))
            if isinstance(c, int) and not isinstance(c, bool)
        ]
        blacklisted = body.get("totalBlacklisted")
        if not isinstance(blacklisted, int) or isinstance(blacklisted, bool):
            blacklisted = 0
        found[list_id] = {
            "name": body.get("name"),
            "folder": body.get("folderId"),
            # Members: subscribers and blacklisted ones (an unsubscribe moves a member
            # from one count to the other; it is no deletion).
            "count": counts[0] + blacklisted if counts else None,
        }
    return found


def check_identity(ctx: RunContext, *, base_url: str, key: str, program: str) -> Plan:
    """Make sure the account holds what the state remembers, before anything is written.

    Raises:
        StateError: another account (another key, the program's lists not there), and
            ``full`` was not given.
    """
    state = ctx.state
    stored = state.stored_program()
    memory = state.account_memory()
    ctx.memory = memory
    if stored is None:
        return  # never synced with this state: nothing to trust
    seen = yield from _read_lists(ctx, stored.list_ids)
    ctx.list_info = seen
    if memory is not None and isinstance(memory.get("lists"), dict):
        remembered = {int(i): v for i, v in memory["lists"].items()}
        expected = {i: (remembered.get(i) or {}).get("name") for i in stored.list_ids}
        folder = memory.get("folder")
    else:
        all_name, tier_names = list_names(program)
        expected = {stored.all_customers: all_name}
        expected.update({stored.tier_lists[t]: n for t, n in tier_names.items()})
        remembered = {}
        folder = None
    wrong = [
        f"list {list_id} {('missing' if info is None else repr(info.get('name')))}"
        for list_id in stored.list_ids
        if (info := seen.get(list_id)) is None
        or info.get("name") != expected.get(list_id)
        or (folder is not None and info.get("folder") != folder)
    ]
    same_key = memory is not None and memory.get("key") == key
    counts_differ = not remembered or any(
        (seen.get(i) or {}).get("count") != (remembered.get(i) or {}).get("count")
        for i in stored.list_ids
    )
    other_key = memory is not None and memory.get("key") not in (None, key)
    if not wrong and not (other_key and counts_differ):
        # The lists are there as remembered. With another key (rotated), the counts
        # must match too: ids, names and counts of five lists are the account's print.
        if other_key:
            ctx.report.account["api_key_changed"] = True
        if memory is not None and memory.get("base_url") not in (None, base_url):
            ctx.report.account["base_url_changed"] = True
        ctx.counts_changed = counts_differ
        return
    if not wrong:
        wrong = ["the lists' subscriber counts differ from the last run's"]
    detail = ", ".join(wrong)
    if not same_key and not ctx.options.full:
        raise StateError(
            f"{state.path}: the account at {base_url} does not hold the program this state "
            f"remembers ({detail}), and the API key is not the one the state was synced "
            "with: it looks like another account. Nothing was written. Run with --full to "
            "sync every row to this account (the state then belongs to it), or use another "
            "--state."
        )
    ctx.report.account["program_lists_gone" if same_key else "another_account"] = detail
    ctx.reset_program = True
    forgotten = state.count() if ctx.options.dry_run else state.forget_all()
    if same_key:
        ctx.report.drift["program_lists_gone"] += forgotten


# -- drift ---------------------------------------------------------------------------------


def check(ctx: RunContext, observers: Sequence[reads.Observer] = ()) -> Plan:
    """Find what changed in Brevo since the last run; invalidate it so the run re-sends.

    ``observers`` get every page of the contacts modified since the last run (the one
    read of them a run makes; consent uses it too).
    """
    state = ctx.state
    if ctx.options.full and not ctx.reset_program:
        if ctx.options.dry_run:
            ctx.resend_all = True
            ctx.report.account["full"] = state.count()
        else:
            ctx.report.account["full"] = state.invalidate_all()
    memory = ctx.memory
    if ctx.reset_program or (memory is None and state.stored_program() is None):
        return  # nothing remembered to check
    ctx.table = state.attribute_table()
    since_text = memory.get("since") if memory is not None else None
    if isinstance(since_text, str):
        since = dt.datetime.fromisoformat(since_text)
        yield from _read(ctx, modified_since=since, observers=observers)
    else:
        # A state from before the account memory: the earlier cursor (machine clock).
        yield from reads.read_modified(ctx, observers)
    if ctx.options.reconcile or ctx.counts_changed:
        yield from _read_program(ctx)
        gone = [c.key for c in state.absent()]
        for key in gone:
            ctx.drifted.setdefault(key, "deleted_or_unlisted")
            ctx.report.drift["deleted_or_unlisted"] += 1
        if not ctx.options.dry_run:
            state.invalidate(gone)


def _read_program(ctx: RunContext) -> Plan:
    """Every contact of the program, compared; the ones found are marked present.

    A large program is read through Brevo's contact export (one request, a file);
    a small one, or when the export fails, 1,000 contacts a request."""
    state = ctx.state
    state.reset_present()
    if state.count() > EXPORT_FROM:
        try:
            yield from _export_program(ctx)
            return
        except CommunicationError as exc:
            ctx.report.account["export_failed"] = str(exc)[:200]
            state.reset_present()
    yield from _read(ctx, list_ids=ctx.program.list_ids, present=True)


def _export_program(ctx: RunContext) -> Plan:
    """The all-customers list through a contact export, compared as it is parsed.

    Raises:
        CommunicationError: the export could not be made or fetched.
    """
    with ctx.account.lock:
        types = dict(ctx.account.attribute_types or {})
    names = sorted({name for name, _ in ctx.table.values()} & set(types))
    options = ctx.options
    export = ContactExport(
        list_id=ctx.program.all_customers,
        attributes=names,
        list_ids=True,
        poll_interval=options.poll_interval,
        max_poll_interval=options.max_poll_interval,
        timeout=options.poll_timeout,
    )
    url = yield from ctx.delegate(export.file_plan(), clock=True)
    if url is None:
        return  # Brevo found no contact: nothing is present
    path: Path = yield SaveFile(url)
    try:
        parser = ExportParser()
        with path.open(encoding="utf-8", newline="") as file:
            while chunk := file.read(_FILE_CHUNK):
                _compare_exported(ctx, parser.feed(chunk), types)
        _compare_exported(ctx, parser.close(), types)
    finally:
        path.unlink(missing_ok=True)


def _compare_exported(
    ctx: RunContext, contacts: Sequence[ExportedContact], types: Mapping[str, Any]
) -> None:
    """Exported contacts (their values as the file's text) compared like read ones."""
    for start in range(0, len(contacts), PAGE):
        by_key = {
            c.email: {
                "email": c.email,
                "attributes": {n: _typed(v, types.get(n)) for n, v in c.attributes.items()},
                "listIds": sorted(c.list_ids or ()),
            }
            for c in contacts[start : start + PAGE]
            if c.email
        }
        ctx.state.add_present(by_key)
        _compare_page(ctx, by_key)
        ctx.checked += len(by_key)
        ctx.progress("checking", ctx.checked, None, "contacts")


def _typed(text: str, kind: Any) -> Any:
    """An export cell as the API would give it (numbers and booleans are text there)."""
    if kind == "float":
        try:
            return float(text)
        except ValueError:
            return text
    if kind == "boolean":
        return text.strip().lower() in ("true", "1", "yes")
    return text


def _read(
    ctx: RunContext,
    *,
    modified_since: dt.datetime | None = None,
    list_ids: Sequence[int] = (),
    present: bool = False,
    observers: Sequence[reads.Observer] = (),
) -> Plan:
    """Page through contacts (modified since, or in the program's lists) and compare."""
    offset = 0
    for _ in range(1_000_000):  # bounded by the pages of the account
        page = yield from ctx.call(
            calls.list_contacts_call(
                limit=PAGE, offset=offset, modified_since=modified_since, list_ids=list_ids
            )
        )
        body = page.body if isinstance(page.body, dict) else {}
        contacts = [c for c in body.get("contacts") or [] if isinstance(c, dict)]
        by_key = {
            c["email"].lower(): c
            for c in contacts
            if isinstance(c.get("email"), str) and c["email"]
        }
        for observe in observers:
            observe(contacts)
        if present:
            ctx.state.add_present(by_key)
        _compare_page(ctx, by_key)
        offset += len(contacts)
        ctx.checked += len(contacts)
        ctx.progress("checking", ctx.checked, None, "contacts")
        count = body.get("count")
        # count (which honours the filters) saves the empty page after a full last one.
        if len(contacts) < PAGE or (isinstance(count, int) and offset >= count):
            break


def _compare_page(ctx: RunContext, by_key: Mapping[str, Mapping[str, Any]]) -> None:
    known = ctx.state.lookup(list(by_key))
    resend: list[str] = []
    extra: list[tuple[str, set[int]]] = []
    for key, state in known.items():
        if key in ctx.drifted or state.digest is None or state.tier is None:
            continue
        kind, more = drift_of(ctx, by_key[key], state)
        if more:
            extra.append((key, more))
            ctx.drifted.setdefault(key, "other_tier_list")
            ctx.report.drift["other_tier_list"] += 1
        if kind is not None:
            resend.append(key)
            ctx.drifted[key] = kind
            ctx.report.drift[kind] += 1
    if ctx.options.dry_run:
        return  # found and planned (see _planning), nothing written
    if resend:
        ctx.state.invalidate(resend)
    if extra:
        ctx.state.add_lists(extra)


def drift_of(
    ctx: RunContext, contact: Mapping[str, Any], known: ContactState
) -> tuple[str | None, set[int]]:
    """How a contact in Brevo differs from what the state says Brevo holds.

    Returns:
        (the kind of drift that needs the row sent again, or None; tier lists of the
        program it is in that it must leave).
    """
    program: Program = ctx.program
    listed = {i for i in contact.get("listIds") or [] if isinstance(i, int)}
    try:
        wanted = set(program.lists_for(Tier(known.tier))) if known.tier else set()
    except (ValueError, KeyError):
        wanted = set()
    more = (listed & set(program.tier_lists.values())) - wanted - set(known.lists)
    kind: str | None = None
    if program.all_customers in wanted and program.all_customers not in listed:
        kind = "all_customers_list_removed"
    elif wanted - listed:
        kind = "tier_list_removed"
    stored = values.entries(known.digest)
    if kind is None and stored is not None:
        attributes = contact.get("attributes")
        attributes = attributes if isinstance(attributes, dict) else {}
        for number, hashed in stored.items():
            name, reset = ctx.table.get(number, ("", 0))
            if not name or reset > known.run:
                continue  # re-created since: the row's value is sent again anyway
            if values.value_hash(attributes.get(name)) != hashed:
                kind = "edited"
                break
    return kind, more


# -- after the run --------------------------------------------------------------------------


def repaired(ctx: RunContext) -> None:
    """Count the drift this run repaired: contacts found drifted that Brevo confirmed."""
    if ctx.options.dry_run:
        return
    gone = ctx.report.drift["program_lists_gone"]
    if gone:
        # Forgotten, not listed one by one: every row Brevo confirmed in this run is back.
        counts = ctx.report.counts
        back = counts["applied"] + counts["created"] + counts["updated"]
        ctx.report.repaired["program_lists_gone"] = min(gone, back)
    keys = list(ctx.drifted)
    if not keys:
        return
    for start in range(0, len(keys), 500):
        part = keys[start : start + 500]
        for key, state in ctx.state.lookup(part).items():
            kind = ctx.drifted[key]
            if kind == "other_tier_list":
                if not stale_lists(state, ctx.program) or not state.tier:
                    ctx.report.repaired[kind] += 1
            elif state.digest is not None and state.run == ctx.run:
                ctx.report.repaired[kind] += 1


def remember(ctx: RunContext, *, base_url: str, key: str, folder: int | None) -> Plan:
    """Store what the next run checks: the lists with their counts now, the Brevo time
    to read modified contacts from, the account's key id."""
    written = (
        ctx.rows_sent + ctx.report.plan["unlink_requests"] * 150 + sum(ctx.report.missing.values())
    )
    info = ctx.list_info or {}
    wrote = ctx.report.summary()["writes"] > 0
    if written > REREAD_LIMIT:
        # The next run reads from this run's end: let Brevo's clock pass the margin, so
        # that the last writes fall before it and are not read back.
        yield Sleep(SETTLE_SECONDS)
    if wrote or any(i not in info or info[i] is None for i in ctx.program.list_ids):
        try:
            info = yield from _read_lists(ctx, ctx.program.list_ids)
        except BrevoError:
            return  # unknown counts: the next run compares with the older memory
    start = ctx.brevo_first if written <= REREAD_LIMIT else ctx.brevo_last
    since = None if start is None else (start - SINCE_MARGIN).isoformat()
    if since is None and ctx.memory is not None:
        since = ctx.memory.get("since")
    memory = {
        "base_url": base_url,
        "key": key,
        "folder": folder,
        "lists": {
            str(i): {
                "name": (info.get(i) or {}).get("name"),
                "count": (info.get(i) or {}).get("count"),
            }
            for i in ctx.program.list_ids
        },
        "since": since,
    }
    ctx.state.remember_account(memory)
