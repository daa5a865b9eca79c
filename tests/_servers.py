"""Throwaway PostgreSQL, MariaDB and Redis servers on loopback, for tests and benchmarks.

Each server runs in a temporary directory on a free 127.0.0.1 port, is ready when the
function returns, and stops (SIGTERM, then SIGKILL) when its context ends; if the test
process dies first, the kernel sends the server SIGTERM (``PR_SET_PDEATHSIG``), so nothing
outlives the run. PostgreSQL comes from Debian's binaries (``/usr/lib/postgresql/*/bin``),
run as the ``postgres`` user when we are root (it refuses to run as root). Redis is
``redis-server`` and MariaDB (a MySQL server) is ``mariadbd``; when one is missing and we
are root it is installed with apt-get.
"""

from __future__ import annotations

import contextlib
import ctypes
import glob
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

#: Seconds a server has to accept connections.
START_TIMEOUT = 30.0
#: Seconds a server has to exit after SIGTERM before it is killed.
STOP_TIMEOUT = 10.0
_PR_SET_PDEATHSIG = 1


class Unavailable(RuntimeError):
    """The server can't be started here (the reason says why): tests skip."""


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the process that started it dies."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _as_postgres(argv: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root: through runuser as the postgres user then.
    return ["runuser", "-u", "postgres", "--", *argv] if os.getuid() == 0 else argv


def _wait(ready: Callable[[], bool], process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode} while starting")
        if ready():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not accept connections within {START_TIMEOUT:.0f} s")


def _stop(process: subprocess.Popen[bytes], pid: int | None = None) -> None:
    """SIGTERM (to ``pid`` when the server runs under runuser), then SIGKILL if needed."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid or process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            if pid:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)


def _initialise(argv: list[str], what: str) -> None:
    """Run a server's one-off set-up (initdb...); Unavailable, with its last words, if it fails."""
    done = subprocess.run(argv, capture_output=True, timeout=120, check=False)
    if done.returncode != 0:
        raise Unavailable(f"{what} failed: {done.stderr.decode(errors='replace')[-500:]}")


@contextlib.contextmanager
def _serving(
    argv: list[str],
    ready: Callable[[], bool],
    what: str,
    *,
    output: IO[bytes] | int = subprocess.DEVNULL,
    pid: Callable[[], int | None] = lambda: None,
) -> Iterator[None]:
    """Start a server (``argv``), wait until ``ready()``, and stop it when the block ends;
    it dies with this process. ``output`` takes its stdout and stderr; ``pid()`` gives the
    pid to signal when ``argv`` runs it under another process (runuser)."""
    process = subprocess.Popen(
        argv, stdout=output, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent
    )
    try:
        _wait(ready, process, what)
        yield
    finally:
        _stop(process, pid())


@dataclass(frozen=True)
class Postgres:
    """A running server: ``url(database)`` is a SQLAlchemy URL (psycopg 3)."""

    port: int
    user: str = "postgres"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def dsn(self, database: str = "postgres") -> str:
        """A libpq connection string (for psycopg directly)."""
        return f"host=127.0.0.1 port={self.port} user={self.user} dbname={database}"

    def create_database(self, name: str) -> str:
        """Create an empty database; returns its SQLAlchemy URL."""
        import psycopg

        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def text_of(self, database: str, schema: str) -> str:
        """Every text and bytea value in a schema's tables, as one text (to search for a
        secret that must not be stored)."""
        import psycopg

        with psycopg.connect(self.dsn(database)) as conn:
            columns = conn.execute(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = %s AND data_type IN ('text', 'bytea')",
                (schema,),
            ).fetchall()
            values = [
                repr(value)
                for table, column in columns
                for (value,) in conn.execute(f'SELECT "{column}" FROM "{schema}"."{table}"')
            ]
        assert columns and values, f"no rows in the schema {schema}"
        return "\n".join(values)


def postgres_bin() -> Path:
    """The newest Debian PostgreSQL bin directory.

    Raises:
        Unavailable: no PostgreSQL server binaries are installed.
    """
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parent.parent.name.split(".")[0] or 0),
    )
    if not found:
        raise Unavailable("no PostgreSQL server (apt-get install postgresql)")
    return Path(found[-1]).parent


