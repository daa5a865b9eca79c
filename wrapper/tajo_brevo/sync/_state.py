"""The sync state: one SQLite file (WAL) that remembers what Brevo has confirmed.

Per contact (keyed by the lower-cased email): a 16-byte hash of the values last confirmed,
the tier, the lists it is (or may be) in, the run that confirmed it, and a 16-byte hash of
the source row as read (``raw``: lets an unchanged row be recognised without validating it
again, see ``_engine``). Hashes, not copies of rows: about 90 bytes a contact.
Also: the in-flight chunks (recorded, with their rows, BEFORE a request is sent, so a
crash leaves a trace to confirm or undo on restart), the run history, and a schema version
(an older file is migrated, a newer one refused).

One sync at a time per state file: an exclusive ``flock`` on ``<state>.lock``, which the
operating system releases when the process dies, even by SIGKILL.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import functools
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import StateBusyError, StateError
from ..tiers import Tier
from ._program import Program

__all__ = [
    "Confirmed",
    "ContactState",
    "InFlight",
    "Member",
    "RunInfo",
    "SyncState",
]

SCHEMA_VERSION = 3
_APPLICATION = "tajo-brevo sync state"
#: Rows per SQL statement with an IN (...) list (SQLite's default limit is 32766).
_IN_BATCH = 500
#: Keys per joined lookup (seen + contacts): one statement for a block of rows.
_JOIN_BATCH = 900

#: Tables added without a schema version: created when missing, ignored by older versions.
_ADDED = """
CREATE TABLE IF NOT EXISTS loyalty_ids (
    id  TEXT PRIMARY KEY,      -- a customer's LOYALTY_ID
    key TEXT NOT NULL          -- the contact (lower-cased email) that carries it in Brevo
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS loyalty_ids_key ON loyalty_ids (key);
CREATE TABLE IF NOT EXISTS consent (
    key   TEXT PRIMARY KEY,    -- a contact whose blacklist flags were last seen set
    email INTEGER NOT NULL,    -- emailBlacklisted as last read
    sms   INTEGER NOT NULL     -- smsBlacklisted as last read
) WITHOUT ROWID;
"""

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE contacts (
    key    TEXT PRIMARY KEY,   -- lower-cased email
    digest BLOB,               -- hash of the confirmed values and lists (16 bytes), then
                               -- one 8-byte entry per attribute (see _values); NULL =
                               -- re-send
    tier   TEXT,
    lists  TEXT NOT NULL,      -- list ids the contact is or may be in: "3,7"
    run    INTEGER NOT NULL,   -- the run that last confirmed it
    stale  INTEGER NOT NULL DEFAULT 0, -- 1: lists may hold a list to leave (unlink due)
    raw    BLOB                -- hash of the source row (and run fingerprint) that gave
                               -- digest; NULL whenever digest is NULL or unknown (v2)
) WITHOUT ROWID;
CREATE INDEX contacts_stale ON contacts (stale) WHERE stale = 1;
CREATE TABLE runs (
    id       INTEGER PRIMARY KEY,
    started  TEXT NOT NULL,
    finished TEXT,
    source   TEXT NOT NULL,
    mode     TEXT NOT NULL,
    status   TEXT NOT NULL,    -- running, ok, failed (rows failed), aborted (an error)
    summary  TEXT              -- JSON: counts, requests, duration
);
CREATE TABLE inflight (
    id         INTEGER PRIMARY KEY,
    run        INTEGER NOT NULL,
    kind       TEXT NOT NULL,  -- import | upsert
    lists      TEXT NOT NULL,  -- the lists the chunk adds its contacts to
    process_id INTEGER,        -- Brevo's import process, once it answered
    maybe      TEXT NOT NULL DEFAULT ''  -- tier lists a contact unknown to the state may
                               -- already be in (occupied when the chunk was sent)
);
CREATE TABLE attributes (
    id        INTEGER PRIMARY KEY,  -- the number a digest's entries name it by
    name      TEXT UNIQUE NOT NULL,
    reset_run INTEGER NOT NULL DEFAULT 0  -- a run that (re)created it in Brevo: entries
                                          -- of contacts confirmed before are void (v3)
);
CREATE TABLE inflight_rows (
    chunk  INTEGER NOT NULL,
    key    TEXT NOT NULL,
    email  TEXT NOT NULL,
    digest BLOB NOT NULL,
    tier   TEXT NOT NULL,
    idx    INTEGER NOT NULL,   -- the row's index in the source (for a failures file)
    raw    BLOB,               -- the row's raw hash, stored with digest on confirmation (v2)
    PRIMARY KEY (chunk, key)
) WITHOUT ROWID;
"""


@dataclass(frozen=True, slots=True)
class ContactState:
    """What the state knows about one contact."""

    key: str
    digest: bytes | None
    tier: str | None
    lists: tuple[int, ...]
    run: int
    raw: bytes | None = None


@dataclass(frozen=True, slots=True)
class Confirmed:
    """A contact as Brevo confirmed it: values hash, tier, lists, and whether a list is due
    to be left (``stale``)."""

    key: str
    digest: bytes | None
    tier: str | None
    lists: tuple[int, ...]
    stale: bool = False
    raw: bytes | None = None


@dataclass(frozen=True, slots=True)
class Member:
    """One row of an in-flight chunk."""

    key: str
    email: str
    digest: bytes
    tier: str
    index: int
    raw: bytes | None = None


@dataclass(frozen=True, slots=True)
class InFlight:
    """A chunk recorded before sending: its kind, lists, rows and Brevo process id."""

    id: int
    run: int
    kind: str
    lists: tuple[int, ...]
    process_id: int | None
    maybe: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class RunInfo:
    """One entry of the run history."""

    id: int
    started: str
    finished: str | None
    source: str
    mode: str
    status: str
    summary: Mapping[str, Any]


def _lists_text(lists: Iterable[int]) -> str:
    return ",".join(str(i) for i in sorted(set(lists)))


@functools.lru_cache(maxsize=256)
def _tuple_text(lists: tuple[int, ...]) -> str:
    """:func:`_lists_text` of a tuple, remembered: a run has a handful of list sets."""
    return _lists_text(lists)


def _text_of(lists: Iterable[int]) -> str:
    return _tuple_text(lists) if type(lists) is tuple else _lists_text(lists)


@functools.lru_cache(maxsize=256)
def _lists(text: str) -> tuple[int, ...]:
    # Remembered: a state holds a handful of list sets, read a million times a run.
    return tuple(int(i) for i in text.split(",") if i)


def _check_writable(path: Path) -> None:
    """Refuse a state a sync could not write (read-only file or directory), in one line.

    Raises:
        StateError: the file or its directory is not writable.
    """
    # The mode bits too: root may write anything, but a file marked read-only is meant so.
    if path.exists() and (not os.access(path, os.W_OK) or not path.stat().st_mode & 0o222):
        raise StateError(f"{path}: the state file is read-only; a sync writes it (chmod u+w)")
    folder = path.parent if str(path.parent) else Path(".")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StateError(
            f"{path}: the directory {folder} is not writable; a sync writes its state (and "
            "a lock file) there: use --state to put it elsewhere"
        )


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class SyncState:
    """An open state file; use as a context manager (closes and unlocks).

    Args:
        path: the SQLite file (created if missing); ``":memory:"`` for a throwaway
            state (``upsert_customers``).

    Raises:
        StateError: another sync holds the file, or it is not a state this version reads.
    """

    def __init__(self, path: str | os.PathLike[str], *, read_only: bool = False) -> None:
        self.path = str(path)
        self._lock_handle: Any = None
        memory = self.path == ":memory:"
        if not memory and not read_only:
            _check_writable(Path(self.path))
            self._lock()
        try:
            if read_only:
                # History while a sync runs: no lock, no writes (WAL readers don't block).
                self.db = sqlite3.connect(
                    f"file:{Path(self.path).resolve()}?mode=ro", uri=True, isolation_level=None
                )
                self._check_schema(migrate=False)
                return
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA busy_timeout = 5000")
            if not memory:
                self.db.execute("PRAGMA journal_mode = WAL")
                # WAL + NORMAL survives a killed process (not a power cut): enough here.
                self.db.execute("PRAGMA synchronous = NORMAL")
            self._open_schema()
            self.db.executescript(_ADDED)
        except sqlite3.DatabaseError as exc:
            self.close()
            if "readonly" in str(exc):
                raise StateError(
                    f"{self.path}: the state file is read-only; a sync writes it"
                ) from None
            raise StateError(f"{self.path}: not a tajo-brevo state file ({exc})") from None
        except BaseException:
            self.close()
            raise

    # -- opening ----------------------------------------------------------------------

    def _lock(self) -> None:
        lock_path = self.path + ".lock"
        handle = open(lock_path, "a+")  # noqa: SIM115 - held for the state's lifetime
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip()
            handle.close()
            raise StateBusyError(
                f"{self.path} is in use by another sync ({holder or 'unknown process'}); "
                "wait for it to finish, or use another --state"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {_now()}\n")
        handle.flush()
        self._lock_handle = handle

    def _open_schema(self) -> None:
        tables = {
            row[0] for row in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        if not tables:
            # One script, one transaction: a file is a complete state or an empty one.
            self.db.executescript(
                "BEGIN;"
                + _SCHEMA
                + f"INSERT INTO meta VALUES ('application', '{_APPLICATION}');"
                + f"INSERT INTO meta VALUES ('schema_version', '{SCHEMA_VERSION}');"
                + "COMMIT;"
            )
            return
        self._check_schema(tables)

    def _check_schema(self, tables: set[str] | None = None, *, migrate: bool = True) -> None:
        if tables is None:
            tables = {
                row[0]
                for row in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
        if "meta" not in tables:
            raise StateError(f"{self.path}: an SQLite file, but not a tajo-brevo sync state")
        meta = dict(self.db.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("application") != _APPLICATION:
            raise StateError(f"{self.path}: an SQLite file, but not a tajo-brevo sync state")
        version = int(meta.get("schema_version", "0"))
        if version > SCHEMA_VERSION:
            raise StateError(
                f"{self.path} was written by a newer tajo-brevo (state schema {version}, this "
                f"version reads up to {SCHEMA_VERSION}): upgrade tajo-brevo, or use another "
                "--state"
            )
        if not migrate:
            return  # read-only (history): the runs table is the same in every version
        while version < SCHEMA_VERSION:  # bounded: version grows every turn
            step = _MIGRATIONS.get(version)
            if step is None:
                raise StateError(
                    f"{self.path}: state schema {version} is too old to migrate; start a new "
                    "state (the next sync then compares nothing and sends every row once)"
                )
            with self.transaction():
                step(self.db)
                version += 1
                self.db.execute(
                    "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),)
                )

    def close(self) -> None:
        """Close the database and release the lock."""
        db = getattr(self, "db", None)
        if db is not None:
            db.close()
            self.db = None  # type: ignore[assignment]
        if self._lock_handle is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._lock_handle.fileno(), fcntl.LOCK_UN)
            self._lock_handle.close()
            self._lock_handle = None

    def __enter__(self) -> SyncState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: all of it is on disk, or none of it."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

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
                "INSERT OR IGNORE INTO meta VALUES (?, ?)", sorted(identity.items())
            )

    def account_memory(self) -> dict[str, Any] | None:
        """What the last run saw of the account (identity and list counts), or None."""
        found = self.db.execute("SELECT value FROM meta WHERE key = 'account'").fetchone()
        return dict(json.loads(found[0])) if found else None

    def remember_account(self, memory: Mapping[str, Any]) -> None:
        """Store what this run saw of the account (see :meth:`account_memory`)."""
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO meta VALUES ('account', ?)",
                (json.dumps(memory, sort_keys=True),),
            )

    def attribute_ids(self, names: Iterable[str]) -> dict[str, int]:
        """The numbers of these attributes (new names get one)."""
        wanted = sorted(set(names))
        with self.transaction():
            self.db.executemany(
                "INSERT OR IGNORE INTO attributes (name) VALUES (?)", ((n,) for n in wanted)
            )
        return {
            name: number
            for number, name, _ in self.db.execute("SELECT id, name, reset_run FROM attributes")
            if name in set(wanted)
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
                self.db.execute("INSERT OR IGNORE INTO attributes (name) VALUES (?)", (name,))
                self.db.execute("UPDATE attributes SET reset_run = ? WHERE name = ?", (run, name))

    def meta(self, name: str) -> str | None:
        """A value of the state's meta table (None when unset)."""
        found = self.db.execute("SELECT value FROM meta WHERE key = ?", (name,)).fetchone()
        return None if found is None else str(found[0])

    def set_meta(self, name: str, value: str) -> None:
        """Set a value of the state's meta table."""
        with self.transaction():
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, value))

    def consent(self, keys: Sequence[str]) -> dict[str, tuple[bool, bool]]:
        """Blacklist flags (email, SMS) last read for these contacts; absent: neither
        set (a contact this tool creates is not blacklisted)."""
        found: dict[str, tuple[bool, bool]] = {}
        for start in range(0, len(keys), _IN_BATCH):
            part = keys[start : start + _IN_BATCH]
            marks = ",".join("?" * len(part))
            for key, email, sms in self.db.execute(
                f"SELECT key, email, sms FROM consent WHERE key IN ({marks})", part
            ):
                found[key] = (bool(email), bool(sms))
        return found

    def has_consent(self) -> bool:
        """Whether any contact's blacklist flags are remembered."""
        return self.db.execute("SELECT 1 FROM consent LIMIT 1").fetchone() is not None

    def set_consent(self, flags: Iterable[tuple[str, bool, bool]]) -> None:
        """Remember blacklist flags as read (a contact with neither set is dropped)."""
        with self.transaction():
            for key, email, sms in flags:
                if email or sms:
                    self.db.execute(
                        "INSERT OR REPLACE INTO consent VALUES (?, ?, ?)",
                        (key, int(email), int(sms)),
                    )
                else:
                    self.db.execute("DELETE FROM consent WHERE key = ?", (key,))

    def remember_program(self, all_customers: int, tier_lists: Mapping[Any, int]) -> None:
        """Store the program's list ids (a dry run compares with them, offline)."""
        value = json.dumps(
            {"all": all_customers, "tiers": {str(t): i for t, i in tier_lists.items()}}
        )
        with self.transaction():
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('lists', ?)", (value,))

    def stored_program(self) -> Program | None:
        """The program's lists as last synced (a ``Program``), or None."""
        found = self.db.execute("SELECT value FROM meta WHERE key = 'lists'").fetchone()
        if not found:
            return None
        data = json.loads(found[0])
        return Program(int(data["all"]), {Tier(t): int(i) for t, i in data["tiers"].items()})

    # -- contacts ---------------------------------------------------------------------

    def lookup(self, keys: Sequence[str]) -> dict[str, ContactState]:
        """What the state knows about these contacts (absent keys are unknown)."""
        found: dict[str, ContactState] = {}
        for start in range(0, len(keys), _IN_BATCH):
            part = keys[start : start + _IN_BATCH]
            marks = ",".join("?" * len(part))
            for key, digest_, tier, lists, run, raw in self.db.execute(
                f"SELECT key, digest, tier, lists, run, raw FROM contacts WHERE key IN ({marks})",
                part,
            ):
                found[key] = ContactState(key, digest_, tier, _lists(lists), run, raw)
        return found

    def lookup_seen(self, keys: Sequence[str]) -> dict[str, tuple[int, ContactState | None]]:
        """For each key of this run: the index of its last row, and what the state knows.

        One query per 900 keys (the seen table joined with the contacts), where a lookup
        per row would cost a statement each (a sync reads a million rows).
        """
        found: dict[str, tuple[int, ContactState | None]] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), _JOIN_BATCH):
            part = unique[start : start + _JOIN_BATCH]
            marks = ",".join("?" * len(part))
            for key, idx, digest_, tier, lists, run, raw in self.db.execute(
                "SELECT s.key, s.idx, c.digest, c.tier, c.lists, c.run, c.raw FROM seen s "
                f"LEFT JOIN contacts c ON c.key = s.key WHERE s.key IN ({marks})",
                part,
            ):
                known = (
                    None
                    if lists is None
                    else ContactState(key, digest_, tier, _lists(lists), run, raw)
                )
                found[key] = (idx, known)
        return found

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
        with self.transaction():
            for key, extra in changes:
                row = self.db.execute("SELECT lists FROM contacts WHERE key = ?", (key,)).fetchone()
                if row is None:
                    continue
                merged = _lists_text(set(_lists(row[0])) | set(extra))
                self.db.execute(
                    "UPDATE contacts SET lists = ?, stale = 1 WHERE key = ?", (merged, key)
                )

    def reset_present(self) -> None:
        """A scratch table of the contacts a read of the program found, emptied."""
        self.db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS present (key TEXT PRIMARY KEY) WITHOUT ROWID"
        )
        self.db.execute("DELETE FROM present")

    def add_present(self, keys: Iterable[str]) -> None:
        """Remember contacts the program read found."""
        with self.transaction():
            self.db.executemany("INSERT OR IGNORE INTO present VALUES (?)", ((k,) for k in keys))

    def absent(self) -> Iterator[ContactState]:
        """Confirmed contacts that the program read did not find (deleted in Brevo, or
        taken off every list of the program)."""
        for key, digest_, tier, lists, run, raw in self.db.execute(
            "SELECT key, digest, tier, lists, run, raw FROM contacts WHERE digest IS NOT NULL "
            "AND tier IS NOT NULL AND key NOT IN (SELECT key FROM present) ORDER BY key"
        ).fetchall():
            yield ContactState(key, digest_, tier, _lists(lists), run, raw)

    def reset_listed(self) -> None:
        """A scratch table of the members read of lists (``list``, ``key``), emptied."""
        self.db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS listed (list INTEGER NOT NULL, key TEXT NOT NULL, "
            "PRIMARY KEY (list, key)) WITHOUT ROWID"
        )
        self.db.execute("DELETE FROM listed")

    def add_listed(self, list_id: int, keys: Iterable[str]) -> None:
        """Remember members read of a list (see :meth:`reset_listed`)."""
        with self.transaction():
            self.db.executemany(
                "INSERT OR IGNORE INTO listed VALUES (?, ?)", ((list_id, k) for k in keys)
            )

    def listed(self, list_id: int, keys: Sequence[str]) -> set[str]:
        """Which of these keys were read as members of the list."""
        found: set[str] = set()
        for start in range(0, len(keys), _IN_BATCH):
            part = keys[start : start + _IN_BATCH]
            marks = ",".join("?" * len(part))
            found.update(
                k
                for (k,) in self.db.execute(
                    f"SELECT key FROM listed WHERE list = ? AND key IN ({marks})",
                    (list_id, *part),
                )
            )
        return found

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
            ((r.key, r.digest, r.tier, _text_of(r.lists), run, int(r.stale), r.raw) for r in rows),
        )

    def set_lists(self, changes: Iterable[tuple[str, Iterable[int], bool]]) -> None:
        """Record the lists of known contacts (key, lists, still stale) after unlinking."""
        with self.transaction():
            self.db.executemany(
                "UPDATE contacts SET lists = ?, stale = ? WHERE key = ?",
                ((_lists_text(ls), int(stale), k) for k, ls, stale in changes),
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
                yield ContactState(key, digest_, tier, _lists(lists), run, raw)
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
                "INSERT OR REPLACE INTO inflight_rows (chunk, key, email, digest, tier, idx, raw) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
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
            InFlight(i, run, kind, _lists(lists), pid, _lists(maybe))
            for i, run, kind, lists, pid, maybe in self.db.execute(
                "SELECT id, run, kind, lists, process_id, maybe FROM inflight ORDER BY id"
            ).fetchall()
        ]

    def chunk_rows(self, chunk: int) -> list[Member]:
        """A chunk's rows, in source order."""
        return [
            Member(k, e, d, t, i, r)
            for k, e, d, t, i, r in self.db.execute(
                "SELECT key, email, digest, tier, idx, raw FROM inflight_rows WHERE chunk = ? "
                "ORDER BY idx",
                (chunk,),
            ).fetchall()
        ]

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
        ``renamed``: see :meth:`rename`.
        """
        with self.transaction():
            self._rename(renamed)
            self._confirm(confirmed, run)
            self._maybe_applied(chunk, list(uncertain))
            self.db.execute("DELETE FROM inflight_rows WHERE chunk = ?", (chunk,))
            self.db.execute("DELETE FROM inflight WHERE id = ?", (chunk,))

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
                    row[0]: ContactState(row[0], row[6], row[7], _lists(row[8]), row[9], row[10])
                    for row in rows
                    if row[8] is not None
                }
                self._confirm(decide(members, known), run)
                last = rows[-1][0]
            self.db.execute("DELETE FROM inflight_rows WHERE chunk = ?", (chunk,))
            self.db.execute("DELETE FROM inflight WHERE id = ?", (chunk,))

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
                    (_lists_text(lists), run, int(stale), chunk, tier),
                )
                count += cursor.rowcount
            self.db.execute("DELETE FROM inflight_rows WHERE chunk = ?", (chunk,))
            self.db.execute("DELETE FROM inflight WHERE id = ?", (chunk,))
        return count

    def _maybe_applied(self, chunk: int, keys: list[str]) -> None:
        if not keys:
            return
        found = self.db.execute(
            "SELECT lists, maybe FROM inflight WHERE id = ?", (chunk,)
        ).fetchone()
        lists = set(_lists(found[0])) if found else set()
        maybe = set(_lists(found[1])) if found else set()
        for key in keys:
            row = self.db.execute("SELECT lists FROM contacts WHERE key = ?", (key,)).fetchone()
            merged = _lists_text(set(_lists(row[0])) | lists) if row else _lists_text(lists | maybe)
            self.db.execute(
                "INSERT INTO contacts (key, digest, tier, lists, run, stale, raw) "
                "VALUES (?, NULL, NULL, ?, 0, 1, NULL) "
                "ON CONFLICT (key) DO UPDATE SET digest = NULL, lists = excluded.lists, "
                "stale = 1, raw = NULL",
                (key, merged),
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
            self.db.execute("DELETE FROM inflight_rows WHERE chunk = ?", (chunk,))
            self.db.execute("DELETE FROM inflight WHERE id = ?", (chunk,))

    # -- runs -------------------------------------------------------------------------

    def start_run(self, source: str, mode: str) -> int:
        """Open a run in the history; returns its id.

        A run still ``running`` here was killed (this sync holds the lock, so none other
        runs): it is marked ``interrupted``; this run recovers what it left in flight.
        """
        with self.transaction():
            self.db.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'")
            cursor = self.db.execute(
                "INSERT INTO runs (started, source, mode, status) VALUES (?, ?, ?, 'running')",
                (_now(), source, mode),
            )
        return int(cursor.lastrowid or 0)

    def finish_run(self, run: int, status: str, summary: Mapping[str, Any]) -> None:
        """Close a run with its status and summary."""
        with self.transaction():
            self.db.execute(
                "UPDATE runs SET finished = ?, status = ?, summary = ? WHERE id = ?",
                (_now(), status, json.dumps(summary, sort_keys=True), run),
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

    # -- temporary per-run tables -----------------------------------------------------

    def reset_seen(self) -> None:
        """Scratch tables of this run's keys and loyalty ids, emptied.

        ``seen``: each email key with the index of its last row and the line numbers of
        all its rows; ``seen_ids``: each LOYALTY_ID with the key of its last row and the
        line numbers of all its rows. A key or id on two rows is a duplicate.
        """
        # WITHOUT ROWID: one B-tree (not a table and its key index) per inserted key.
        self.db.execute("DROP TABLE IF EXISTS temp.seen")
        self.db.execute(
            "CREATE TEMP TABLE seen (key TEXT PRIMARY KEY, idx INTEGER NOT NULL, "
            "lines TEXT NOT NULL DEFAULT '') WITHOUT ROWID"
        )
        self.db.execute("DROP TABLE IF EXISTS temp.seen_ids")
        self.db.execute(
            "CREATE TEMP TABLE seen_ids (id TEXT PRIMARY KEY, key TEXT NOT NULL, "
            "lines TEXT NOT NULL) WITHOUT ROWID"
        )

    def add_seen(
        self,
        rows: Iterable[tuple[str, int] | tuple[str, int, int | None]],
        ids: Iterable[tuple[str, str, int | None]] = (),
    ) -> None:
        """Remember keys with their latest row index and line (a later row wins the index;
        every line is kept), and ``(loyalty id, key, line)`` of the rows that have one."""
        with self.transaction():
            self.db.executemany(
                "INSERT INTO seen VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
                "idx = excluded.idx, lines = lines || ',' || excluded.lines",
                ((r[0], r[1], str(r[2] if len(r) > 2 else r[1])) for r in rows),
            )
            self.db.executemany(
                "INSERT INTO seen_ids VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                "key = excluded.key, lines = lines || ',' || excluded.lines",
                ((i, k, str(line)) for i, k, line in ids),
            )

    def duplicates(self) -> tuple[dict[str, str], dict[str, str]]:
        """Keys and loyalty ids on more than one row of this run: ``{key: lines}`` and
        ``{id: lines}`` (line numbers joined by commas). Few, so held in memory."""
        keys = dict(self.db.execute("SELECT key, lines FROM seen WHERE instr(lines, ',') > 0"))
        ids = dict(self.db.execute("SELECT id, lines FROM seen_ids WHERE instr(lines, ',') > 0"))
        return keys, ids

    # -- loyalty ids: a customer's key, whatever its email ----------------------------

    def keys_for_ids(self, ids: Sequence[str]) -> dict[str, str]:
        """The contact key each of these loyalty ids was last known under."""
        found: dict[str, str] = {}
        for start in range(0, len(ids), _IN_BATCH):
            part = ids[start : start + _IN_BATCH]
            marks = ",".join("?" * len(part))
            found.update(
                self.db.execute(f"SELECT id, key FROM loyalty_ids WHERE id IN ({marks})", part)
            )
        return found

    def in_source(self, keys: Sequence[str]) -> set[str]:
        """Which of these keys this run's source has (after pass one)."""
        found: set[str] = set()
        for start in range(0, len(keys), _IN_BATCH):
            part = keys[start : start + _IN_BATCH]
            marks = ",".join("?" * len(part))
            found.update(
                k for (k,) in self.db.execute(f"SELECT key FROM seen WHERE key IN ({marks})", part)
            )
        return found

    def remember_ids(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Record ``(loyalty id, key)``: the contact that carries each id."""
        with self.transaction():
            self.db.executemany("INSERT OR REPLACE INTO loyalty_ids VALUES (?, ?)", pairs)

    def rename(self, changes: Iterable[tuple[str, str, str]]) -> None:
        """Contacts whose email Brevo changed: ``(old key, new key, loyalty id)``; the old
        key is forgotten (the new one is confirmed by :meth:`settle`), the id follows."""
        with self.transaction():
            self._rename(changes)

    def _rename(self, changes: Iterable[tuple[str, str, str]]) -> None:
        for old, new, loyalty_id in changes:
            if old != new:
                self.db.execute("DELETE FROM contacts WHERE key = ?", (old,))
            if loyalty_id:
                self.db.execute(
                    "INSERT OR REPLACE INTO loyalty_ids VALUES (?, ?)", (loyalty_id, new)
                )

    def last_index(self, keys: Sequence[str]) -> dict[str, int]:
        """For each key, the index of its last row in the source."""
        found: dict[str, int] = {}
        for start in range(0, len(keys), _IN_BATCH):
            part = keys[start : start + _IN_BATCH]
            marks = ",".join("?" * len(part))
            found.update(self.db.execute(f"SELECT key, idx FROM seen WHERE key IN ({marks})", part))
        return found

    # The rows of import chunks being built (see ``_plan.Chunker``): a scratch table, so
    # that a chunk of up to 8 MB is on disk until it is sent, not in memory.

    def _spill_table(self) -> None:
        # Keyed by (bucket, row index): a row's index is unique in a run, and one B-tree
        # serves the inserts, the reads and the deletes of a bucket.
        self.db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS spill (bucket INTEGER NOT NULL, key TEXT NOT NULL,"
            " email TEXT NOT NULL, digest BLOB NOT NULL, tier TEXT NOT NULL, idx INTEGER NOT NULL,"
            " raw BLOB, line TEXT NOT NULL, PRIMARY KEY (bucket, idx)) WITHOUT ROWID"
        )

    def spill(self, rows: Sequence[tuple[int, str, Member]]) -> None:
        """Keep rows of open chunks: ``(bucket, CSV line, member)``, in order."""
        self._spill_table()
        with self.transaction():
            self.db.executemany(
                "INSERT INTO spill VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (b, m.key, m.email, m.digest, m.tier, m.index, m.raw, line)
                    for b, line, m in rows
                ),
            )

    def spilled_lines(self, bucket: int) -> str:
        """A bucket's CSV lines as one text."""
        self._spill_table()
        # Joined by SQLite: no Python string per line (an import file has up to 100,000).
        # Line order does not matter to an import (one line per contact).
        found = self.db.execute(
            "SELECT group_concat(line, '') FROM spill WHERE bucket = ?", (bucket,)
        ).fetchone()
        return str(found[0] or "")

    def _insert_chunk(self, run: int, kind: str, lists: Iterable[int], maybe: Iterable[int]) -> int:
        """The chunk's own row (in the caller's transaction); returns its id."""
        cursor = self.db.execute(
            "INSERT INTO inflight (run, kind, lists, maybe) VALUES (?, ?, ?, ?)",
            (run, kind, _lists_text(lists), _lists_text(maybe)),
        )
        return int(cursor.lastrowid or 0)

    def record_spilled(
        self, run: int, kind: str, lists: Iterable[int], bucket: int, *, maybe: Iterable[int] = ()
    ) -> int:
        """:meth:`record_chunk` for a spilled bucket: its rows move to the chunk, in one
        transaction (the bucket is emptied)."""
        self._spill_table()
        with self.transaction():
            chunk = self._insert_chunk(run, kind, lists, maybe)
            self.db.execute(
                "INSERT OR REPLACE INTO inflight_rows (chunk, key, email, digest, tier, idx, raw) "
                "SELECT ?, key, email, digest, tier, idx, raw FROM spill WHERE bucket = ?",
                (chunk, bucket),
            )
            self.db.execute("DELETE FROM spill WHERE bucket = ?", (bucket,))
        return chunk

    def spilled_members(self, bucket: int) -> list[Member]:
        """A bucket's rows (a dry run predicts their outcomes)."""
        self._spill_table()
        return [
            Member(k, e, d, t, i, r)
            for k, e, d, t, i, r in self.db.execute(
                "SELECT key, email, digest, tier, idx, raw FROM spill WHERE bucket = ? "
                "ORDER BY idx",
                (bucket,),
            ).fetchall()
        ]

    def drop_spilled(self, bucket: int) -> None:
        """Forget a bucket (a dry run sends nothing)."""
        self._spill_table()
        with self.transaction():
            self.db.execute("DELETE FROM spill WHERE bucket = ?", (bucket,))

    def missing(self) -> Iterator[ContactState]:
        """Contacts in the state that this run's source does not have (mirror mode).

        A contact whose loyalty id the source has under another email is not missing:
        its email changes (see ``_identity``).
        """
        for key, digest_, tier, lists, run, raw in self.db.execute(
            "SELECT key, digest, tier, lists, run, raw FROM contacts c "
            "WHERE key NOT IN (SELECT key FROM seen) AND NOT EXISTS ("
            "SELECT 1 FROM loyalty_ids m JOIN seen_ids s ON s.id = m.id WHERE m.key = c.key) "
            "ORDER BY key"
        ):
            yield ContactState(key, digest_, tier, _lists(lists), run, raw)


def _migrate_1_to_2(db: sqlite3.Connection) -> None:
    """Schema 2 adds the raw-row hash. A migrated contact has none (NULL): its next row
    takes the full path (validated and compared by its values) once, then gets one."""
    db.execute("ALTER TABLE contacts ADD COLUMN raw BLOB")
    db.execute("ALTER TABLE inflight_rows ADD COLUMN raw BLOB")


def _migrate_2_to_3(db: sqlite3.Connection) -> None:
    """Schema 3 numbers attributes for the per-attribute entries of a digest. A migrated
    contact's digest has none: its row takes the full path once (the raw hash's version
    changed too) and, found unchanged, gets them."""
    db.execute(
        "CREATE TABLE attributes (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, "
        "reset_run INTEGER NOT NULL DEFAULT 0)"
    )


#: from-version -> migration to the next version, each in its own transaction.
_MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _migrate_1_to_2,
    2: _migrate_2_to_3,
}
