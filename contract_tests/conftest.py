"""Shared fixtures of the contract suites."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from _specs import BASE_URL, EFFECTIVE, PIN
from tajo_brevo._openapi_kit import load_spec
from tajo_brevo.contract.strategies import SpecStrategies
from tajo_brevo.contract.validation import SpecValidator


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
