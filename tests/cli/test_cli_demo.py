"""`tajo-brevo demo`: runs the guide end to end on a local mock; --live needs consent."""

from __future__ import annotations

import pytest
from tajo_brevo.cli import main
from tajo_brevo.mock import BrevoMock


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BREVO_API_KEY", raising=False)
    monkeypatch.delenv("BREVO_BASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")  # one line per summary row


def test_demo_runs_the_scenarios_and_a_batch_on_a_local_mock(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["demo", "--customers", "120", "--rate-limit", "500", "--seed", "3"])
    out = capsys.readouterr().out
    assert code == 0, out
    for expected in (
        "John, basic upsert: created",
        "Sarah, new customer with loyalty attributes: created",
        "John, existing customer to Platinum: updated in 1 request",
        "alice@example.com created (Bronze), bob@example.com created (Silver)",
        "DuplicateContactError",
        "InvalidParameterError",
        "values [999]",
        "second run: changed=False, 0 write requests",
    ):
        assert expected in out
    assert "bulk rows applied" in out and "120" in out
    assert "contacts in the account" in out


def test_live_demo_refuses_without_the_confirmation_flag(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BREVO_API_KEY", "k")
    monkeypatch.setenv("BREVO_BASE_URL", "http://127.0.0.1:9/v3")
    assert main(["demo", "--live"]) == 2
    err = capsys.readouterr().err
    assert "--yes-write-to-my-account" in err and "refusing" in err


def test_live_demo_refuses_without_the_environment(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--live", "--yes-write-to-my-account"]) == 2
    assert "set BREVO_API_KEY and BREVO_BASE_URL" in capsys.readouterr().err


def test_live_demo_runs_against_the_configured_account(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mock = BrevoMock()  # stands in for the real account, on loopback
    with mock.serve() as server:
        monkeypatch.setenv("BREVO_API_KEY", mock.api_key)
        monkeypatch.setenv("BREVO_BASE_URL", server.base_url)
        code = main(
            [
                "demo",
                "--live",
                "--yes-write-to-my-account",
                "--customers",
                "10",
                "--rate-limit",
                "500",
            ]
        )
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"the Brevo account at {server.base_url}" in out
    assert mock.state.contact_by_email("john.doe@example.com") is not None
    assert len(mock.state.contacts) == 4 + 10  # John, Sarah, Alice, Bob and 10 generated
