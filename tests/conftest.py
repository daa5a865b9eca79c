from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _scenario_support import Driver
from tajo_brevo.mock import BrevoMock

ROOT = Path(__file__).resolve().parents[1]


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
