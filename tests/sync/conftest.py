"""Fixtures of the sync's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tajo_brevo import TajoBrevo
from tajo_brevo.mock import BrevoMock


@pytest.fixture
def served(cli_account: tuple[BrevoMock, str]) -> Iterator[TajoBrevo]:
    """A client of the mock that ``cli_account`` serves on loopback (what the CLI talks to)."""
    mock, base_url = cli_account
    with TajoBrevo(api_key=mock.api_key, base_url=base_url, rate_limit=10_000) as c:
        yield c
