"""The spec differ: per-operation changes, classified for a client of the API."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from spec_fixtures import FIXTURES, SpecFixture
from tajo_brevo.cli import main
from tajo_brevo.spec import load_yaml
from tajo_brevo.spec.diff import BREAKING, NON_BREAKING, REPORT_SCHEMA, DiffReport, diff_specs


@pytest.fixture(scope="module")
def pin(root: Path) -> dict[str, Any]:
    doc: dict[str, Any] = load_yaml(root / "openapi" / "brevo-contacts.yml")
    return doc


def summary(report: DiffReport) -> set[tuple[str, str, str, str]]:
    return {(c.operation, c.location, c.kind, c.severity) for c in report.changes}


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.name)
def test_fixture_specs_are_classified(pin: dict[str, Any], fixture: SpecFixture) -> None:
    report = diff_specs(pin, fixture.build(pin))
    assert summary(report) == fixture.expected


def test_identical_specs_have_no_change(pin: dict[str, Any]) -> None:
    report = diff_specs(pin, copy.deepcopy(pin))
    assert report.changes == []
    assert "No change to any operation." in report.to_markdown()


def test_a_change_in_a_shared_schema_shows_in_every_operation_using_it(pin: dict[str, Any]) -> None:
    new = copy.deepcopy(pin)
    del new["components"]["schemas"]["ErrorResponse"]["properties"]["message"]
    report = diff_specs(pin, new)
    ops_with_errors = {
        f"{method.upper()} {path}"
        for path, item in pin["paths"].items()
        for method, op in item.items()
        if any("ErrorResponse" in json.dumps(r) for r in op["responses"].values())
    }
    assert {c.operation for c in report.changes} == ops_with_errors
    assert {(c.kind, c.severity, c.side) for c in report.changes} == {
        ("property-removed", BREAKING, "response")
    }


@pytest.mark.parametrize(
    ("side_schema", "severity"),
    [("request", BREAKING), ("response", NON_BREAKING)],
)
def test_direction_decides_a_narrowed_type(
    pin: dict[str, Any], side_schema: str, severity: str
) -> None:
    # number -> integer narrows: old requests may no longer be valid; old parsing still is.
    new = copy.deepcopy(pin)
    schemas = new["components"]["schemas"]
    if side_schema == "request":
        schemas["CreateContactList"]["properties"]["folderId"]["type"] = "integer"
        old = copy.deepcopy(pin)
        old["components"]["schemas"]["CreateContactList"]["properties"]["folderId"]["type"] = (
            "number"
        )
    else:
        schemas["ContactListDetail"]["properties"]["folderId"]["type"] = "integer"
        old = copy.deepcopy(pin)
        old["components"]["schemas"]["ContactListDetail"]["properties"]["folderId"]["type"] = (
            "number"
        )
    kinds = {(c.kind, c.severity, c.side) for c in diff_specs(old, new).changes}
    assert kinds == {("type-changed", severity, side_schema)}


def test_nullable_response_field_is_breaking_and_nullable_request_field_is_not(
    pin: dict[str, Any],
) -> None:
    new = copy.deepcopy(pin)
    new["components"]["schemas"]["Contact"]["properties"]["email"]["type"] = ["string", "null"]
    new["components"]["schemas"]["CreateContact"]["properties"]["email"]["type"] = [
        "string",
        "null",
    ]
    by_side = {(c.side, c.severity) for c in diff_specs(pin, new).changes}
    assert by_side == {("response", BREAKING), ("request", NON_BREAKING)}


def test_request_bounds_may_widen_but_not_narrow(pin: dict[str, Any]) -> None:
    new = copy.deepcopy(pin)
    new["components"]["parameters"]["limitParam"]["schema"]["maximum"] = 10
    narrowed = diff_specs(pin, new)
    assert {(c.kind, c.severity) for c in narrowed.changes} == {("constraint-changed", BREAKING)}
    widened = diff_specs(new, pin)
    assert {(c.kind, c.severity) for c in widened.changes} == {("constraint-changed", NON_BREAKING)}


def test_removed_error_status_is_not_breaking(pin: dict[str, Any]) -> None:
    new = copy.deepcopy(pin)
    del new["paths"]["/contacts/{identifier}"]["get"]["responses"]["404"]
    assert summary(diff_specs(pin, new)) == {
        ("GET /contacts/{identifier}", "response 404", "response-removed", NON_BREAKING)
    }


def test_renamed_path_parameter_matches_the_same_operation(pin: dict[str, Any]) -> None:
    new = copy.deepcopy(pin)
    new["paths"]["/contacts/{contactId}"] = new["paths"].pop("/contacts/{identifier}")
    report = diff_specs(pin, new)
    assert not [c for c in report.changes if c.kind.startswith("operation-")]


def test_recursive_schemas_terminate(pin: dict[str, Any]) -> None:
    old = copy.deepcopy(pin)
    new = copy.deepcopy(pin)
    for doc in (old, new):
        doc["components"]["schemas"]["Contact"]["properties"]["parent"] = {
            "$ref": "#/components/schemas/Contact"
        }
    new["components"]["schemas"]["Contact"]["properties"]["extra"] = {"type": "string"}
    changes = diff_specs(old, new).changes
    assert {c.location for c in changes if c.operation == "GET /contacts/{identifier}"} == {
        "response 200 application/json: extra"
    }


def test_unresolvable_ref_is_a_clear_error(pin: dict[str, Any]) -> None:
    new = copy.deepcopy(pin)
    new["paths"]["/contacts"]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ] = {"$ref": "#/components/schemas/Missing"}
    with pytest.raises(ValueError, match="unresolvable \\$ref '#/components/schemas/Missing'"):
        diff_specs(pin, new)


def test_report_json_is_sorted_stable_and_matches_its_schema(pin: dict[str, Any]) -> None:
    new = copy.deepcopy(pin)
    for fixture in FIXTURES:
        if fixture.name in {"removed_operation", "new_operation", "new_optional_response_field"}:
            fixture.edit(new)
    first = diff_specs(pin, new)
    second = diff_specs(copy.deepcopy(pin), copy.deepcopy(new))
    assert first.to_json_text() == second.to_json_text()
    data = json.loads(first.to_json_text())
    assert not list(Draft202012Validator(REPORT_SCHEMA).iter_errors(data))
    keys = [(c["operation"], c["location"], c["kind"]) for c in data["changes"]]
    assert keys == sorted(keys)
    assert data["summary"] == {
        "breaking": 1,
        "non_breaking": 3,
        "operations_added": ["POST /contacts/tajo-fixture"],
        "operations_removed": ["DELETE /contacts/{identifier}"],
        "operations_changed": ["GET /contacts", "GET /contacts/{identifier}"],
    }


def test_markdown_groups_changes_by_operation_breaking_first(pin: dict[str, Any]) -> None:
    new = copy.deepcopy(pin)
    new["components"]["schemas"]["CreateContact"]["properties"]["tajoFixtureTier"] = {
        "type": "string"
    }
    new["components"]["schemas"]["CreateContact"]["required"] = ["email"]
    text = diff_specs(pin, new).to_markdown()
    section = text.split("## `POST /contacts` (createContact)\n\n", 1)[1].splitlines()
    assert section[:2] == [
        "- **breaking**: `request body application/json: email`: property is now required",
        "- non-breaking: `request body application/json: tajoFixtureTier`: optional property added",
    ]
    assert "**1 breaking**, 1 non-breaking" in text


# --- the command ----------------------------------------------------------------------


@pytest.fixture()
def spec_files(pin: dict[str, Any], tmp_path: Path) -> dict[str, Path]:
    files = {"old": tmp_path / "old.yml"}
    files["old"].write_text(yaml.safe_dump(pin))
    for fixture in FIXTURES:
        if fixture.name in {"new_optional_response_field", "new_required_request_field"}:
            path = tmp_path / f"{fixture.name}.json"
            path.write_text(json.dumps(fixture.build(pin)))
            files[fixture.name] = path
    return files


def test_cli_fail_on_breaking_exit_codes(
    spec_files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old = str(spec_files["old"])
    optional = str(spec_files["new_optional_response_field"])
    required = str(spec_files["new_required_request_field"])
    assert main(["spec", "diff", old, optional, "--fail-on", "breaking"]) == 0
    assert "optional property added" in capsys.readouterr().out
    assert main(["spec", "diff", old, required, "--fail-on", "breaking"]) == 1
    assert main(["spec", "diff", old, optional, "--fail-on", "any"]) == 1
    assert main(["spec", "diff", old, required]) == 0
    assert main(["spec", "diff", old, old, "--fail-on", "any"]) == 0


def test_cli_writes_the_json_report(
    spec_files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.json"
    args = ["spec", "diff", str(spec_files["old"]), str(spec_files["new_required_request_field"])]
    assert main([*args, "--format", "json", "--output", str(out)]) == 0
    assert "1 breaking, 0 non-breaking" in capsys.readouterr().err
    data = json.loads(out.read_text())
    assert data["summary"]["breaking"] == 1
    assert data["changes"][0]["location"] == "request body application/json: tajoFixtureTier"


def test_cli_rejects_an_invalid_spec(
    spec_files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("openapi: 3.1.0\ninfo: {title: x}\npaths: {}\n")
    assert main(["spec", "diff", str(spec_files["old"]), str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"tajo-brevo spec diff: {bad}: invalid OpenAPI document")
    assert len(err.splitlines()) == 1
    assert main(["spec", "diff", str(spec_files["old"]), str(tmp_path / "missing.yml")]) == 2
    assert "cannot read" in capsys.readouterr().err


def _drop_limit_param(doc: dict[str, Any]) -> None:
    params = doc["paths"]["/contacts/folders"]["get"]["parameters"]
    params[:] = [p for p in params if not p.get("$ref", "").endswith("/limitParam")]


def _drop_request_body(doc: dict[str, Any]) -> None:
    del doc["paths"]["/contacts/lists/{listId}"]["put"]["requestBody"]


def _request_body_optional(doc: dict[str, Any]) -> None:
    doc["paths"]["/contacts/lists/{listId}"]["put"]["requestBody"]["required"] = False


def _response_as_xml_only(doc: dict[str, Any]) -> None:
    content = doc["paths"]["/contacts/folders"]["get"]["responses"]["200"]["content"]
    content["application/xml"] = content.pop("application/json")


def _all_of_adds_required_field(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    schemas["UpdateContactList"] = {
        "allOf": [
            schemas["UpdateContactList"],
            {"type": "object", "properties": {"tag": {"type": "string"}}, "required": ["tag"]},
        ]
    }


def _deprecate_operation(doc: dict[str, Any]) -> None:
    doc["paths"]["/contacts/folders"]["get"]["deprecated"] = True


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            _drop_limit_param,
            {("GET /contacts/folders", "parameter query limit", "parameter-removed", BREAKING)},
        ),
        (
            _drop_request_body,
            {("PUT /contacts/lists/{listId}", "request body", "request-body-removed", BREAKING)},
        ),
        (
            _request_body_optional,
            {
                (
                    "PUT /contacts/lists/{listId}",
                    "request body",
                    "request-body-required-changed",
                    NON_BREAKING,
                )
            },
        ),
        (
            _response_as_xml_only,
            {
                (
                    "GET /contacts/folders",
                    "response 200 application/json",
                    "media-type-removed",
                    BREAKING,
                ),
                (
                    "GET /contacts/folders",
                    "response 200 application/xml",
                    "media-type-added",
                    NON_BREAKING,
                ),
            },
        ),
        (
            _all_of_adds_required_field,
            {
                (
                    "PUT /contacts/lists/{listId}",
                    "request body application/json: tag",
                    "property-added",
                    BREAKING,
                )
            },
        ),
        (
            _deprecate_operation,
            {("GET /contacts/folders", "", "operation-deprecated", NON_BREAKING)},
        ),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_more_edits_are_classified(
    pin: dict[str, Any], edit: Any, expected: set[tuple[str, str, str, str]]
) -> None:
    new = copy.deepcopy(pin)
    edit(new)
    assert summary(diff_specs(pin, new)) == expected


def test_openapi_3_0_nullable_counts_as_null(pin: dict[str, Any]) -> None:
    old = copy.deepcopy(pin)
    new = copy.deepcopy(pin)
    new["components"]["schemas"]["Contact"]["properties"]["email"]["nullable"] = True
    assert {(c.kind, c.severity) for c in diff_specs(old, new).changes} == {
        ("type-changed", BREAKING)
    }
