"""The reusable schemathesis setup: its pieces, checked on their own."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from schemathesis.config import SchemathesisConfig
from tajo_brevo.contract import schemathesis_setup as setup
from tajo_brevo.mock import IN_PROCESS_BASE_URL, BrevoMock, effective_spec_path
from tajo_brevo.mock._state import EMAIL_RE
from tajo_brevo.mock._state._base import invalid


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    with open(effective_spec_path(), encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


def operation_ids(spec: dict[str, object]) -> set[str]:
    paths = spec["paths"]
    assert isinstance(paths, dict)
    return {op["operationId"] for item in paths.values() for op in item.values()}


@settings(max_examples=200, deadline=None)
@given(setup.realistic_emails())
def test_generated_emails_are_ones_brevo_accepts(email: str) -> None:
    assert EMAIL_RE.match(email)


def test_max_examples_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(setup.MAX_EXAMPLES_ENV, raising=False)
    assert setup.default_max_examples() == 25
    monkeypatch.setenv(setup.MAX_EXAMPLES_ENV, "7")
    assert setup.default_max_examples() == 7
    for bad in ("0", "lots", "-3"):
        monkeypatch.setenv(setup.MAX_EXAMPLES_ENV, bad)
        with pytest.raises(ValueError, match=setup.MAX_EXAMPLES_ENV):
            setup.default_max_examples()


@pytest.mark.parametrize(
    ("identifier", "kept"),
    [
        ("ada@example.com", True),
        ("42", True),
        ("lists", False),
        ("import", False),
        ("folders", False),
        ("attributes", False),
        ("a/b", False),
        ("..", False),
        ("Lists", True),
        ("%6Cists", False),
        ("a%2Fb@example.com", True),
    ],
)
def test_identifiers_that_would_reach_another_route_are_filtered(
    identifier: str, kept: bool
) -> None:
    assert setup.identifier_reaches_its_route(None, {"identifier": identifier}) is kept
    assert setup.identifier_reaches_its_route(None, {"listId": 3}) is True
    assert setup.identifier_reaches_its_route(None, None) is True


def test_expected_statuses_and_exemptions_name_real_operations_with_a_reason(
    spec: dict[str, object],
) -> None:
    known = operation_ids(spec)
    for table in (setup.POSITIVE_EXTRA_STATUSES, setup.WARNING_EXEMPTIONS):
        for operation_id, (values, reason) in table.items():
            assert operation_id in known
            assert values and len(reason) > 40
    # Only operations whose valid requests can name what does not exist are widened.
    assert "getContactInfo" not in setup.POSITIVE_EXTRA_STATUSES
    assert "createFolder" not in setup.POSITIVE_EXTRA_STATUSES


def test_links_are_added_to_a_copy_and_target_real_operations(spec: dict[str, object]) -> None:
    # The effective spec declares the links production data has (openapi/corrections.yml).
    declared = spec["paths"]["/contacts"]["post"]["responses"]["201"]["links"]  # type: ignore[index]
    assert declared["GetContactById"] == {
        "operationId": "getContactInfo",
        "parameters": {"identifier": "$response.body#/id"},
    }
    known = operation_ids(spec)
    for path in spec["paths"].values():  # type: ignore[attr-defined]
        for operation in path.values():
            for response in operation.get("responses", {}).values():
                for link in response.get("links", {}).values():
                    assert link["operationId"] in known
    # with_links adds the schemathesis-only ones to a copy.
    linked = setup.with_links(spec)
    assert linked is not spec
    for source, _status, name, target, _params, _body in setup.STATEFUL_LINKS:
        assert {source, target} <= known
        responses = linked["paths"]["/contacts/lists"]["post"]["responses"]  # type: ignore[index]
        assert name in responses["201"]["links"]
        assert name not in spec["paths"]["/contacts/lists"]["post"]["responses"]["201"]["links"]  # type: ignore[index]


def test_config_carries_key_warnings_and_known_data() -> None:
    known = setup.KnownData(contact_identifiers=["1"], list_ids=[2], attribute_names=["X"])
    config = build_config(
        base_url="http://127.0.0.1:1/v3", api_key="k", max_examples=3, known=known
    )
    project = config.projects.default
    assert project.base_url == "http://127.0.0.1:1/v3"
    assert project.headers == {"api-key": "k"}
    assert project.warnings.fail_on  # warnings fail the run
    assert set(config.dictionaries) == {"contact_identifiers", "list_ids", "attribute_names"}


def test_seed_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(setup.SEED_ENV, "1234")
    config = build_config(base_url="http://127.0.0.1:1/v3", api_key="k")
    assert config.seed == 1234
    monkeypatch.setenv(setup.SEED_ENV, "x")
    with pytest.raises(ValueError, match=setup.SEED_ENV):
        build_config(base_url="http://127.0.0.1:1/v3", api_key="k")


def build_config(**options: Any) -> Any:
    return SchemathesisConfig.from_dict(setup.config_data(**options))


def _case(operation_id: str, mode: str, path: dict[str, Any], body: Any) -> SimpleNamespace:
    """The parts of a schemathesis ``Case`` that :class:`PositiveCreatesFitState` reads."""
    return SimpleNamespace(
        operation=SimpleNamespace(definition=SimpleNamespace(raw={"operationId": operation_id})),
        meta=SimpleNamespace(generation=SimpleNamespace(mode=SimpleNamespace(value=mode))),
        path_parameters=path,
        body=body,
    )


def _attribute(fit: setup.PositiveCreatesFitState, category: str, name: str, body: Any,
               mode: str = "positive") -> SimpleNamespace:  # fmt: skip
    case = _case(
        "createContactAttribute", mode, {"attributeCategory": category, "attributeName": name}, body
    )
    return fit(None, case)


def test_each_positive_attribute_create_names_a_new_attribute() -> None:
    fit = setup.PositiveCreatesFitState()
    names = [
        _attribute(fit, "normal", name, {"type": "text"}).path_parameters["attributeName"]
        for name in ("Points", "POINTS", "points", "Tier", "POINTS_2")
    ]
    # Names are unique case-insensitively: a repeat gets the next free suffix.
    assert names == ["Points", "POINTS_2", "points_3", "Tier", "POINTS_2_2"]


@pytest.mark.parametrize(
    ("category", "body", "expected"),
    [
        ("category", {}, {"enumeration": [{"value": 1, "label": "One"}]}),
        ("category", {"enumeration": []}, {"enumeration": [{"value": 1, "label": "One"}]}),
        ("category", {"enumeration": [{"value": 2, "label": "a"}, {"value": 2, "label": "b"}]},
         {"enumeration": [{"value": 1, "label": "One"}]}),
        ("category", {"enumeration": [{"value": 2, "label": "a"}]},
         {"enumeration": [{"value": 2, "label": "a"}]}),
        ("calculated", {"type": "text"}, {"type": "text", "value": "1"}),
        ("global", {"value": ""}, {"value": "1"}),
        ("global", {"value": "SUM(X)"}, {"value": "SUM(X)"}),
        ("normal", {"enumeration": []}, {"enumeration": []}),
        ("transactional", {}, {}),
    ],
)  # fmt: skip
def test_a_positive_attribute_create_brings_what_its_category_needs(
    category: str, body: dict[str, Any], expected: dict[str, Any]
) -> None:
    case = _attribute(setup.PositiveCreatesFitState(), category, "X", body)
    assert case.body == expected


def test_each_positive_contact_create_uses_an_email_not_yet_there() -> None:
    fit = setup.PositiveCreatesFitState(taken_emails=["seed0@example.com", "7"])

    def email(address: str) -> Any:
        body = {"email": address, "listIds": [3]}
        sent = fit(None, _case("createContact", "positive", {}, body)).body
        assert sent["listIds"] == [3]  # the rest of the body is kept
        return sent["email"]

    assert email("Seed0@Example.com") == "Seed02@Example.com"  # exists on the server
    assert email("ada@example.com") == "ada@example.com"
    assert email("ADA@example.com") == "ADA2@example.com"
    assert email("ada@example.com") == "ada3@example.com"
    bodyless = fit(None, _case("createContact", "positive", {}, {"attributes": {}}))
    assert bodyless.body == {"attributes": {}}


def test_negative_cases_and_other_operations_are_left_as_generated() -> None:
    fit = setup.PositiveCreatesFitState(taken_emails=["a@example.com"])
    for mode in ("positive", "negative"):
        case = _attribute(fit, "category", "X", {"type": "text"}, mode=mode)
    assert case.path_parameters["attributeName"] == "X"  # the negative one kept the name
    assert case.body == {"type": "text"}
    negative = fit(None, _case("createContact", "negative", {}, {"email": "a@example.com"}))
    assert negative.body == {"email": "a@example.com"}
    other = fit(None, _case("updateContact", "positive", {"identifier": "a"}, {"email": "a@x.io"}))
    assert other.body == {"email": "a@x.io"}


def _attribute_run(
    tmp_path: Path, spec: dict[str, Any], mock: BrevoMock, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, dict[str, list[int]]]:
    """Schemathesis on the attribute operations alone; statuses of positive creates by phase."""
    excerpt = dict(spec)
    excerpt["paths"] = {
        path: item
        for path, item in spec["paths"].items()
        if path.startswith("/contacts/attributes/")
    }
    spec_path = tmp_path / "attributes.yml"
    spec_path.write_text(yaml.safe_dump(excerpt), encoding="utf-8")
    schema = setup.load_schema(
        base_url=IN_PROCESS_BASE_URL, api_key=mock.api_key, app=mock.app, spec_path=spec_path
    )
    phases: dict[str, tuple[str, str]] = {}

    def remember(context: Any, case: Any) -> Any:
        phases[case.id] = (case.meta.phase.name.value, case.meta.generation.mode.value)
        return case

    schema.hooks.register_hook_with_name(remember, "map_case")
    code = setup.run(schema)
    report = capsys.readouterr().out
    statuses: dict[str, list[int]] = {}
    for exchange in mock.requests:
        phase, mode = phases.get(exchange.headers.get("x-schemathesis-testcaseid", ""), ("", ""))
        # (401: schemathesis' own auth probes replay a case without the key)
        if (
            exchange.operation_id == "createContactAttribute"
            and mode == "positive"
            and exchange.status != 401
        ):
            statuses.setdefault(phase, []).append(int(exchange.status or 0))
    return code, report, statuses


@pytest.mark.timeout(120)
def test_every_positive_attribute_create_is_served_and_a_refusing_server_still_fails(
    tmp_path: Path, spec: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    # Before the hook, the coverage phase's 13 valid creates got one 201 (the rest were
    # duplicates of PREFERRED_STORE or lacked their category's field), and fuzzing 1 to 6
    # of about 20 (none in the CI run that failed on "schema validation mismatch").
    code, report, statuses = _attribute_run(tmp_path, spec, BrevoMock(), capsys)
    assert code == 0, report[-3000:]
    assert {"coverage", "fuzzing"} <= set(statuses)
    for phase in ("coverage", "fuzzing"):
        assert statuses[phase] and set(statuses[phase]) == {201}, (phase, statuses[phase])
    # The guard the warning gives still works: a server that refuses every attribute
    # (a valid one included) fails the run.
    broken = BrevoMock()

    def refuse(category: str, raw_name: str, body: Any) -> None:
        raise invalid("attributeName: refused")

    broken.state.create_attribute = refuse  # type: ignore[method-assign]
    code, report, _statuses = _attribute_run(tmp_path, spec, broken, capsys)
    assert code != 0
    assert "Schema validation mismatch" in report, report[-3000:]
