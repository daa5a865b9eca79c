from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TypeVar

import _servers
import pytest
from _scenario_support import Driver
from tajo_brevo.mock import BrevoMock

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture
def brevo() -> Iterator[Driver]:
    """A sync-client driver over a fresh in-process mock."""
    driver = Driver("sync", BrevoMock())
    yield driver
    driver.close()


@pytest.fixture(params=["sync", "async"])
def both(request: pytest.FixtureRequest) -> Iterator[Driver]:
    """The same test through TajoBrevo and AsyncTajoBrevo, each over a fresh mock."""
    driver = Driver(request.param, BrevoMock())
    yield driver
    driver.close()


@pytest.fixture
def cli_account(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[BrevoMock, str]]:
    """A served mock, its key and base URL in BREVO_API_KEY / BREVO_BASE_URL (what the
    command line reads); yields the mock and its base URL."""
    mock = BrevoMock()
    with mock.serve() as server:
        monkeypatch.setenv("BREVO_API_KEY", mock.api_key)
        monkeypatch.setenv("BREVO_BASE_URL", server.base_url)
        yield mock, server.base_url


def _started_or_skip(server: AbstractContextManager[T], what: str) -> Iterator[T]:
    """The server of ``server`` while it runs; the test skips if it can't start here."""
    try:
        with server as started:
            yield started
    except _servers.Unavailable as exc:
        pytest.skip(f"{what} unavailable: {exc}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[_servers.Postgres]:
    """One throwaway PostgreSQL server for the whole session (skips if it can't start)."""
    yield from _started_or_skip(_servers.postgres_server(), "PostgreSQL")


_databases = itertools.count(1)


@pytest.fixture
def postgres_url(postgres_server: _servers.Postgres) -> str:
    """A SQLAlchemy URL of a fresh, empty database on the session's PostgreSQL server."""
    return postgres_server.create_database(f"test_{os.getpid()}_{next(_databases)}")


@pytest.fixture(scope="session")
def redis_server() -> Iterator[_servers.Redis]:
    """One throwaway Redis server for the whole session (skips if it can't start)."""
    yield from _started_or_skip(_servers.redis_server(), "Redis")


@pytest.fixture(scope="session")
def mariadb_server() -> Iterator[_servers.MariaDB]:
    """One throwaway MariaDB server (MySQL's protocol) for the session (skips if it can't start)."""
    yield from _started_or_skip(_servers.mariadb_server(), "MariaDB")


@pytest.fixture
def mariadb_url(mariadb_server: _servers.MariaDB) -> str:
    """A SQLAlchemy URL (PyMySQL) of a fresh, empty database on the session's MariaDB."""
    return mariadb_server.create_database(f"test_{os.getpid()}_{next(_databases)}")


@pytest.fixture(params=["sqlite", "postgresql"])
def state_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a sync keeps its state, once per backend: an SQLite file, then a fresh
    PostgreSQL database (``--state postgresql://...``)."""
    if request.param == "sqlite":
        return str(tmp_path / "state.db")
    url: str = request.getfixturevalue("postgres_url")
    return url
