"""A SQL query as a sync source: any SQLAlchemy URL, rows streamed from the server.

The query's column names are the headers, with the same rules as a file's (Brevo
attribute names or profile field names, in any case, renamed by a mapping first; a NULL
or empty value clears that attribute). Every value becomes the text a CSV cell would hold
(numbers as digits, dates ISO, booleans ``true``/``false``, arrays in the array text
form), so a row from the database and the same row from a file are one row to the sync.

Rows are read through a server-side cursor (``stream_results``, ``yield_per``): memory
stays flat however many rows the query returns. A sync reads its source twice (once for
duplicate emails, once to plan): inside :meth:`SqlSource.snapshot` (``sync_customers``
opens one for each run) both reads run on one connection, in one REPEATABLE READ
transaction on PostgreSQL and MySQL, so they see the same rows even while the database
changes; the next run sees the changes.

The URL's password (and any query parameter that looks like a secret) never appears in
:attr:`SqlSource.name`, in errors, in the state or in the history.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import decimal
import hashlib
import os
import re
import urllib.parse
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..attributes import encode_array
from ..errors import SourceError, SourceUnavailableError
from ._source import Raw, resolve_columns

__all__ = ["SqlSource", "hide_secrets", "redact_url", "url_secrets"]

#: Rows fetched from the server per round trip.
DEFAULT_BATCH_ROWS = 5000
#: Query parameters of a URL whose values are secrets (hidden like the password).
_SECRET_PARAM = re.compile(r"pass|secret|token|key|cred", re.IGNORECASE)
#: Dialects whose reads share one REPEATABLE READ snapshot.
_SNAPSHOT_DIALECTS = ("postgresql", "mysql", "mariadb")


def redact_url(url: Any) -> str:
    """A database URL as text, with its password and secret-looking parameters as ``***``.

    Args:
        url: a ``sqlalchemy.URL`` or a URL string.

    Raises:
        SourceError: the text is not a database URL (the message does not repeat it).
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError, TypeError):
        raise SourceError(
            "source URL: not a database URL (expected dialect[+driver]://user:password@host"
            "/database, e.g. postgresql://app@db/loyalty or sqlite:///customers.db)"
        ) from None
    hidden = {
        name: ("***" if _SECRET_PARAM.search(name) else value)
        for name, value in parsed.query.items()
    }
    text: str = parsed.set(query=hidden).render_as_string(hide_password=True)
    return text


def url_secrets(url: Any) -> tuple[str, ...]:
    """The secrets a database URL carries: its password and the values of its
    secret-looking query parameters, each as written and as decoded (a driver's message
    may echo either). Parsed by hand, so a URL no parser accepts still gives them.
    """
    if not isinstance(url, str):  # a sqlalchemy.URL
        url = url.render_as_string(hide_password=False)
    rest = url.split("://", 1)[-1]
    netloc, _, query = rest.partition("?")
    netloc = netloc.split("/", 1)[0]
    found: list[str] = []
    userinfo, at, _ = netloc.rpartition("@")
    if at and ":" in userinfo:
        found.append(userinfo.split(":", 1)[1])
    for pair in query.split("#", 1)[0].split("&"):
        name, equals, value = pair.partition("=")
        if equals and _SECRET_PARAM.search(urllib.parse.unquote(name)):
            found.append(value)
    both = {form for value in found for form in (value, urllib.parse.unquote(value))}
    # Longest first: a secret that contains another is hidden whole.
    return tuple(sorted((s for s in both if s), key=len, reverse=True))


