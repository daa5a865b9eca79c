"""contract_config: what one ``tajo-brevo contract`` run hands ``schemathesis run``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from schemathesis.config import SchemathesisConfig
from tajo_brevo.contract.discovery import Discovery
from tajo_brevo.contract.st_config import API_KEY_ENV, RunSettings, contract_config

SEEDED = Discovery(contact_identifiers=("1", "a@example.com"), list_ids=(2,))
EMPTY = Discovery(verified_empty=True)
READ_PHASES = ["examples", "coverage", "fuzzing"]


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    # The config names the variable the child process reads the key from.
    monkeypatch.setenv(API_KEY_ENV, "k")


def config(settings: RunSettings, discovery: Discovery) -> dict[str, Any]:
    data = contract_config(
        "http://127.0.0.1:1/v3",
        settings,
        discovery,
        junit=Path("/tmp/run/junit.xml"),
        json_report=Path("/tmp/run/report.json"),
    )
    SchemathesisConfig.from_dict(data)  # schemathesis accepts it
    return data


@pytest.mark.parametrize(
    ("writes", "discovery", "lenient"),
    [(False, SEEDED, False), (False, EMPTY, True), (True, SEEDED, True), (True, EMPTY, True)],
)
def test_missing_test_data_fails_only_a_read_run_on_an_account_with_data(
    writes: bool, discovery: Discovery, lenient: bool
) -> None:
    settings = RunSettings(writes=writes, phases=READ_PHASES, max_examples=3)
    assert settings.lenient_missing_data(discovery) is lenient
    fail_on = config(settings, discovery)["warnings"]["fail-on"]
    if lenient:
        assert "missing_test_data" not in fail_on
        assert {"missing_auth", "validation_mismatch"} <= set(fail_on)
    else:
        assert fail_on is True


def test_a_read_run_gets_its_settings_reports_and_no_stateful_phase() -> None:
    settings = RunSettings(writes=False, phases=READ_PHASES, max_examples=3, seed=42)
    data = config(settings, SEEDED)
    assert data["base-url"] == "http://127.0.0.1:1/v3"
    assert data["generation"]["max-examples"] == 3
    assert data["seed"] == 42
    enabled = {name: phase["enabled"] for name, phase in data["phases"].items()}
    assert enabled == {"examples": True, "coverage": True, "fuzzing": True, "stateful": False}
    assert "extra-data-sources" not in data["phases"]["fuzzing"]
    assert data["reports"]["junit"] == {"enabled": True, "path": "/tmp/run/junit.xml"}
    assert data["reports"]["json"] == {"enabled": True, "path": "/tmp/run/report.json"}
    assert data["dictionaries"]["list_ids"] == {"values": [2]}


def test_a_write_run_does_not_reuse_ids_seen_in_responses() -> None:
    phases = [*READ_PHASES, "stateful"]
    data = config(RunSettings(writes=True, phases=phases, max_examples=3), SEEDED)
    for name in READ_PHASES:
        assert data["phases"][name]["extra-data-sources"] == {"responses": False}
    assert data["phases"]["stateful"]["enabled"] is True
