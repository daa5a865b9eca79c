"""The sync state: what Brevo has confirmed, kept between runs.

Per contact (keyed by the lower-cased email): a 16-byte hash of the values last confirmed,
the tier, the lists it is (or may be) in, the run that confirmed it, and a 16-byte hash of
the source row as read (``raw``: lets an unchanged row be recognised without validating it
again, see ``_engine``). Hashes, not copies of rows: about 90 bytes a contact.
Also: the in-flight chunks (recorded, with their rows, BEFORE a request is sent, so a
crash leaves a trace to confirm or undo on restart), the run history, and a schema version
(an older state is migrated, a newer one refused).

Two backends, one interface and one set of statements (``_state_schema``): an SQLite file
(WAL; the default, ``_state_sqlite``) or a PostgreSQL database shared by many accounts
(``_state_postgres``). One sync at a time per state: an exclusive ``flock`` on
``<state>.lock``, or a PostgreSQL advisory lock; both are released when the process
dies, even by SIGKILL.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from ..errors import StateError
from ..tiers import Tier
from ._program import Program
from ._sql import hide_secrets, url_secrets
from ._state_postgres import DEFAULT_SCHEMA, PostgresDatabase, is_state_url
from ._state_records import (
    Confirmed,
    ContactState,
    InFlight,
    Member,
    RunInfo,
    lists_text,
    parse_lists,
    text_of,
)
from ._state_schema import (
    NEW_ATTRIBUTE,
    ROWS_CONFLICT,
    SCHEMA_VERSION,
    SET_ID,
    Database,
    next_id,
    utc_now,
)
from ._state_scratch import ScratchTables
from ._state_sqlite import SqliteDatabase

__all__ = [
    "SCHEMA_VERSION",
    "Confirmed",
    "ContactState",
    "InFlight",
    "Member",
    "RunInfo",
    "SyncState",
    "is_state_url",
]

#: A URL of another kind than a PostgreSQL state's (``mysql://``, ``sqlite://``...).
_OTHER_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


class SyncState(ScratchTables):
    """An open state; use as a context manager (closes and unlocks).

    Args:
        path: the SQLite file (created if missing); ``":memory:"`` for a throwaway
            state (``upsert_customers``); or a PostgreSQL URL
            (``postgresql://user@host/db``), where ``account`` and ``program`` name the
            rows of this state among the others of the database.
        read_only: read the history while a sync runs (no lock, no writes).
        account: the account's reference (a PostgreSQL state; the sync passes a one-way
            id of the API key when none is given).
        program: the loyalty program's name (a PostgreSQL state).
        lock_timeout: seconds to wait for another sync of the same state to finish
            (0: refuse at once).
        schema: the PostgreSQL schema of the state tables.

    Raises:
        StateBusyError: another sync holds the state (past ``lock_timeout``).
        StateError: not a state this version reads, or a PostgreSQL state without
            account and program.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        read_only: bool = False,
        account: str | None = None,
        program: str | None = None,
        lock_timeout: float = 0,
        schema: str = DEFAULT_SCHEMA,
    ) -> None:
        self.db: Database
        if is_state_url(path):
            if not account or not program:
                raise StateError(
                    "a PostgreSQL state holds many accounts: give account= and program= "
                    "(the sync gives them itself)"
                )
            self.db = PostgresDatabase(
                str(path),
                account=account,
                program=program,
                schema=schema,
                read_only=read_only,
                lock_timeout=lock_timeout,
            )
        elif isinstance(path, str) and _OTHER_URL.match(path):
            # Not a file name: never opened as one (its password would show in messages).
            shown = hide_secrets(path, url_secrets(path))
            raise StateError(
                f"{shown}: a state is kept in a file or in PostgreSQL (postgresql://...), "
                "not in that database"
            )
        else:
            self.db = SqliteDatabase(str(path), read_only=read_only, lock_timeout=lock_timeout)
        #: How messages name this state (a URL without its password).
        self.path = self.db.name

    def close(self) -> None:
        """Close the database and release the lock."""
        self.db.close()

    def __enter__(self) -> SyncState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- account binding --------------------------------------------------------------

    def bind(self, **identity: str) -> None:
        """Tie the state to one account and program; refuse a state made for another.

        Raises:
            StateError: the state was made for another base URL or program.
        """
        meta = dict(self.db.execute("SELECT key, value FROM meta").fetchall())
        wrong = [
            f"{name} {meta[name]!r} (this sync: {value!r})"
            for name, value in identity.items()
            if name in meta and meta[name] != value
        ]
        if wrong:
            raise StateError(
                f"{self.path} belongs to another sync: " + "; ".join(wrong) + ". Use another "
                "--state for each account and program."
            )
        with self.transaction():
            self.db.executemany(
                "INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                sorted(identity.items()),
            )

    def account_memory(self) -> dict[str, Any] | None:
        """What the last run saw of the account (identity and list counts), or None."""
        found = self.meta("account")
        return dict(json.loads(found)) if found else None

    def remember_account(self, memory: Mapping[str, Any]) -> None:
        """Store what this run saw of the account (see :meth:`account_memory`)."""
        self.set_meta("account", json.dumps(memory, sort_keys=True))

    def attribute_ids(self, names: Iterable[str]) -> dict[str, int]:
        """The numbers of these attributes (new names get one)."""
        names_wanted = set(names)
        wanted = sorted(names_wanted)
        with self.transaction():
            self.db.executemany(NEW_ATTRIBUTE, ((n,) for n in wanted))
        return {
            name: number
            for number, name, _ in self.db.execute("SELECT id, name, reset_run FROM attributes")
            if name in names_wanted
        }

    def attribute_table(self) -> dict[int, tuple[str, int]]:
        """Number -> (name, run that last (re)created it) of every attribute known."""
        return {
            number: (name, reset)
            for number, name, reset in self.db.execute("SELECT id, name, reset_run FROM attributes")
        }

    def reset_attributes(self, names: Iterable[str], run: int) -> None:
        """Attributes Brevo holds no values of any more (this run created them again)."""
        with self.transaction():
            for name in names:
                self.db.execute(NEW_ATTRIBUTE, (name,))
                self.db.execute("UPDATE attributes SET reset_run = ? WHERE name = ?", (run, name))

    def meta(self, name: str) -> str | None:
        """A value of the state's meta table (None when unset)."""
        found = self.db.execute("SELECT value FROM meta WHERE key = ?", (name,)).fetchone()
        return None if found is None else str(found[0])

    def set_meta(self, name: str, value: str) -> None:
        """Set a value of the state's meta table."""
        with self.transaction():
            self.db.execute(
                "INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
                "excluded.value",
                (name, value),
            )

    def consent(self, keys: Sequence[str]) -> dict[str, tuple[bool, bool]]:
        """Blacklist flags (email, SMS) last read for these contacts; absent: neither
        set (a contact this tool creates is not blacklisted)."""
        sql = "SELECT key, email, sms FROM consent WHERE key IN ({marks})"
        return {key: (bool(email), bool(sms)) for key, email, sms in self.in_batches(sql, keys)}

    def has_consent(self) -> bool:
        """Whether any contact's blacklist flags are remembered."""
        return self.db.execute("SELECT 1 FROM consent LIMIT 1").fetchone() is not None

    def set_consent(self, flags: Iterable[tuple[str, bool, bool]]) -> None:
        """Remember blacklist flags as read (a contact with neither set is dropped)."""
        with self.transaction():
            for key, email, sms in flags:
                if email or sms:
                    self.db.execute(
                        "INSERT INTO consent VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
                        "email = excluded.email, sms = excluded.sms",
                        (key, int(email), int(sms)),
                    )
                else:
                    self.db.execute("DELETE FROM consent WHERE key = ?", (key,))

    def remember_program(self, all_customers: int, tier_lists: Mapping[Any, int]) -> None:
        """Store the program's list ids (a dry run compares with them, offline)."""
        value = json.dumps(
            {"all": all_customers, "tiers": {str(t): i for t, i in tier_lists.items()}}
        )
        self.set_meta("lists", value)

    def stored_program(self) -> Program | None:
        """The program's lists as last synced (a ``Program``), or None."""
        found = self.meta("lists")
        if not found:
            return None
        data = json.loads(found)
        return Program(int(data["all"]), {Tier(t): int(i) for t, i in data["tiers"].items()})

    # -- contacts ---------------------------------------------------------------------

    def lookup(self, keys: Sequence[str]) -> dict[str, ContactState]:
        """What the state knows about these contacts (absent keys are unknown)."""
        sql = "SELECT key, digest, tier, lists, run, raw FROM contacts WHERE key IN ({marks})"
        return {
            key: ContactState(key, digest_, tier, parse_lists(lists), run, raw)
            for key, digest_, tier, lists, run, raw in self.in_batches(sql, keys)
        }

    def remember_raw(self, pairs: Iterable[tuple[str, bytes, bytes]]) -> None:
        """Store raw hashes (key, raw, digest) of rows found unchanged the long way.

        Only where the contact still has that digest: a raw hash always stands beside the
        confirmed values it gives, never beside other ones.
        """
        with self.transaction():
            self.db.executemany(
                "UPDATE contacts SET raw = ? WHERE key = ? AND digest = ?",
                ((raw, key, digest_) for key, raw, digest_ in pairs),
            )

    def remember_digests(
        self, rows: Iterable[tuple[str, bytes | None, bytes, bytes]], run: int
    ) -> None:
        """Rows found unchanged attribute by attribute (a new or dropped column, stored
        entries missing): (key, raw, digest before, digest now) stored, where the contact
        still has the digest before."""
        with self.transaction():
            self.db.executemany(
                "UPDATE contacts SET raw = ?, digest = ?, run = ? WHERE key = ? AND digest = ?",
                ((raw, new, run, key, old) for key, raw, old, new in rows),
            )

    def invalidate_all(self) -> int:
        """Forget every confirmed value (``--full``: every row is sent again)."""
        with self.transaction():
            cursor = self.db.execute(
                "UPDATE contacts SET digest = NULL, raw = NULL WHERE digest IS NOT NULL"
            )
        return int(cursor.rowcount)

    def forget_all(self) -> int:
        """Forget every contact (the account holds none of what the state remembers)."""
        with self.transaction():
            cursor = self.db.execute("DELETE FROM contacts")
        return int(cursor.rowcount)

    def add_lists(self, changes: Iterable[tuple[str, Iterable[int]]]) -> None:
        """Contacts found in more lists than the state knew: added, to be left (stale)."""
        extra: dict[str, set[int]] = {}
        for key, lists in changes:
            extra.setdefault(key, set()).update(lists)
        with self.transaction():
            known = self.lookup(list(extra))  # a block of keys a statement
            self.db.executemany(
                "UPDATE contacts SET lists = ?, stale = 1 WHERE key = ?",
                ((lists_text(set(known[k].lists) | v), k) for k, v in extra.items() if k in known),
            )

    def confirm(self, rows: Iterable[Confirmed], run: int) -> None:
        """Record contacts as Brevo confirmed them (see :meth:`settle`)."""
        with self.transaction():
            self._confirm(rows, run)

    def _confirm(self, rows: Iterable[Confirmed], run: int) -> None:
        self.db.executemany(
            "INSERT INTO contacts (key, digest, tier, lists, run, stale, raw) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET digest = excluded.digest, tier = excluded.tier, "
            "lists = excluded.lists, run = excluded.run, stale = excluded.stale, "
            "raw = excluded.raw",
            ((r.key, r.digest, r.tier, text_of(r.lists), run, int(r.stale), r.raw) for r in rows),
        )

    def set_lists(self, changes: Iterable[tuple[str, Iterable[int], bool]]) -> None:
        """Record the lists of known contacts (key, lists, still stale) after unlinking."""
        with self.transaction():
            self.db.executemany(
                "UPDATE contacts SET lists = ?, stale = ? WHERE key = ?",
                ((lists_text(ls), int(stale), k) for k, ls, stale in changes),
            )

    def forget(self, keys: Iterable[str]) -> None:
        """Remove contacts from the state (they left the program)."""
        with self.transaction():
            self.db.executemany("DELETE FROM contacts WHERE key = ?", ((k,) for k in keys))

    def stale(self, page: int = 5000) -> Iterator[ContactState]:
        """Contacts that may still be in a list they must leave (e.g. an old tier list), in
        key order.

        Read ``page`` contacts a statement (after the last key given): memory holds one
        page, and no statement is open while the caller writes (a contact it settles is
        behind the next page).
        """
        last = ""
        while True:  # ends: each page starts after the last key of the one before
            rows = self.db.execute(
                "SELECT key, digest, tier, lists, run, raw FROM contacts "
                "WHERE stale = 1 AND key > ? ORDER BY key LIMIT ?",
                (last, page),
            ).fetchall()
            if not rows:
                return
            for key, digest_, tier, lists, run, raw in rows:
                yield ContactState(key, digest_, tier, parse_lists(lists), run, raw)
            last = rows[-1][0]

    def count(self) -> int:
        """Contacts in the state."""
        return int(self.db.execute("SELECT count(*) FROM contacts").fetchone()[0])

    # -- in-flight chunks -------------------------------------------------------------

    def record_chunk(
        self,
        run: int,
        kind: str,
        lists: Iterable[int],
        rows: Iterable[Member],
        *,
        maybe: Iterable[int] = (),
    ) -> int:
        """Write a chunk and its rows before sending; returns the chunk id.

        ``maybe``: lists a contact the state does not know may already be in (another tier
        list that had members when the chunk was sent): left once the chunk is confirmed.
        """
        with self.transaction():
            chunk = self._insert_chunk(run, kind, lists, maybe)
            self.db.executemany(
                "INSERT INTO inflight_rows (chunk, key, email, digest, tier, idx, raw) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) " + ROWS_CONFLICT,
                ((chunk, m.key, m.email, m.digest, m.tier, m.index, m.raw) for m in rows),
            )
        return chunk

    def set_process(self, chunk: int, process_id: int) -> None:
        """Remember the import process Brevo queued for a chunk."""
        with self.transaction():
            self.db.execute("UPDATE inflight SET process_id = ? WHERE id = ?", (process_id, chunk))

    def inflight(self) -> list[InFlight]:
        """Every chunk not yet settled, oldest first."""
        return [
            InFlight(i, run, kind, parse_lists(lists), pid, parse_lists(maybe))
            for i, run, kind, lists, pid, maybe in self.db.execute(
                "SELECT id, run, kind, lists, process_id, maybe FROM inflight ORDER BY id"
            ).fetchall()
        ]

    def chunk_rows(self, chunk: int) -> list[Member]:
        """A chunk's rows, in source order."""
        return self._members_of("inflight_rows", "chunk", chunk)

    def settle(
        self,
        chunk: int,
        confirmed: Iterable[Confirmed],
        run: int,
        *,
        uncertain: Iterable[str] = (),
        renamed: Iterable[tuple[str, str, str]] = (),
    ) -> None:
        """Confirm some rows of a chunk and drop the chunk, in one transaction.

        ``uncertain`` rows (no answer: Brevo may have applied them) are treated as in
        :meth:`abandon`; the chunk's other rows were refused and leave the state as it was.
        ``renamed``: contacts whose email Brevo changed, ``(old key, new key, loyalty
        id)``: the old key is forgotten, the id follows to the new one.
        """
        with self.transaction():
            self._rename(renamed)
            self._confirm(confirmed, run)
            self._maybe_applied(chunk, list(uncertain))
            self._drop_chunk(chunk)

    def settle_rows(
        self,
        chunk: int,
        run: int,
        decide: Callable[[list[Member], Mapping[str, ContactState]], Iterable[Confirmed]],
        *,
        batch: int = 5000,
    ) -> None:
        """:meth:`settle` a chunk batch by batch, in one transaction.

        ``decide`` gets each batch of the chunk's rows (in key order) with what the state
        knows of them, and returns the rows to confirm; then the chunk is dropped. Memory
        stays at one batch, whatever the chunk's size.
        """
        with self.transaction():
            last = ""
            while True:  # ends: each batch starts after the last key of the one before
                # The chunk's rows with what the state knows of them, in one statement.
                rows = self.db.execute(
                    "SELECT r.key, r.email, r.digest, r.tier, r.idx, r.raw, "
                    "c.digest, c.tier, c.lists, c.run, c.raw FROM inflight_rows r "
                    "LEFT JOIN contacts c ON c.key = r.key "
                    "WHERE r.chunk = ? AND r.key > ? ORDER BY r.key LIMIT ?",
                    (chunk, last, batch),
                ).fetchall()
                if not rows:
                    break
                members = [Member(*row[:6]) for row in rows]
                known = {
                    row[0]: ContactState(
                        row[0], row[6], row[7], parse_lists(row[8]), row[9], row[10]
                    )
                    for row in rows
                    if row[8] is not None
                }
                self._confirm(decide(members, known), run)
                last = rows[-1][0]
            self._drop_chunk(chunk)

    def chunk_tiers(self, chunk: int) -> list[str]:
        """The tiers of a chunk's rows (an import chunk has one)."""
        return [
            t
            for (t,) in self.db.execute(
                "SELECT DISTINCT tier FROM inflight_rows WHERE chunk = ?", (chunk,)
            ).fetchall()
        ]

    def settle_new(
        self, chunk: int, run: int, by_tier: Mapping[str, tuple[tuple[int, ...], bool]]
    ) -> int | None:
        """Confirm every row of a chunk whose contacts the state does not know, in SQL.

        ``by_tier``: for each tier, the lists its contacts are then in and whether one is
        to leave. What :meth:`settle_rows` would store for such rows, without a Python
        object per row (a first sync settles a million). Returns the rows confirmed, or
        None (nothing done) when the state knows one of the chunk's contacts or a tier
        is not in ``by_tier``.
        """
        with self.transaction():
            known = self.db.execute(
                "SELECT 1 FROM inflight_rows r JOIN contacts c ON c.key = r.key "
                "WHERE r.chunk = ? LIMIT 1",
                (chunk,),
            ).fetchone()
            tiers = set(self.chunk_tiers(chunk))
            if known is not None or not tiers <= set(by_tier):
                return None
            count = 0
            for tier in sorted(tiers):
                lists, stale = by_tier[tier]
                cursor = self.db.execute(
                    "INSERT INTO contacts (key, digest, tier, lists, run, stale, raw) "
                    "SELECT key, digest, tier, ?, ?, ?, raw FROM inflight_rows "
                    "WHERE chunk = ? AND tier = ?",
                    (lists_text(lists), run, int(stale), chunk, tier),
                )
                count += cursor.rowcount
            self._drop_chunk(chunk)
        return count

    def _drop_chunk(self, chunk: int) -> None:
        """A settled chunk's rows and its own row (in the caller's transaction)."""
        self.db.execute("DELETE FROM inflight_rows WHERE chunk = ?", (chunk,))
        self.db.execute("DELETE FROM inflight WHERE id = ?", (chunk,))

    def _maybe_applied(self, chunk: int, keys: list[str]) -> None:
        if not keys:
            return
        found = self.db.execute(
            "SELECT lists, maybe FROM inflight WHERE id = ?", (chunk,)
        ).fetchone()
        lists = set(parse_lists(found[0])) if found else set()
        maybe = set(parse_lists(found[1])) if found else set()
        known = self.lookup(keys)  # a block of keys a statement, not two statements each
        merged = {
            key: lists_text(set(known[key].lists) | lists if key in known else lists | maybe)
            for key in keys
        }
        self.db.executemany(
            "INSERT INTO contacts (key, digest, tier, lists, run, stale, raw) "
            "VALUES (?, NULL, NULL, ?, 0, 1, NULL) "
            "ON CONFLICT (key) DO UPDATE SET digest = NULL, lists = excluded.lists, "
            "stale = 1, raw = NULL",
            merged.items(),
        )

    def invalidate(self, keys: Iterable[str]) -> None:
        """Forget the confirmed values of these contacts (the next run re-sends them)."""
        with self.transaction():
            self.db.executemany(
                "UPDATE contacts SET digest = NULL, raw = NULL WHERE key = ?",
                ((k,) for k in keys),
            )

    def abandon(self, chunk: int) -> None:
        """A chunk whose outcome is unknown: its contacts are re-sent and maybe-listed.

        Brevo may or may not have applied it. Each contact's hash is cleared (the next plan
        sends it again, whatever the source says then) and the chunk's lists are added to
        the lists it may be in, marked stale (so a wrong tier list is unlinked once the
        contact's tier is confirmed again).
        """
        with self.transaction():
            keys = [
                k
                for (k,) in self.db.execute(
                    "SELECT key FROM inflight_rows WHERE chunk = ?", (chunk,)
                ).fetchall()
            ]
            self._maybe_applied(chunk, keys)
            self._drop_chunk(chunk)

    # -- runs -------------------------------------------------------------------------

    def start_run(self, source: str, mode: str) -> int:
        """Open a run in the history; returns its id.

        A run still ``running`` here was killed (this sync holds the lock, so none other
        runs): it is marked ``interrupted``; this run recovers what it left in flight.
        """
        with self.transaction():
            self.db.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'")
            cursor = self.db.execute(
                "INSERT INTO runs (id, started, source, mode, status) VALUES "
                f"({next_id('runs')}, ?, ?, ?, 'running') RETURNING id",
                (utc_now(), source, mode),
            )
            return int(cursor.fetchone()[0])

    def finish_run(self, run: int, status: str, summary: Mapping[str, Any]) -> None:
        """Close a run with its status and summary."""
        with self.transaction():
            self.db.execute(
                "UPDATE runs SET finished = ?, status = ?, summary = ? WHERE id = ?",
                (utc_now(), status, json.dumps(summary, sort_keys=True), run),
            )

    def run_started(self, run: int) -> dt.datetime:
        """When a run started (UTC)."""
        found = self.db.execute("SELECT started FROM runs WHERE id = ?", (run,)).fetchone()
        return dt.datetime.fromisoformat(found[0]) if found else dt.datetime.now(dt.UTC)

    def history(self, limit: int = 50) -> list[RunInfo]:
        """The last runs, newest first (a run killed is ``running`` until the next run marks
        it ``interrupted``)."""
        return [
            RunInfo(i, s, f, src, m, st, json.loads(summ) if summ else {})
            for i, s, f, src, m, st, summ in self.db.execute(
                "SELECT id, started, finished, source, mode, status, summary FROM runs "
                "ORDER BY id DESC LIMIT ?",
                (limit,),
            )
        ]

    # -- loyalty ids: a customer's key, whatever its email ----------------------------

    def keys_for_ids(self, ids: Sequence[str]) -> dict[str, str]:
        """The contact key each of these loyalty ids was last known under."""
        return dict(self.in_batches("SELECT id, key FROM loyalty_ids WHERE id IN ({marks})", ids))

    def remember_ids(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Record ``(loyalty id, key)``: the contact that carries each id."""
        pairs = list(pairs)
        with self.transaction():
            if not self.db.merge("loyalty_ids", pairs):
                self.db.executemany(SET_ID, pairs)

    def _rename(self, changes: Iterable[tuple[str, str, str]]) -> None:
        """Contacts whose email Brevo changed: ``(old key, new key, loyalty id)``; the old
        key is forgotten (the new one is confirmed with it), the id follows."""
        for old, new, loyalty_id in changes:
            if old != new:
                self.db.execute("DELETE FROM contacts WHERE key = ?", (old,))
            if loyalty_id:
                self.db.execute(SET_ID, (loyalty_id, new))

    def _insert_chunk(self, run: int, kind: str, lists: Iterable[int], maybe: Iterable[int]) -> int:
        """The chunk's own row (in the caller's transaction); returns its id."""
        cursor = self.db.execute(
            "INSERT INTO inflight (id, run, kind, lists, maybe) VALUES "
            f"({next_id('inflight')}, ?, ?, ?, ?) RETURNING id",
            (run, kind, lists_text(lists), lists_text(maybe)),
        )
        return int(cursor.fetchone()[0])

    def record_spilled(
        self, run: int, kind: str, lists: Iterable[int], bucket: int, *, maybe: Iterable[int] = ()
    ) -> int:
        """:meth:`record_chunk` for a spilled bucket: its rows move to the chunk, in one
        transaction (the bucket is emptied)."""
        self._spill_table()
        with self.transaction():
            chunk = self._insert_chunk(run, kind, lists, maybe)
            self.db.execute(
                "INSERT INTO inflight_rows (chunk, key, email, digest, tier, idx, raw) "
                "SELECT ?, key, email, digest, tier, idx, raw FROM spill WHERE bucket = ? "
                + ROWS_CONFLICT,
                (chunk, bucket),
            )
            self.db.execute("DELETE FROM spill WHERE bucket = ?", (bucket,))
        return chunk
