"""A stateful mock of the Brevo Contacts API (``pip install tajo-brevo[mock]``).

All 22 operations of the effective spec (the pinned 18, processes, list members and the
contact export), under ``/v3``, on a Starlette app with the accounts held in memory;
imports and exports are processed in the background and followed through
``/processes``, like production. Every request is validated against the spec (400 with
Brevo's error body), needs an ``api-key`` (401), may be rate limited (429) and may get
injected faults; every response carries the ``x-sib-ratelimit-*`` headers.

Use it in-process::

    from tajo_brevo.mock import BrevoMock

    mock = BrevoMock()
    with mock.client() as http:            # httpx.Client, base URL http://testserver/v3
        http.post("/contacts", json={"email": "ada@example.com"})
    assert mock.state.contact_by_email("ada@example.com") is not None

or on loopback (``with mock.serve() as server: server.base_url``), or from the command
line (``tajo-brevo mock``), or in pytest through the ``brevo_mock`` fixture.
"""

from __future__ import annotations

from .._resources import effective_spec_path
from ._app import RecordedExchange
from ._inspection import ApiCall, MockAccount, MockContact
from ._limits import RATE_LIMIT_TIERS, Fault
from ._mock import DEFAULT_API_KEY, IN_PROCESS_BASE_URL, BrevoMock
from ._server import BackgroundServer
from ._state import MockAPIError, MockState
from ._transport import AsyncMockTransport, MockTransport

__all__ = [
    "DEFAULT_API_KEY",
    "IN_PROCESS_BASE_URL",
    "RATE_LIMIT_TIERS",
    "ApiCall",
    "AsyncMockTransport",
    "BackgroundServer",
    "BrevoMock",
    "Fault",
    "MockAPIError",
    "MockAccount",
    "MockContact",
    "MockState",
    "MockTransport",
    "RecordedExchange",
    "effective_spec_path",
]
