"""The prepared request validator accepts and rejects exactly what the openapi-core one
did before the rewrite (tests/mock/_reference_validation.py), on a corpus of requests:
hand-picked edge cases plus schemathesis-generated valid and invalid requests for every
operation of the effective spec."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
import yaml
from _reference_validation import SpecValidator as ReferenceValidator
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from tajo_brevo.contract._schemathesis_internals import has_body as case_has_body
from tajo_brevo.mock import MockAPIError, effective_spec_path
from tajo_brevo.mock._validation import SpecValidator

#: Negative runs where every generated request is still valid: any string is a contact
#: identifier to delete, and listing attributes takes no input at all.
NOTHING_TO_BREAK = {"deleteContact-negative", "listContactAttributes-negative"}
#: Generated requests per operation and mode (valid / invalid): 21 operations x 2 x this.
GENERATED = 40


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    with open(effective_spec_path(), encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


@pytest.fixture(scope="module")
def validators(spec: dict[str, Any]) -> tuple[SpecValidator, ReferenceValidator]:
    return SpecValidator(spec), ReferenceValidator(spec)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


#: The new validator words a broken ``not`` rule (an import without a source, or without
#: listIds or newList) as Brevo does, ``missing_parameter``; openapi-core only knew
#: ``invalid_parameter``. Same verdict, same status, a more precise code.
_NOT_RULE_MISSING = "is missing: give one"


def _outcome(validator: Any, request: dict[str, Any]) -> tuple[Any, ...]:
    try:
        result = validator.validate_request(**request)
    except MockAPIError as err:
        if err.message.endswith(_NOT_RULE_MISSING):
            return ("rejected", err.status, "invalid_parameter")
        return ("rejected", err.status, err.code)
    query = {
        k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in result.query.items()
    }
    return ("accepted", result.path, query, result.body)


def _request(
    method: str,
    pattern: str,
    path: dict[str, str] | None = None,
    query: list[tuple[str, str]] | None = None,
    body: Any = None,
    raw: bytes | None = None,
    content_type: str = "application/json",
    has_body: bool | None = None,
) -> dict[str, Any]:
    payload = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
    return {
        "method": method,
        "path_pattern": pattern,
        "path_params": path or {},
        "query": query or [],
        "headers": {"content-type": content_type, "api-key": "k"},
        "content_type": content_type,
        "body": payload,
        "has_request_body": method in ("post", "put") if has_body is None else has_body,
    }


HAND_PICKED = [
    _request("get", "/contacts"),
    _request("get", "/contacts", query=[("limit", "1000"), ("offset", "0"), ("sort", "asc")]),
    _request("get", "/contacts", query=[("limit", "1001")]),
    _request("get", "/contacts", query=[("limit", "-1")]),
    _request("get", "/contacts", query=[("limit", "abc")]),
    _request("get", "/contacts", query=[("limit", "")]),
    _request("get", "/contacts", query=[("limit", "+5")]),
    _request("get", "/contacts", query=[("limit", "1.0")]),
    _request("get", "/contacts", query=[("offset", "9223372036854775808")]),
    _request("get", "/contacts", query=[("sort", "ASC")]),
    _request("get", "/contacts", query=[("modifiedSince", "2024-01-01T00:00:00Z")]),
    _request("get", "/contacts", query=[("modifiedSince", "yesterday")]),
    _request("get", "/contacts", query=[("listIds", "1"), ("listIds", "2")]),
    _request("get", "/contacts", query=[("listIds", "x")]),
    _request("get", "/contacts", query=[("ids", str(n)) for n in range(21)]),
    _request("get", "/contacts", query=[("unknown", "whatever")]),
    _request("post", "/contacts", body={"email": "ada@example.com"}),
    _request("post", "/contacts", body={"email": "not-an-email"}),
    _request("post", "/contacts", body={"email": 5}),
    _request("post", "/contacts", body=[]),
    _request("post", "/contacts", body={"listIds": ["1"]}),
    _request("post", "/contacts", body={"listIds": [9223372036854775808]}),
    _request("post", "/contacts", body={"updateEnabled": "yes"}),
    _request("post", "/contacts", body={"attributes": {"A": {"nested": [1]}}}),
    _request("post", "/contacts"),
    _request("post", "/contacts", raw=b"{bad json"),
    _request("post", "/contacts", raw=b'{"email": NaN}'),
    _request("post", "/contacts", raw=b"email=a", content_type="text/plain"),
    _request("get", "/contacts/{identifier}", path={"identifier": "ada@example.com"}),
    _request("get", "/contacts/lists/{listId}", path={"listId": "7"}),
    _request("get", "/contacts/lists/{listId}", path={"listId": "seven"}),
    _request("get", "/contacts/lists/{listId}", path={"listId": "99999999999999999999"}),
    _request("get", "/contacts/lists/{listId}/contacts", path={"listId": "1"},
             query=[("limit", "500")]),
    _request("get", "/contacts/lists/{listId}/contacts", path={"listId": "1"},
             query=[("limit", "501")]),
    _request("post", "/contacts/lists", body={"name": "Gold", "folderId": 1}),
    _request("post", "/contacts/lists", body={"name": "Gold"}),
    _request("post", "/contacts/lists", body={}),
    _request("put", "/contacts/lists/{listId}", path={"listId": "1"}, body={"name": 3}),
    _request("post", "/contacts/lists/{listId}/contacts/add", path={"listId": "1"},
             body={"emails": ["a@example.com"] * 151}),
    _request("post", "/contacts/attributes/{attributeCategory}/{attributeName}",
             path={"attributeCategory": "normal", "attributeName": "POINTS"},
             body={"type": "float"}),
    _request("post", "/contacts/attributes/{attributeCategory}/{attributeName}",
             path={"attributeCategory": "nope", "attributeName": "POINTS"}, body={}),
    _request("post", "/contacts/attributes/{attributeCategory}/{attributeName}",
             path={"attributeCategory": "normal", "attributeName": "X"}, body={"type": "blob"}),
    _request("post", "/contacts/import", body={"fileBody": "EMAIL\na@b.co", "listIds": [1]}),
    _request("post", "/contacts/import", body={"fileUrl": "not a uri", "listIds": [1]}),
    _request("post", "/contacts/import", body={"notifyUrl": "http://127.0.0.1/x"}),
    _request("post", "/contacts/import", body={"fileBody": "EMAIL\na@b.co"}),
    _request("post", "/contacts/import", body={"fileBody": "NAME,EMAIL\nx", "listIds": [1]}),
    _request("post", "/contacts/import",
             body={"fileBody": "EMAIL\na@b.co", "jsonBody": [{}], "listIds": [1]}),
    _request("post", "/contacts/import", body={"jsonBody": [], "listIds": [1]}),
    _request("post", "/contacts/import",
             body={"jsonBody": [{"email": "a@b.co"}], "newList": {"listName": "N"}}),
    _request("post", "/contacts/import", body={"jsonBody": [{"email": 1}]}),
    _request("get", "/processes", query=[("limit", "50")]),
    _request("get", "/processes", query=[("limit", "51")]),
    _request("get", "/processes/{processId}", path={"processId": "0"}),
    _request("get", "/processes/{processId}", path={"processId": "12"}),
    _request("post", "/contacts/folders", body={"name": "F"}),
    _request("post", "/contacts/folders", body={"name": None}),
]  # fmt: skip


@pytest.mark.parametrize(
    "request_", HAND_PICKED, ids=lambda r: f"{r['method']} {r['path_pattern']}"
)
def test_hand_picked_requests_get_the_same_verdict(
    validators: tuple[SpecValidator, ReferenceValidator], request_: dict[str, Any]
) -> None:
    new, old = validators
    assert _outcome(new, request_) == _outcome(old, request_)


def _generated(spec_path: str) -> Iterator[tuple[str, Any]]:
    schema = schemathesis.openapi.from_path(spec_path)
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            yield f"{operation.definition.raw['operationId']}-{mode.value}", (operation, mode)


def _case_request(operation: Any, case: Any) -> dict[str, Any] | None:
    path = {k: _text(v) for k, v in (case.path_parameters or {}).items()}
    if any(not v or "/" in v for v in path.values()):
        return None  # such a path does not route to this operation
    query: list[tuple[str, str]] = []
    for name, value in (case.query or {}).items():
        for item in value if isinstance(value, list) else [value]:
            query.append((name, _text(item)))
    body = case.body
    has_body = "requestBody" in operation.definition.raw
    if not case_has_body(case):
        raw = b""
    elif isinstance(body, bytes):
        raw = body
    else:
        raw = json.dumps(body).encode()
    return _request(
        operation.method.lower(),
        operation.path,
        path=path,
        query=query,
        raw=raw,
        content_type=case.media_type or "application/json",
        has_body=has_body,
    )


@pytest.mark.parametrize(
    ("name", "target"),
    list(_generated(str(effective_spec_path()))),
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_generated_requests_get_the_same_verdict(
    validators: tuple[SpecValidator, ReferenceValidator], name: str, target: Any
) -> None:
    new, old = validators
    operation, mode = target
    compared = []

    @settings(
        max_examples=GENERATED,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def check(case: Any) -> None:
        request_ = _case_request(operation, case)
        if request_ is None:
            return
        verdict = _outcome(new, request_)
        compared.append(verdict[0])
        assert verdict == _outcome(old, request_), request_

    check()
    # Not a vacuous comparison: valid requests were accepted, invalid ones rejected.
    wanted = "accepted" if mode is GenerationMode.POSITIVE else "rejected"
    if name not in NOTHING_TO_BREAK:
        assert wanted in compared, f"{name}: no request was {wanted}"
    assert compared, f"{name}: no request was compared"


def test_the_prepared_validator_has_every_operation(spec: dict[str, Any]) -> None:
    validator = SpecValidator(spec)
    expected = {
        (method, pattern)
        for pattern, item in spec["paths"].items()
        for method in item
        if method in ("get", "post", "put", "delete")
    }
    assert set(validator._operations) == expected


def test_lone_surrogates_are_refused_where_the_reference_let_them_through(
    validators: tuple[SpecValidator, ReferenceValidator],
) -> None:
    # The one intended difference: "\ud800" is valid JSON syntax but no character; the
    # old validator let it in and every later read of the contact answered 500.
    new, old = validators
    request_ = _request(
        "post",
        "/contacts",
        raw=b'{"email": "a@example.com", "attributes": {"FIRSTNAME": "\\ud800"}}',
    )
    assert _outcome(old, request_)[0] == "accepted"
    assert _outcome(new, request_) == ("rejected", 400, "invalid_parameter")


del st
