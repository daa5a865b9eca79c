"""The SQLite backend of the sync state: one file (WAL) per (account, program).

One sync at a time per file: an exclusive ``flock`` on ``<state>.lock``, which the
operating system releases when the process dies, even by SIGKILL.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ..errors import StateError
from ._state_schema import (
    APPLICATION,
    SCHEMA_VERSION,
    SQLITE_ADDED,
    SQLITE_MIGRATIONS,
    SQLITE_SCHEMA,
    busy_error,
    check_schema_version,
    poll_lock,
    utc_now,
)

__all__ = ["SqliteDatabase"]


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


class SqliteDatabase:
    """An open state file (see ``Database`` in ``_state_schema``).

    Args:
        path: the file (created if missing); ``":memory:"`` for a throwaway state.
        read_only: history while a sync runs: no lock, no writes.
        lock_timeout: seconds to wait for another sync's lock (0: refuse at once).

    Raises:
        StateBusyError: another sync holds the file (past ``lock_timeout``).
        StateError: it is not a state this version reads.
    """

    def __init__(self, path: str, *, read_only: bool = False, lock_timeout: float = 0) -> None:
        self.name = path
        self._lock_handle: Any = None
        self.db: sqlite3.Connection | None = None
        memory = path == ":memory:"
        if not memory and not read_only:
            _check_writable(Path(path))
            self._lock(lock_timeout)
        try:
            if read_only:
                # History while a sync runs: no lock, no writes (WAL readers don't block).
                # as_uri quotes a '#', '?' or '%' of the name (else read as URI syntax).
                self.db = sqlite3.connect(
                    f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, isolation_level=None
                )
                self._check_schema(migrate=False)
                return
            self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA busy_timeout = 5000")
            if not memory:
                self.db.execute("PRAGMA journal_mode = WAL")
                # WAL + NORMAL survives a killed process (not a power cut): enough here.
                self.db.execute("PRAGMA synchronous = NORMAL")
            self._open_schema()
            self.db.executescript(SQLITE_ADDED)
        except sqlite3.DatabaseError as exc:
            self.close()
            if "readonly" in str(exc):
                raise StateError(f"{path}: the state file is read-only; a sync writes it") from None
            raise StateError(f"{path}: not a tajo-brevo state file ({exc})") from None
        except BaseException:
            self.close()
            raise

    @property
    def connection(self) -> sqlite3.Connection:
        """The open connection (a closed state has none)."""
        if self.db is None:
            raise StateError(f"{self.name}: the state is closed")
        return self.db

    def _lock(self, timeout: float) -> None:
        lock_path = self.name + ".lock"
        handle = open(lock_path, "a+")  # noqa: SIM115 - held for the state's lifetime

        def try_lock() -> bool:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return False
            return True

        try:
            if not poll_lock(try_lock, timeout):
                handle.seek(0)
                raise busy_error(self.name, handle.read().strip())
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()} since {utc_now()}\n")
            handle.flush()
        except BaseException:
            # Busy, interrupted while waiting, or the holder's line not written (a full
            # disk): the lock, if taken, goes with the handle, now (not when collected).
            handle.close()
            raise
        self._lock_handle = handle

    def _tables(self) -> set[str]:
        found = self.connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        return {row[0] for row in found}

    def _open_schema(self) -> None:
        tables = self._tables()
        if not tables:
            # One script, one transaction: a file is a complete state or an empty one.
            self.connection.executescript(
                "BEGIN;"
                + SQLITE_SCHEMA
                + f"INSERT INTO meta VALUES ('application', '{APPLICATION}');"
                + f"INSERT INTO meta VALUES ('schema_version', '{SCHEMA_VERSION}');"
                + "COMMIT;"
            )
            return
        self._check_schema(tables)

    def _check_schema(self, tables: set[str] | None = None, *, migrate: bool = True) -> None:
        if tables is None:
            tables = self._tables()
        if "meta" not in tables:
            raise StateError(f"{self.name}: an SQLite file, but not a tajo-brevo sync state")
        meta = dict(self.connection.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("application") != APPLICATION:
            raise StateError(f"{self.name}: an SQLite file, but not a tajo-brevo sync state")
        version = int(meta.get("schema_version", "0"))
        check_schema_version(self.name, version)
        if not migrate:
            return  # read-only (history): the runs table is the same in every version
        while version < SCHEMA_VERSION:  # bounded: version grows every turn
            step = SQLITE_MIGRATIONS.get(version)
            if step is None:
                raise StateError(
                    f"{self.name}: state schema {version} is too old to migrate; start a new "
                    "state (the next sync then compares nothing and sends every row once)"
                )
            with self.transaction():
                step(self.connection)
                version += 1
                self.connection.execute(
                    "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),)
                )

    # -- the Database interface ---------------------------------------------------------

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run one statement."""
        return self.connection.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement per row."""
        self.connection.executemany(sql, rows)

    def copy(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Add rows to a table, one INSERT a row (SQLite's fastest)."""
        marks = ", ".join("?" * len(columns))
        self.connection.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows
        )

    def merge(self, kind: str, rows: Sequence[Sequence[Any]]) -> bool:
        """Not here: a statement per row is SQLite's fastest way."""
        return False

    def analyze(self, *tables: str) -> None:
        """Nothing: SQLite's planner picks the key index without statistics."""

    def rows(self, sql: str, params: Sequence[Any] = (), *, snapshot: bool = False) -> Any:
        """A query's rows (read as it goes; ``snapshot``: all read first, as the caller
        may write the table while it reads)."""
        cursor = self.connection.execute(sql, params)
        return cursor.fetchall() if snapshot else cursor

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: all of it is on disk, or none of it."""
        db = self.connection
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            # Unless SQLite ended it already (a full disk, an I/O error): the caller sees
            # that error, and a failed COMMIT leaves no transaction open behind it.
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Close the database and release the lock."""
        if self.db is not None:
            self.db.close()
            self.db = None
        if self._lock_handle is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._lock_handle.fileno(), fcntl.LOCK_UN)
            self._lock_handle.close()
            self._lock_handle = None
