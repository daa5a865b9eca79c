"""The sync state's schema for both backends, its version and its migrations, and what
both backends share: the lock's bounded wait, the busy message, the version check.

SQLite (the embedded default): one file per (account, program), the tables below as they
have always been (a file written by an older version still opens, and is migrated).
PostgreSQL: one schema (``tajo_brevo`` by default) shared by many (account, program)
pairs: the same tables with a ``scope`` column first in every key (see ``_state_postgres``).

The statements of ``SyncState`` are written once, in the SQL both backends read: ``?``
placeholders, ``INSERT ... ON CONFLICT`` (SQLite >= 3.24), ids given explicitly (``max +
1``: one run at a time per scope, under its lock) and ``RETURNING``; the PostgreSQL
backend rewrites the few spellings that differ (see ``_portable`` in ``_state_postgres``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol

from ..errors import StateBusyError, StateError

__all__ = [
    "APPLICATION",
    "NEW_ATTRIBUTE",
    "POSTGRES_TABLES",
    "ROWS_CONFLICT",
    "SCHEMA_VERSION",
    "SCOPED_COLUMNS",
    "SET_ID",
    "SQLITE_ADDED",
    "SQLITE_MIGRATIONS",
    "SQLITE_SCHEMA",
    "Database",
    "busy_error",
    "check_schema_version",
    "next_id",
    "poll_lock",
    "postgres_schema",
    "utc_now",
]

SCHEMA_VERSION = 3
APPLICATION = "tajo-brevo sync state"


#: Seconds between two tries of a lock held by another sync (``lock_timeout``).
LOCK_POLL = 0.1


def utc_now() -> str:
    """Now (UTC), as the state writes it."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def poll_lock(try_lock: Callable[[], bool], timeout: float) -> bool:
    """Try a lock until ``timeout`` seconds have passed (both backends); whether held."""
    deadline = time.monotonic() + max(0.0, timeout)
    while True:  # bounded: ends at the deadline
        if try_lock():
            return True
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(LOCK_POLL, left))


def busy_error(name: str, holder: str | None) -> StateBusyError:
    """Another sync holds the state ``name`` (both backends)."""
    return StateBusyError(
        f"{name} is in use by another sync ({holder or 'unknown process'}); "
        "wait for it to finish, or use another --state"
    )


def check_schema_version(name: str, version: int) -> None:
    """Refuse a state written by a newer version (both backends).

    Raises:
        StateError: ``version`` is newer than this version reads.
    """
    if version > SCHEMA_VERSION:
        raise StateError(
            f"{name} was written by a newer tajo-brevo (state schema {version}, this "
            f"version reads up to {SCHEMA_VERSION}): upgrade tajo-brevo, or use another "
            "--state"
        )


class Database(Protocol):
    """What ``SyncState`` needs of a backend: run the shared SQL, in transactions."""

    #: How messages name the state (a path, or a URL without its password).
    name: str

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement; returns a cursor (iterable rows, ``fetchone``,
        ``fetchall``, ``rowcount``)."""

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for each of ``rows``."""

    def copy(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Add rows to a table (no conflict possible): PostgreSQL's COPY, or one INSERT
        a row."""

    def merge(self, kind: str, rows: Sequence[Sequence[Any]]) -> bool:
        """Upsert many rows at once where the backend has a faster way than a statement
        per row (PostgreSQL: COPY, then one statement); False: not done, the caller runs
        its statement per row. ``kind``: ``seen``, ``seen_ids`` or ``loyalty_ids``, with
        the rows of the caller's statement."""

    def analyze(self, *tables: str) -> None:
        """Tell the query planner the size of tables just filled (a no-op where it needs
        no telling)."""

    def rows(self, sql: str, params: Sequence[Any] = (), *, snapshot: bool = False) -> Any:
        """The rows of a query that may return every contact, without holding them all
        in this process where the backend can help it (``snapshot``: the rows as they are
        now, even if the caller writes while it reads them)."""

    def transaction(self) -> contextlib.AbstractContextManager[Any]:
        """One atomic write: all of it is kept, or none of it."""

    def close(self) -> None:
        """Close the connection and release the lock."""


#: Tables added without a schema version: created when missing, ignored by older versions.
SQLITE_ADDED = """
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

SQLITE_SCHEMA = """
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
SQLITE_MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _migrate_1_to_2,
    2: _migrate_2_to_3,
}

#: The scoped tables of the PostgreSQL schema and their columns as ``SyncState`` sees
#: them (in the SQLite order: a positional ``INSERT INTO meta VALUES (?, ?)`` means the
#: same in both); each is a view of its table's rows for one scope (``_state_postgres``).
SCOPED_COLUMNS: dict[str, tuple[str, ...]] = {
    "meta": ("key", "value"),
    "contacts": ("key", "digest", "tier", "lists", "run", "stale", "raw"),
    "runs": ("id", "started", "finished", "source", "mode", "status", "summary"),
    "inflight": ("id", "run", "kind", "lists", "process_id", "maybe"),
    "attributes": ("id", "name", "reset_run"),
    "inflight_rows": ("chunk", "key", "email", "digest", "tier", "idx", "raw"),
    "loyalty_ids": ("id", "key"),
    "consent": ("key", "email", "sms"),
}

