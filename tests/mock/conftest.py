"""Fixtures of the mock's behaviour tests.

``mock`` is a fresh BrevoMock whose every recorded response is checked against the
effective spec when the test ends: a behaviour test that passes while the mock answered
something the spec does not allow fails here.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from tajo_brevo.mock import BrevoMock


@pytest.fixture
def mock() -> Iterator[BrevoMock]:
    instance = BrevoMock()
    yield instance
    problems = instance.response_problems()
    assert not problems, "responses that break the spec:\n" + "\n".join(problems)


@pytest.fixture
def http(mock: BrevoMock) -> Iterator[httpx.Client]:
    with mock.client() as client:
        yield client


@pytest.fixture
def folder_id(http: httpx.Client) -> int:
    response = http.post("/contacts/folders", json={"name": "Loyalty"})
    assert response.status_code == 201
    value: int = response.json()["id"]
    return value


@pytest.fixture
def list_id(http: httpx.Client, folder_id: int) -> int:
    response = http.post("/contacts/lists", json={"name": "Gold", "folderId": folder_id})
    assert response.status_code == 201
    value: int = response.json()["id"]
    return value


@pytest.fixture
def cli_mocks(monkeypatch: pytest.MonkeyPatch) -> list[BrevoMock]:
    """Every BrevoMock built while the test runs ``tajo-brevo mock`` in-process; the
    server is not run (its socket is closed), so the command returns at once."""
    from tajo_brevo.mock import _server

    seen: list[BrevoMock] = []

    def fake_serve(app: object, sock: object, **kwargs: object) -> None:
        sock.close()  # type: ignore[attr-defined]

    original = BrevoMock.__init__

    def spy(self: BrevoMock, **kwargs: object) -> None:
        original(self, **kwargs)  # type: ignore[arg-type]
        seen.append(self)

    monkeypatch.setattr(_server, "serve_forever", fake_serve)
    monkeypatch.setattr(BrevoMock, "__init__", spy)
    return seen
