"""pytest plugin (entry point ``pytest11``): the ``brevo_mock`` fixture.

Installed with ``tajo-brevo[mock]``, so a service's own tests get a fresh mock per test
without any conftest. Nothing heavy is imported until the fixture is used, so the plugin
does not break pytest where the ``mock`` extra is missing.
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
    from tajo_brevo.mock import BrevoMock

    yield BrevoMock()