#: Schema version 3 in PostgreSQL (its first): ``{schema}`` is the schema's quoted name.
#: Keys are compared byte by byte (COLLATE "C"), as SQLite does.
POSTGRES_TABLES = """
CREATE TABLE {schema}.info (
    key   TEXT PRIMARY KEY,    -- application, schema_version
    value TEXT NOT NULL
);
CREATE TABLE {schema}.scopes (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account TEXT NOT NULL,     -- a one-way id of the API key, or the caller's reference
    program TEXT NOT NULL,
    created TEXT NOT NULL,
    UNIQUE (account, program)
);
CREATE TABLE {schema}.meta (
    scope BIGINT NOT NULL REFERENCES {schema}.scopes,
    key   TEXT COLLATE "C" NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE TABLE {schema}.contacts (
    scope  BIGINT NOT NULL REFERENCES {schema}.scopes,
    key    TEXT COLLATE "C" NOT NULL,
    digest BYTEA,
    tier   TEXT,
    lists  TEXT NOT NULL,
    run    BIGINT NOT NULL,
    stale  INTEGER NOT NULL DEFAULT 0,
    raw    BYTEA,
    PRIMARY KEY (scope, key)
);
CREATE INDEX contacts_stale ON {schema}.contacts (scope) WHERE stale = 1;
CREATE TABLE {schema}.runs (
    scope    BIGINT NOT NULL REFERENCES {schema}.scopes,
    id       BIGINT NOT NULL,
    started  TEXT NOT NULL,
    finished TEXT,
    source   TEXT NOT NULL,
    mode     TEXT NOT NULL,
    status   TEXT NOT NULL,
    summary  TEXT,
    PRIMARY KEY (scope, id)
);
CREATE TABLE {schema}.inflight (
    scope      BIGINT NOT NULL REFERENCES {schema}.scopes,
    id         BIGINT NOT NULL,
    run        BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    lists      TEXT NOT NULL,
    process_id BIGINT,
    maybe      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (scope, id)
);
CREATE TABLE {schema}.attributes (
    scope     BIGINT NOT NULL REFERENCES {schema}.scopes,
    id        BIGINT NOT NULL,
    name      TEXT COLLATE "C" NOT NULL,
    reset_run BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, id),
    UNIQUE (scope, name)
);
CREATE TABLE {schema}.inflight_rows (
    scope  BIGINT NOT NULL REFERENCES {schema}.scopes,
    chunk  BIGINT NOT NULL,
    key    TEXT COLLATE "C" NOT NULL,
    email  TEXT NOT NULL,
    digest BYTEA NOT NULL,
    tier   TEXT NOT NULL,
    idx    BIGINT NOT NULL,
    raw    BYTEA,
    PRIMARY KEY (scope, chunk, key)
);
CREATE TABLE {schema}.loyalty_ids (
    scope BIGINT NOT NULL REFERENCES {schema}.scopes,
    id    TEXT COLLATE "C" NOT NULL,
    key   TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (scope, id)
);
CREATE INDEX loyalty_ids_key ON {schema}.loyalty_ids (scope, key);
CREATE TABLE {schema}.consent (
    scope BIGINT NOT NULL REFERENCES {schema}.scopes,
    key   TEXT COLLATE "C" NOT NULL,
    email INTEGER NOT NULL,
    sms   INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);
"""


def postgres_schema(schema: str) -> Iterator[str]:
    """The statements creating the PostgreSQL schema ``schema`` (a quoted identifier)."""
    for statement in POSTGRES_TABLES.format(schema=schema).split(";"):
        if statement.strip():
            yield statement.strip()


def next_id(table: str) -> str:
    """The SQL of a new id in ``table``: ids are given, not generated, so that each
    PostgreSQL scope counts its own (one run at a time: no one else adds one meanwhile).
    SQLite gives an ``INTEGER PRIMARY KEY`` the same number by itself."""
    return f"(SELECT coalesce(max(id), 0) + 1 FROM {table})"


#: A new attribute gets the next number (a known one keeps its own).
NEW_ATTRIBUTE = (
    f"INSERT INTO attributes (id, name) VALUES ({next_id('attributes')}, ?) "
    "ON CONFLICT (name) DO NOTHING"
)
#: A loyalty id moves to the contact given.
SET_ID = "INSERT INTO loyalty_ids VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET key = excluded.key"
#: A chunk's row recorded twice keeps the last values.
ROWS_CONFLICT = (
    "ON CONFLICT (chunk, key) DO UPDATE SET email = excluded.email, digest = excluded.digest, "
    "tier = excluded.tier, idx = excluded.idx, raw = excluded.raw"
)