@contextlib.contextmanager
def postgres_server() -> Iterator[Postgres]:
    """Start a PostgreSQL cluster of its own (trust auth on loopback, no fsync).

    Raises:
        Unavailable: PostgreSQL is not installed or we can't run it.
    """
    bindir = postgres_bin()
    if os.getuid() == 0 and shutil.which("runuser") is None:
        raise Unavailable("running as root without runuser: can't start PostgreSQL")
    with tempfile.TemporaryDirectory(prefix="tajo-pg-") as tmp:
        os.chmod(tmp, 0o777)  # the postgres user writes the cluster and its socket here
        data = os.path.join(tmp, "data")
        _initialise(
            _as_postgres(
                [
                    str(bindir / "initdb"),
                    "-D",
                    data,
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                    "--locale=C",
                ]
            ),
            "initdb",
        )
        port = free_port()
        argv = _as_postgres(
            [
                str(bindir / "postgres"),
                "-D",
                data,
                "-p",
                str(port),
                "-k",
                tmp,
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ]
        )
        server = Postgres(port)

        def ready() -> bool:
            import psycopg

            try:
                psycopg.connect(server.dsn(), connect_timeout=2).close()
            except psycopg.Error:
                return False
            return True

        def pid() -> int | None:
            # The postmaster's own pid (under runuser, the process started is runuser).
            with contextlib.suppress(OSError, ValueError):
                return int(Path(data, "postmaster.pid").read_text().split()[0])
            return None

        with (
            open(os.path.join(tmp, "postgres.log"), "wb") as log,
            _serving(argv, ready, "postgres", output=log, pid=pid),
        ):
            yield server


@dataclass(frozen=True)
class Redis:
    """A running server: ``url`` is a ``redis://`` URL (database 0)."""

    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


def installed(binary: str, package: str) -> str:
    """The path of ``binary``; installs Debian's ``package`` when missing and we are root.

    Raises:
        Unavailable: not installed and can't be installed here.
    """
    found = shutil.which(binary) or shutil.which(binary, path="/usr/sbin:/usr/bin")
    if found:
        return found
    if os.getuid() != 0:
        raise Unavailable(f"{binary} is not installed (apt-get install {package})")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for argv in (["apt-get", "update"], ["apt-get", "install", "-y", package]):
        done = subprocess.run(argv, capture_output=True, timeout=600, env=env, check=False)
        if done.returncode != 0:
            raise Unavailable(f"{' '.join(argv)} failed: {done.stderr.decode()[-300:]}")
    found = shutil.which(binary) or shutil.which(binary, path="/usr/sbin:/usr/bin")
    if not found:
        raise Unavailable(f"apt-get installed {package} but {binary} is not on PATH")
    return found


@contextlib.contextmanager
def redis_server() -> Iterator[Redis]:
    """Start a Redis server of its own: no persistence, loopback only.

    Raises:
        Unavailable: redis-server is missing and can't be installed.
    """
    binary = installed("redis-server", "redis-server")
    with tempfile.TemporaryDirectory(prefix="tajo-redis-") as tmp:
        port = free_port()
        argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        argv += ["--appendonly", "no", "--dir", tmp, "--daemonize", "no"]

        def ready() -> bool:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    return sock.recv(64).startswith(b"+PONG")
            except OSError:
                return False

        with _serving(argv, ready, "redis-server"):
            yield Redis(port)


@dataclass(frozen=True)
class MariaDB:
    """A running MariaDB server: ``url(database)`` is a SQLAlchemy URL (PyMySQL)."""

    port: int

    def url(self, database: str) -> str:
        return f"mysql+pymysql://root@127.0.0.1:{self.port}/{database}?charset=utf8mb4"

    def create_database(self, name: str) -> str:
        """Create an empty database (utf8mb4); returns its SQLAlchemy URL."""
        import pymysql

        with (
            contextlib.closing(
                pymysql.connect(host="127.0.0.1", port=self.port, user="root")
            ) as conn,
            conn.cursor() as cursor,
        ):
            cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        return self.url(name)


@contextlib.contextmanager
def mariadb_server() -> Iterator[MariaDB]:
    """Start a MariaDB server of its own (MySQL's protocol): loopback only, no binary log.

    Raises:
        Unavailable: MariaDB is missing and can't be installed.
    """
    server_binary = installed("mariadbd", "mariadb-server")
    install_db = installed("mariadb-install-db", "mariadb-server")
    with tempfile.TemporaryDirectory(prefix="tajo-mariadb-") as tmp:
        data = os.path.join(tmp, "data")
        # As root, mariadbd must be told to stay root (``--user``); otherwise it runs as
        # whoever starts it. Root logs in without a password over loopback (the
        # throwaway server's only user).
        as_root = ["--user=root"] if os.getuid() == 0 else []
        _initialise(
            [
                install_db,
                "--no-defaults",
                f"--datadir={data}",
                *as_root,
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
            ],
            "mariadb-install-db",
        )
        port = free_port()
        argv = [
            server_binary,
            "--no-defaults",
            f"--datadir={data}",
            *as_root,
            "--bind-address=127.0.0.1",
            f"--port={port}",
            f"--socket={tmp}/mariadb.sock",
            f"--pid-file={tmp}/mariadb.pid",
            f"--log-error={tmp}/mariadb.err",
            "--skip-log-bin",
            "--innodb-buffer-pool-size=16M",
            "--innodb-flush-log-at-trx-commit=0",
        ]

        def ready() -> bool:
            import pymysql

            try:
                pymysql.connect(host="127.0.0.1", port=port, user="root", connect_timeout=2).close()
            except pymysql.MySQLError:
                return False
            return True

        with _serving(argv, ready, "mariadbd"):
            yield MariaDB(port)


