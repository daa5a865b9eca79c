"""Shared fixtures of the contract suites."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tajo_brevo.contract._spec import load_spec
from tajo_brevo.contract.strategies import SpecStrategies
from tajo_brevo.contract.validation import SpecValidator

ROOT = Path(__file__).resolve().parents[1]
EFFECTIVE = ROOT / "openapi" / "brevo-contacts.effective.yml"
PIN = ROOT / "openapi" / "brevo-contacts.yml"
BASE_URL = "https://api.brevo.com/v3"


@pytest.fixture(scope="session")
def effective_spec() -> Path:
    return EFFECTIVE


@pytest.fixture(scope="session")
def effective_doc() -> dict[str, Any]:
    return load_spec(EFFECTIVE)


@pytest.fixture(scope="session")
def validator() -> SpecValidator:
    return SpecValidator(EFFECTIVE, base_url=BASE_URL)


@pytest.fixture(scope="session")
def pin_validator() -> SpecValidator:
    return SpecValidator(PIN, base_url=BASE_URL)


@pytest.fixture(scope="session")
def strategies(effective_doc: dict[str, Any]) -> SpecStrategies:
    return SpecStrategies(effective_doc)
