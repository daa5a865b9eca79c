"""pytest plugin (entry point ``pytest11``): the ``brevo_mock`` fixture.

Installed with ``tajo-brevo[mock]``, so a service's own tests get a fresh mock per test
without any conftest. The entry point exists whatever extras are installed, so this module
lives outside ``tajo_brevo.mock`` and imports the mock only when the fixture is used:
pytest keeps working where the ``mock`` extra is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tajo_brevo.mock import BrevoMock


@pytest.fixture
def brevo_mock() -> Iterator[BrevoMock]:
    """A fresh :class:`tajo_brevo.mock.BrevoMock` for one test.

    Use ``brevo_mock.client()`` (httpx, in-process), ``brevo_mock.transport()`` to plug
    into another client, or ``with brevo_mock.serve() as server:`` for a loopback URL.
    """
    try:
        from tajo_brevo.mock import BrevoMock
    except ImportError as exc:
        raise RuntimeError(
            f"the brevo_mock fixture needs the mock extra: pip install 'tajo-brevo[mock]' ({exc})"
        ) from exc
    yield BrevoMock()
