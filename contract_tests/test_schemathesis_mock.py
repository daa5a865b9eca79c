"""Schemathesis against the mock: every phase, every default check, zero failures.

Twice: in-process (the ASGI app) and over HTTP on loopback (uvicorn on 127.0.0.1, started
and stopped by a fixture). The run is schemathesis' own engine and reporter
(``schemathesis_setup.run``), so warnings fail it like they fail ``schemathesis run``.
``TAJO_SCHEMATHESIS_MAX_EXAMPLES`` caps the fuzzing phase (default 25).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tajo_brevo.contract import schemathesis_setup as setup
from tajo_brevo.mock import IN_PROCESS_BASE_URL, BackgroundServer, BrevoMock

pytestmark = pytest.mark.timeout(240)


def seed_account(mock: BrevoMock) -> setup.KnownData:
    """A small account (folder, lists, contacts, attributes, an import) and its identifiers.

    The finished import gives ``GET /processes/{processId}`` an id that exists: without it,
    the operation is reached only through the stateful link from ``importContacts`` and,
    on unlucky seeds, answers nothing but 404s ("missing test data" fails the run).
    """
    state = mock.state
    folder = state.create_folder("Seed")
    lists = [state.create_list(f"Seed {i}", folder) for i in range(3)]
    emails = [f"seed{i}@example.com" for i in range(8)]
    ids = []
    for email in emails:
        status, contact_id = state.create_contact({"email": email, "listIds": lists[:2]})
        assert status == 201 and contact_id is not None
        ids.append(contact_id)
    names = ["LOYALTY_POINTS", "LOYALTY_TIER", "SIGNUP_DATE"]
    for name in names:
        state.create_attribute("normal", name, {"type": "text"})
    process = state.import_contacts(
        {"fileBody": "EMAIL\nseed-import@example.com", "listIds": lists[:1]}
    )
    assert state.wait_for_imports(10)
    return setup.KnownData(
        contact_identifiers=[str(i) for i in ids] + emails,
        list_ids=lists,
        attribute_names=[*names, "FIRSTNAME", "LASTNAME"],
        process_ids=[process],
    )


@pytest.fixture
def mock() -> Iterator[BrevoMock]:
    instance = BrevoMock()
    yield instance
    problems = instance.response_problems()
    assert not problems, "mock responses that break the spec:\n" + "\n".join(problems[:20])


@pytest.fixture
def served(mock: BrevoMock) -> Iterator[BackgroundServer]:
    with mock.serve() as server:
        yield server


def _assert_run_passes(schema: object, capsys: pytest.CaptureFixture[str]) -> None:
    code = setup.run(schema)
    report = capsys.readouterr().out
    assert code == 0, f"schemathesis failed (exit {code}):\n{report[-20000:]}"
    # The report names every phase it ran: none may be missing or skipped.
    for phase in ("Coverage", "Fuzzing", "Stateful"):
        assert f"✅  {phase}" in report, f"phase {phase} did not pass:\n{report[-5000:]}"
    assert "No issues found" in report


def test_mock_passes_schemathesis_in_process(
    mock: BrevoMock, capsys: pytest.CaptureFixture[str]
) -> None:
    known = seed_account(mock)
    schema = setup.load_schema(
        base_url=IN_PROCESS_BASE_URL, api_key=mock.api_key, app=mock.app, known=known
    )
    _assert_run_passes(schema, capsys)
    assert len(mock.requests) > 500  # the run really reached the mock


def test_mock_passes_schemathesis_over_http(
    mock: BrevoMock, served: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    known = seed_account(mock)
    schema = setup.load_schema(base_url=served.base_url, api_key=mock.api_key, known=known)
    _assert_run_passes(schema, capsys)
    assert len(mock.requests) > 500


def test_a_wrong_api_key_fails_the_run(mock: BrevoMock, capsys: pytest.CaptureFixture[str]) -> None:
    # Every answer is then a documented 401: only the missing_auth warning catches it.
    schema = setup.load_schema(
        base_url=IN_PROCESS_BASE_URL, api_key="not-the-key", app=mock.app, max_examples=2
    )
    code = setup.run(schema)
    report = capsys.readouterr().out
    assert code != 0
    assert "Authentication failed" in report, report[-3000:]
    assert {ex.status for ex in mock.requests if ex.operation_id} == {401}