def hide_secrets(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each of ``secrets`` (see :func:`url_secrets`) as ``***``."""
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def _decimal(value: decimal.Decimal) -> str:
    return format(value, "f")


def _array(value: list[Any] | tuple[Any, ...]) -> str:
    items = (str(item).strip() for item in value if item is not None)
    return encode_array(item for item in items if item)


def _boolean(value: bool) -> str:
    return "true" if value else "false"


#: The converters of the usual column types, by exact type (no isinstance chain).
_BY_TYPE: dict[type, Callable[[Any], str]] = {
    int: str,
    float: repr,
    bool: _boolean,
    decimal.Decimal: _decimal,
    dt.date: dt.date.isoformat,
    dt.datetime: dt.datetime.isoformat,
    list: _array,
    tuple: _array,
}


def _cell(value: object) -> str:
    """A database value as the text a CSV cell would hold ('' for NULL: clears)."""
    convert = _BY_TYPE.get(type(value))
    if convert is not None:
        return convert(value)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):  # datetime too: the date part is what a date attribute keeps
        return value.isoformat()
    if isinstance(value, list | tuple):
        items = (str(item).strip() for item in value if item is not None)
        return encode_array(item for item in items if item)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


#: MySQL/MariaDB errors that refuse a URL: no access to the database (1044), wrong user or
#: password (1045), no such database (1049), the user's login refused (1698).
_MYSQL_REFUSALS = frozenset({1044, 1045, 1049, 1698})
#: What libpq says when PostgreSQL refuses the URL (it gives no SQLSTATE while connecting):
#: wrong password, no such user or database, no pg_hba.conf entry, a password needed.
_POSTGRES_REFUSALS = (
    "password authentication failed",
    "does not exist",
    "no pg_hba.conf entry",
    "password is required",
)


def refused_by_the_database(exc: BaseException) -> bool:
    """True when a failed connection is the database refusing the URL (credentials,
    user or database name): a configuration error, not a database that is down."""
    inner = getattr(exc, "orig", None) or exc
    code = inner.args[0] if inner.args else None
    if isinstance(code, int) and code in _MYSQL_REFUSALS:
        return True
    text = str(inner)
    return any(refusal in text for refusal in _POSTGRES_REFUSALS)


class _Session:
    """The source's engine and the snapshot's connection, if one is open."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.connection: Any = None

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()  # rolls back the read-only transaction
            finally:
                self.connection = None
        self.engine.dispose()


class SqlSource:
    """Rows of a SQL query, for ``sync_customers`` and ``tajo-brevo sync --source-url``.

    Args:
        url: a SQLAlchemy URL (``postgresql://`` uses psycopg 3, ``mysql+pymysql://``,
            ``sqlite:///path``, ...). Its password is never shown.
        query: one SELECT; its column names are the headers (alias them: ``AS EMAIL``).
        mapping: column -> Brevo name, as ``--mapping``.
        params: bound parameters of the query (``:name`` in the text).
        batch_rows: rows fetched per round trip.

    Use it as a context manager (or call :meth:`close`) to release its engine. Creating it
    runs the query once to learn its columns, so a bad URL or query is refused before
    anything is sent to Brevo.

    Raises:
        SourceError: the extra is missing, the URL or query is refused, the database is
            unreachable, or a column is unknown; one line, without the password.
    """

    def __init__(
        self,
        url: Any,
        query: str,
        *,
        mapping: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        batch_rows: int = DEFAULT_BATCH_ROWS,
    ) -> None:
        try:
            import sqlalchemy
        except ImportError:
            raise SourceError(
                "SQL sources need the sql extra: pip install 'tajo-brevo[sql]'"
            ) from None
        safe = redact_url(url)
        parsed = sqlalchemy.engine.make_url(url)
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3, the sql extra
        self._secrets = url_secrets(url)
        self.url = safe
        self.query = query
        self.params: dict[str, Any] = dict(params or {})
        self.batch_rows = batch_rows
        digest = hashlib.sha256(query.strip().encode()).hexdigest()[:12]
        #: What the history records: the URL without its password, and the query's hash.
        self.name = f"{safe} query {digest}"
        self.mapping: dict[str, str] = {
            k.strip().casefold(): v.strip() for k, v in (mapping or {}).items()
        }
        if not query.strip():
            raise SourceError(f"{safe}: the query is empty")
        try:
            engine = sqlalchemy.create_engine(parsed, poolclass=sqlalchemy.pool.NullPool)
        except Exception as exc:  # no such dialect, no driver installed, bad arguments
            raise SourceError(f"{safe}: {self._one_line(exc)}") from None
        self._session = _Session(engine)
        self._finalizer = weakref.finalize(self, self._session.close)
        self._snapshot = parsed.get_backend_name() in _SNAPSHOT_DIALECTS
        try:
            connection = self._connect()
            try:
                with self._execute(connection) as result:
                    self.headers: list[str] = [str(k) for k in result.keys()]  # noqa: SIM118
            finally:
                connection.close()
            self.columns: dict[str, str] = resolve_columns(self.headers, self.mapping, self.url)
        except BaseException:
            self.close()
            raise

    # -- reading ----------------------------------------------------------------------

    def _one_line(self, exc: BaseException) -> str:
        """The database's own message (first line), never the password."""
        inner = getattr(exc, "orig", None) or exc
        lines = [line.strip() for line in str(inner).splitlines() if line.strip()]
        text = lines[0] if lines else type(inner).__name__
        return hide_secrets(text, self._secrets)

    def _connect(self) -> Any:
        try:
            connection = self._session.engine.connect()
            if self._snapshot:
                connection = connection.execution_options(isolation_level="REPEATABLE READ")
            if connection.dialect.name == "postgresql":
                # The two reads of a run must give the rows in the same order: no scan
                # joining another one mid-table, no parallel workers interleaving rows
                # (a query without a unique ORDER BY is then stable within the snapshot).
                connection.exec_driver_sql("SET synchronize_seqscans = off")
                connection.exec_driver_sql("SET max_parallel_workers_per_gather = 0")
        except Exception as exc:
            if refused_by_the_database(exc):
                # The URL itself is wrong: trying again later would be refused again.
                raise SourceError(
                    f"{self.url}: the database refused the connection: {self._one_line(exc)}"
                ) from None
            raise SourceUnavailableError(
                f"{self.url}: cannot connect: {self._one_line(exc)}"
            ) from None
        return connection

    def _execute(self, connection: Any) -> Any:
        from sqlalchemy import text

        try:
            return connection.execution_options(
                stream_results=True, yield_per=self.batch_rows
            ).execute(text(self.query), self.params)
        except Exception as exc:
            raise SourceError(f"{self.url}: the query failed: {self._one_line(exc)}") from None

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[SqlSource]:
        """Every read inside sees the same rows: one connection, one transaction.

        ``sync_customers`` opens one per run; open it yourself to cover more (the CLI
        also writes the failures file from it). Nested calls share the outer snapshot.
        """
        session = self._session
        if session.connection is not None:
            yield self
            return
        session.connection = self._connect()
        try:
            yield self
        finally:
            connection, session.connection = session.connection, None
            connection.close()  # rolls the read-only transaction back

    def rows(self) -> Iterator[Raw]:
        """Every row of the query, streamed (same order as the query gives them).

        Raises:
            SourceError: the query or the connection failed while reading.
        """
        headers = self.headers
        width = len(headers)
        for index, values in enumerate(self._results()):
            # Text (the usual cell) as it is, NULL as '' (clears), the rest converted.
            cells = [v if type(v) is str else "" if v is None else _cell(v) for v in values]
            text = "\0".join(cells)
            # As a CSV row: the cells joined by NUL is the row's text, unless a cell holds
            # a NUL (then no text: the row is validated every run).
            yield Raw(
                index,
                dict(zip(headers, cells, strict=True)),
                text if text.count("\0") == width - 1 else None,
            )

    def columns_of(self, headers: tuple[str, ...]) -> Iterator[tuple[int, tuple[str, ...]]]:
        """``(index, cells)`` of some columns for every row :meth:`rows` yields, numbered
        the same: what a pass over emails and ids needs, without converting the rest.

        Raises:
            SourceError: no such column, or the query failed while reading.
        """
        missing = [h for h in headers if h not in self.headers]
        if missing:
            raise SourceError(f"{self.url}: no column {missing[0]!r} in the query")
        positions = [self.headers.index(h) for h in headers]
        for index, values in enumerate(self._results()):
            picked = [values[p] for p in positions]
            yield (
                index,
                tuple(v if type(v) is str else "" if v is None else _cell(v) for v in picked),
            )

    def _results(self) -> Iterator[Any]:
        """The query's rows as the driver gives them, on the snapshot's connection if one
        is open (else on a connection of their own, closed at the end)."""
        shared = self._session.connection
        connection = shared if shared is not None else self._connect()
        try:
            result = self._execute(connection)
        except BaseException:
            if shared is None:
                connection.close()
            raise
        try:
            yield from result
        except SourceError:
            raise
        except Exception as exc:
            if type(exc).__module__.startswith(("sqlalchemy", "psycopg", "pymysql", "sqlite3")):
                raise SourceError(f"{self.url}: reading failed: {self._one_line(exc)}") from None
            raise
        finally:
            result.close()
            if shared is None:
                connection.close()

    def write_failures(self, path: str | os.PathLike[str], rows: Iterable[Raw]) -> None:
        """Write rows as read, CSV under the query's columns (a failures file to fix)."""
        self.write_table(path, self.headers, (raw.as_read(self.headers) for raw in rows))

    def write_table(
        self, path: str | os.PathLike[str], header: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> None:
        """Write records as CSV (a query has no file format of its own to follow)."""
        with Path(path).open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)

    # -- closing ----------------------------------------------------------------------

    def close(self) -> None:
        """Close the snapshot's connection, if open, and the engine."""
        self._finalizer()

    def __enter__(self) -> SqlSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SqlSource({self.name!r})"