@dataclass(frozen=True)
class MockProcess:
    """A ``tajo-brevo mock`` serving one account in its own process."""

    base_url: str
    api_key: str
    pid: int


@contextlib.contextmanager
def mock_processes(
    keys: list[str], *, rate_limit: int | None = None, options: tuple[str, ...] = ()
) -> Iterator[list[MockProcess]]:
    """One ``tajo-brevo mock`` per key, each on a free loopback port in its own process
    (started together, then waited for), stopped at the end. ``options``: more arguments
    of ``tajo-brevo mock`` (``--import-delay 1.5``)."""
    script = Path(sys.executable).with_name("tajo-brevo")
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for key in keys:
            argv = [str(script), "mock", "--port", "0", "--api-key", key, "--log-level", "warning"]
            if rate_limit is not None:
                argv += ["--rate-limit", str(rate_limit)]
            argv += options
            processes.append(
                subprocess.Popen(
                    argv,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    preexec_fn=_die_with_parent,
                )
            )
        # They start together on a machine of few cores: each has its share of the time.
        deadline = time.monotonic() + START_TIMEOUT + 4 * len(keys)
        yield [
            MockProcess(_base_url(process, deadline), key, process.pid)
            for key, process in zip(keys, processes, strict=True)
        ]
    finally:
        for process in processes:
            _stop(process)
            if process.stdout is not None:
                process.stdout.close()


def _base_url(process: subprocess.Popen[bytes], deadline: float) -> str:
    """The base URL a starting mock prints."""
    assert process.stdout is not None
    while True:
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError("tajo-brevo mock did not start")
        if ready:
            line = process.stdout.readline().decode()
            if "base URL" in line:
                return line.split("base URL", 1)[1].strip()


@contextlib.contextmanager
def mock_accounts(keys: list[str], *, rate_limit: int | None = None) -> Iterator[list[MockProcess]]:
    """One ``tajo-brevo mock`` process serving one account per key (``--account``), each
    with its own data and rate-limit budget, on a free loopback port, stopped at the end."""
    script = Path(sys.executable).with_name("tajo-brevo")
    argv = [str(script), "mock", "--port", "0", "--log-level", "warning"]
    for key in keys:
        argv += ["--account", key]
    if rate_limit is not None:
        argv += ["--rate-limit", str(rate_limit)]
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent
    )
    try:
        base_url = _base_url(process, time.monotonic() + START_TIMEOUT)
        yield [MockProcess(base_url, key, process.pid) for key in keys]
    finally:
        _stop(process)
        if process.stdout is not None:
            process.stdout.close()


@contextlib.contextmanager
def celery_workers(
    count: int,
    *,
    app_dir: Path,
    env: dict[str, str],
    logs: Path,
    name: str,
    options: tuple[str, ...] = (),
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``count`` Celery workers of the app ``fleet_app`` in ``app_dir`` (``--pool=prefork
    -c 1`` each, named ``{name}{n}@%h``), each in its own process group, logging to
    ``logs/worker{n}.log``. On exit: SIGTERM (a warm shutdown stops its pool), then
    SIGKILL to the group of any still running after ``STOP_TIMEOUT``.
    """
    started: list[subprocess.Popen[bytes]] = []
    try:
        for n in range(count):
            with (logs / f"worker{n}.log").open("wb") as log:  # the child keeps its own fd
                started.append(
                    subprocess.Popen(
                        [
                            sys.executable,
                            "-m",
                            "celery",
                            "-A",
                            "fleet_app",
                            "worker",
                            "--pool=prefork",
                            "-c",
                            "1",
                            "-n",
                            f"{name}{n}@%h",
                            "--without-gossip",
                            "--without-mingle",
                            *options,
                        ],
                        cwd=app_dir,
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,  # its own group: killpg ends it and its child
                    )
                )
        yield started
    finally:
        for process in started:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=STOP_TIMEOUT)
