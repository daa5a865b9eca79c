"""The PostgreSQL backend of the sync state: many (account, program) pairs in one schema.

``--state postgresql://user@host/db`` (or ``postgresql+psycopg://``): the tables of
``_state_schema`` in a schema of their own (``tajo_brevo`` by default), created on first
use in one transaction. Every row carries its *scope*, one (account, program) pair of the
``scopes`` table; this connection sees its scope's rows only, through temporary views
named like the SQLite tables (so ``SyncState`` runs the same SQL on both backends).
Per-run scratch tables are PostgreSQL TEMP tables (this session's own).

One run per scope at a time: a session advisory lock on a 64-bit key derived from the
scope, held by this connection; the server releases it when the connection ends, even if
the process was killed (SIGKILL closes its socket, the server ends the backend).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import os
import re
import socket
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ..errors import SourceError, StateError, StateUnavailableError
from ._sql import hide_secrets, redact_url, url_secrets
from ._state_schema import (
    APPLICATION,
    SCHEMA_VERSION,
    SCOPED_COLUMNS,
    busy_error,
    check_schema_version,
    poll_lock,
    postgres_schema,
    utc_now,
)

__all__ = ["DEFAULT_SCHEMA", "PostgresDatabase", "is_state_url", "lock_key"]

DEFAULT_SCHEMA = "tajo_brevo"
#: The URL schemes of a PostgreSQL state.
_SCHEMES = ("postgresql://", "postgresql+psycopg://", "postgres://")
#: Rows fetched per round trip when iterating every contact (a server-side cursor).
_FETCH = 5000
#: Serialises the creation of the schema by several first runs at once.
_CREATE_LOCK = 0x74616A6F  # "tajo"
#: Names of server-side cursors (unique in a session).
_CURSORS = itertools.count(1)
_INSERT_INTO = re.compile(r"^\s*INSERT INTO (\w+)", re.IGNORECASE)


def is_state_url(location: object) -> bool:
    """Whether a ``--state`` value names a PostgreSQL database rather than a file."""
    return isinstance(location, str) and location.lower().startswith(_SCHEMES)


def lock_key(schema: str, account: str, program: str) -> int:
    """The advisory lock key of one scope: a signed 64-bit number from its names."""
    digest = hashlib.blake2b(
        f"{schema}\0{account}\0{program}".encode(), digest_size=8, person=b"tajo-lock"
    ).digest()
    return int.from_bytes(digest, "big", signed=True)


@functools.lru_cache(maxsize=512)
def _portable(sql: str) -> str:
    """The shared SQL of ``SyncState`` as PostgreSQL reads it."""
    text = (
        sql.replace("?", "%s")
        .replace("group_concat(", "string_agg(")
        .replace("instr(", "strpos(")
        .replace(" WITHOUT ROWID", "")
        .replace(" BLOB", " BYTEA")
        .replace("temp.", "pg_temp.")
    )
    if text.startswith("CREATE TEMP TABLE"):
        # Keys compared byte by byte, as the state tables' (a join needs one collation).
        text = text.replace(" TEXT", ' TEXT COLLATE "C"')
    found = _INSERT_INTO.match(text)
    if found and found.group(1) in SCOPED_COLUMNS:
        # The scoped tables' keys start with the scope (the view's rows have one).
        text = text.replace("ON CONFLICT (", "ON CONFLICT (scope, ")
    return text


def _quote(identifier: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", identifier):
        raise StateError(f"state schema {identifier!r}: not a plain SQL name (letters, _)")
    return f'"{identifier}"'


class PostgresDatabase:
    """One scope of a PostgreSQL state (see ``Database`` in ``_state_schema``).

    Args:
        url: ``postgresql://user[:password]@host[:port]/database`` (libpq parameters in
            the query string are passed on).
        account: the account's reference (the CLI: a one-way id of the API key).
        program: the loyalty program's name.
        schema: the PostgreSQL schema holding the state tables.
        read_only: history while a sync runs: no lock, nothing created.
        lock_timeout: seconds to wait for another run's lock (0: refuse at once).

    Raises:
        StateBusyError: another run holds this scope (past ``lock_timeout``).
        StateError: the server can't be reached, or the schema is not one this reads.
    """

    def __init__(
        self,
        url: str,
        *,
        account: str,
        program: str,
        schema: str = DEFAULT_SCHEMA,
        read_only: bool = False,
        lock_timeout: float = 0,
    ) -> None:
        self._secrets = url_secrets(url)
        #: The URL without its password (the URL itself is not kept).
        self.safe_url = _redacted(url)
        self.schema = _quote(schema)
        self.name = f"{self.safe_url} (account {account}, program {program})"
        self.lock_key = lock_key(schema, account, program)
        self._locked = False
        try:
            import psycopg
        except ImportError:
            raise StateError(
                "a PostgreSQL state needs psycopg: pip install 'tajo-brevo[sql]'"
            ) from None
        self._psycopg = psycopg
        dsn = re.sub(r"^postgres(ql)?(\+psycopg)?://", "postgresql://", url, flags=re.I)
        try:
            self.conn: Any = psycopg.connect(
                dsn,
                autocommit=True,
                # Every statement planned with its values: a generic plan of a key IN
                # (500 values) compares each row with the list, one by one.
                prepare_threshold=None,
                application_name=f"tajo-brevo sync pid {os.getpid()} on {socket.gethostname()}",
            )
        except psycopg.Error as exc:
            raise self._error(exc, f"{self.safe_url}: cannot open the state") from None
        try:
            with self._errors():
                if not read_only:
                    self._lock(lock_timeout)
                self.scope = self._open_schema(account, program, read_only=read_only)
                self._views()
                self._session(read_only=read_only)
        except BaseException:
            self.close()
            raise

    def _error(self, exc: Exception, what: str) -> StateError:
        """A database error as the sync's: unavailable (the server down, the connection
        lost: try again later) or not (refused, or a fault), with no password in it."""
        code = getattr(exc, "sqlstate", None)
        text = f"{what}: {self._clean(exc)}"
        lost = isinstance(exc, self._psycopg.OperationalError) and (
            code is None or code.startswith(("08", "57P"))
        )
        if lost and code is None and "FATAL:" in text:
            # The server answered the connection and refused it (no such database or
            # user, a wrong password): not a matter of time, unless it is busy.
            lost = any(busy in text for busy in _BUSY_SERVER)
        return StateUnavailableError(text) if lost else StateError(text)

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        """The database's errors of a block as the sync's (see :meth:`_error`)."""
        try:
            yield
        except self._psycopg.Error as exc:
            raise self._error(exc, self.name) from None

    def _clean(self, exc: BaseException) -> str:
        """An error's first line, with the URL's secrets (if any) hidden."""
        text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return hide_secrets(text, self._secrets)

    # -- opening ----------------------------------------------------------------------

    def _lock(self, timeout: float) -> None:
        def try_lock() -> bool:
            got = self.conn.execute("SELECT pg_try_advisory_lock(%s)", (self.lock_key,))
            return bool(got.fetchone()[0])

        if not poll_lock(try_lock, timeout):
            raise busy_error(self.name, self._holder())
        self._locked = True

    def _holder(self) -> str | None:
        """Who holds this scope's lock: the holder's application name and since when."""
        high, low = (self.lock_key >> 32) & 0xFFFFFFFF, self.lock_key & 0xFFFFFFFF
        found = self.conn.execute(
            "SELECT a.application_name, a.pid, a.backend_start FROM pg_locks l "
            "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' "
            "AND l.granted AND l.classid = %s AND l.objid = %s AND l.objsubid = 1",
            (high, low),
        ).fetchone()
        if found is None:
            return None
        name, pid, since = found
        started = since.isoformat(timespec="seconds") if since else "?"
        return f"{name or 'a client'}, server backend {pid}, connected since {started}"

    def _open_schema(self, account: str, program: str, *, read_only: bool) -> int:
        """Create the schema if missing (one transaction), check its version, and return
        the scope's id (created unless read-only; 0 when there is none yet)."""
        schema = self.schema
        exists = self.conn.execute(
            "SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = 'info'",
            (schema.strip('"'),),
        ).fetchone()
        if exists is None and not read_only:
            with self.conn.transaction():
                self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (_CREATE_LOCK,))
                again = self.conn.execute(
                    "SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = 'info'",
                    (schema.strip('"'),),
                ).fetchone()
                if again is None:
                    self.conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
                    for statement in postgres_schema(schema):
                        self.conn.execute(statement)
                    self.conn.execute(
                        f"INSERT INTO {schema}.info VALUES ('application', %s), "
                        "('schema_version', %s)",
                        (APPLICATION, str(SCHEMA_VERSION)),
                    )
        elif exists is None:
            raise StateError(f"{self.name}: no tajo-brevo state in this database yet")
        info = dict(self.conn.execute(f"SELECT key, value FROM {schema}.info").fetchall())
        if info.get("application") != APPLICATION:
            raise StateError(f"{self.name}: the schema {schema} is not a tajo-brevo sync state")
        version = int(info.get("schema_version", "0"))
        check_schema_version(self.name, version)
        # Schema 3 is PostgreSQL's first: no migration yet (SQLite's start at 1). Until
        # one exists, an older schema (a version bumped for SQLite alone) is refused, not
        # written as if it were current (the history reads it: runs are the same).
        if version < SCHEMA_VERSION and not read_only:
            raise StateError(
                f"{self.name}: state schema {version}, and this version has no migration of "
                f"a PostgreSQL state to schema {SCHEMA_VERSION}"
            )
        if not read_only:
            self.conn.execute(
                f"INSERT INTO {schema}.scopes (account, program, created) VALUES (%s, %s, %s) "
                "ON CONFLICT (account, program) DO NOTHING",
                (account, program, utc_now()),
            )
        found = self.conn.execute(
            f"SELECT id FROM {schema}.scopes WHERE account = %s AND program = %s",
            (account, program),
        ).fetchone()
        return int(found[0]) if found else 0

    def _session(self, *, read_only: bool) -> None:
        """This connection's settings: the state's rows are few per run and read again and
        again (cached), so an index probe costs little more than a sequential read."""
        self.conn.execute("SET random_page_cost = 1.1")
        # A machine that vanishes (power cut, network gone) closes no socket: the server
        # probes an idle connection after 60 s and drops it (with the lock) about a
        # minute later, where the system's default waits two hours.
        for name, seconds in (("idle", 60), ("interval", 10), ("count", 6)):
            self.conn.execute(f"SET tcp_keepalives_{name} = {seconds}")
        # Statistics of the contacts older than the rows written since (a first sync of a
        # large scope, before autovacuum came by): the planner would scan the scope for
        # every block of keys. Brought up to date here, before this run reads.
        stale = self.conn.execute(
            "SELECT n_mod_since_analyze > 1000 + n_live_tup / 5 FROM pg_stat_user_tables "
            "WHERE schemaname = %s AND relname = 'contacts'",
            (self.schema.strip('"'),),
        ).fetchone()
        if stale and stale[0] and not read_only:
            self.conn.execute(f"ANALYZE {self.schema}.contacts")

    def _views(self) -> None:
        """This scope's rows of each table, under the table's SQLite name (temporary
        views, so they shadow nothing in the database and vanish with the session)."""
        for table, columns in SCOPED_COLUMNS.items():
            self.conn.execute(f"DROP VIEW IF EXISTS pg_temp.{table}")
            self.conn.execute(
                f"CREATE TEMP VIEW {table} AS SELECT {', '.join(columns)}, scope "
                f"FROM {self.schema}.{table} WHERE scope = {self.scope}"
            )
            self.conn.execute(
                f"ALTER VIEW pg_temp.{table} ALTER COLUMN scope SET DEFAULT {self.scope}"
            )

    # -- the Database interface ---------------------------------------------------------

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement (the shared SQL, rewritten for PostgreSQL)."""
        with self._errors():
            return self.conn.execute(_portable(sql), params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement per row (pipelined: one round trip for many rows)."""
        with self._errors(), self.conn.cursor() as cursor:
            cursor.executemany(_portable(sql), rows)

    def copy(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Add rows to a table with COPY (one stream, no statement per row)."""
        with (
            self._errors(),
            self.conn.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as stream,
        ):
            for row in rows:
                stream.write_row(row)

    def merge(self, kind: str, rows: Sequence[Sequence[Any]]) -> bool:
        """Upsert ``rows`` as the statement per row of ``kind`` would, in order: COPY into
        a staging table (this session's), then one statement (the last row of a key wins,
        as it would one row after the other)."""
        if len(rows) < _MERGE_FROM:
            return False
        columns, merged = _MERGES[kind]
        with self._errors():
            self.conn.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {kind}_new (ord BIGINT, "
                + ", ".join(f'{c} TEXT COLLATE "C"' for c in columns)
                + ")"
            )
            self.conn.execute(f"TRUNCATE {kind}_new")
            self.copy(f"{kind}_new", ("ord", *columns), ((n, *r) for n, r in enumerate(rows)))
            self.conn.execute(merged)
        return True

    def analyze(self, *tables: str) -> None:
        """Statistics of this session's scratch tables (never analyzed by autovacuum):
        without them a lookup of 900 keys may scan the whole table."""
        with self._errors():
            for table in tables:
                self.conn.execute(f"ANALYZE pg_temp.{table}")

    def rows(self, sql: str, params: Sequence[Any] = (), *, snapshot: bool = False) -> Any:
        """A query's rows from a server-side cursor, fetched a few thousand at a time
        (WITH HOLD: the result is kept by the server, the caller may write meanwhile)."""
        name = f"tajo_rows_{next(_CURSORS)}"
        with self._errors(), self.conn.cursor(name=name, withhold=True) as cursor:
            cursor.itersize = _FETCH
            cursor.execute(_portable(sql), params)
            yield from cursor

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Any]:
        """One atomic write: committed whole, or rolled back."""
        with self._errors(), self.conn.transaction():
            yield self.conn

    def close(self) -> None:
        """Close the connection (which releases the lock)."""
        conn = getattr(self, "conn", None)
        if conn is None or conn.closed:
            return
        if self._locked:
            # Now, not when the server notices the connection closed (a moment later).
            with contextlib.suppress(self._psycopg.Error):
                conn.execute("SELECT pg_advisory_unlock(%s)", (self.lock_key,))
            self._locked = False
        conn.close()


#: What a server that refuses a connection for now says (starting, stopping, full).
_BUSY_SERVER = ("starting up", "shutting down", "in recovery", "too many clients")
#: Rows from which :meth:`PostgresDatabase.merge` stages them (fewer: a statement each).
_MERGE_FROM = 200
#: kind -> (the columns of its rows, the statement merging them from ``<kind>_new``).
_MERGES: dict[str, tuple[tuple[str, ...], str]] = {
    "seen": (
        ("key", "idx", "lines"),
        "INSERT INTO seen SELECT key, (array_agg(idx ORDER BY ord DESC))[1]::integer, "
        "string_agg(lines, ',' ORDER BY ord) FROM seen_new GROUP BY key "
        "ON CONFLICT (key) DO UPDATE SET idx = excluded.idx, "
        "lines = seen.lines || ',' || excluded.lines",
    ),
    "seen_ids": (
        ("id", "key", "lines"),
        "INSERT INTO seen_ids SELECT id, (array_agg(key ORDER BY ord DESC))[1], "
        "string_agg(lines, ',' ORDER BY ord) FROM seen_ids_new GROUP BY id "
        "ON CONFLICT (id) DO UPDATE SET key = excluded.key, "
        "lines = seen_ids.lines || ',' || excluded.lines",
    ),
    "loyalty_ids": (
        ("id", "key"),
        "INSERT INTO loyalty_ids (id, key) SELECT id, (array_agg(key ORDER BY ord DESC))[1] "
        "FROM loyalty_ids_new GROUP BY id "
        "ON CONFLICT (scope, id) DO UPDATE SET key = excluded.key",
    ),
}


def _redacted(url: str) -> str:
    try:
        return redact_url(url)
    except SourceError:  # not parsed: say nothing of it
        return "postgresql://***"
    except ImportError:  # no SQLAlchemy (the sql extra): the message says to install it
        return hide_secrets(url, url_secrets(url))
