"""The suite can fail: each deliberately broken mock is caught, naming operation and check.

Both layers are tried: the schemathesis runner (what ``tajo-brevo contract`` runs) and
the openapi-core validation the respx suite uses.
"""

from __future__ import annotations

import httpx
import pytest
from _broken import BREAKS, corrupt
from _seed import seed_account
from tajo_brevo.contract.runner import run_contract
from tajo_brevo.contract.validation import ContractViolation, SpecValidator
from tajo_brevo.mock import IN_PROCESS_BASE_URL, BrevoMock, MockTransport


@pytest.mark.parametrize("name", BREAKS)
def test_runner_catches_the_break_and_names_operation_and_check(name: str) -> None:
    operation_id, method, path, transform, check = BREAKS[name]
    mock = BrevoMock()
    seed_account(mock)
    app = corrupt(mock.app, method=method, path=path, transform=transform)
    result = run_contract(
        base_url=IN_PROCESS_BASE_URL,
        api_key=mock.api_key,
        app=app,
        max_examples=3,
        operation_ids=[operation_id],
        phases=["examples", "coverage", "fuzzing"],
    )
    assert not result.ok
    [failed] = result.failed_operations
    assert failed.operation_id == operation_id
    assert check in failed.failures, failed.failures
    summary = result.summary()
    assert f"{operation_id} ({method} {path.removeprefix('/v3')})" in summary
    assert check in summary
    assert "FAILED" in summary


def test_runner_passes_the_same_operations_on_the_correct_mock() -> None:
    # The control for the test above: the breaks, not the operations, make it fail.
    mock = BrevoMock()
    seed_account(mock)
    result = run_contract(
        base_url=IN_PROCESS_BASE_URL,
        api_key=mock.api_key,
        app=mock.app,
        max_examples=3,
        operation_ids=[op for op, *_ in BREAKS.values()],
        phases=["examples", "coverage", "fuzzing"],
    )
    assert result.ok, result.summary()


@pytest.mark.parametrize("name", BREAKS)
def test_openapi_core_validation_catches_the_break(name: str) -> None:
    operation_id, method, path, transform, _check = BREAKS[name]
    mock = BrevoMock()
    app = corrupt(mock.app, method=method, path=path, transform=transform)
    validator = _mock_validator()
    # A 400 for the undocumented-status break, a 200 for the others.
    query = {"limit": "-1"} if "status" in name else {}
    with httpx.Client(
        transport=MockTransport(app),
        base_url=IN_PROCESS_BASE_URL,
        headers={"api-key": mock.api_key},
    ) as client:
        response = client.request(method, path.removeprefix("/v3"), params=query)
    with pytest.raises(ContractViolation) as raised:
        validator.validate_response(response.request, response)
    assert raised.value.operation == operation_id
    assert raised.value.check == "response"


def _mock_validator() -> SpecValidator:
    from _specs import EFFECTIVE

    return SpecValidator(EFFECTIVE, base_url=IN_PROCESS_BASE_URL)


def test_a_client_sending_a_wrong_body_is_caught(validator: SpecValidator) -> None:
    # What a drifted client would send: folderId as a string.
    request = httpx.Request(
        "POST",
        "https://api.brevo.com/v3/contacts/lists",
        headers={"api-key": "k"},
        json={"name": "VIP", "folderId": "7"},
    )
    with pytest.raises(ContractViolation) as raised:
        validator.validate_request(request)
    assert raised.value.operation == "createContactList"
    assert raised.value.check == "request"
    assert "folderId" in raised.value.detail


def test_a_client_without_the_api_key_is_caught(validator: SpecValidator) -> None:
    request = httpx.Request("GET", "https://api.brevo.com/v3/contacts")
    with pytest.raises(ContractViolation) as raised:
        validator.validate_request(request)
    assert raised.value.operation == "listContacts"


def test_a_client_calling_an_undocumented_path_is_caught(validator: SpecValidator) -> None:
    request = httpx.Request(
        "GET", "https://api.brevo.com/v3/contacts/blocked", headers={"api-key": "k"}
    )
    validator.validate_request(request)  # /contacts/{identifier}: "blocked" is an identifier
    with pytest.raises(ContractViolation) as raised:
        validator.validate_request(
            httpx.Request("PATCH", "https://api.brevo.com/v3/contacts", headers={"api-key": "k"})
        )
    assert raised.value.operation == "PATCH /contacts"
