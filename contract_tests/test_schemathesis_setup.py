"""The reusable schemathesis setup: its pieces, checked on their own."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from tajo_brevo.contract import schemathesis_setup as setup
from tajo_brevo.mock import effective_spec_path
from tajo_brevo.mock._state import EMAIL_RE


@pytest.fixture(scope="module")
def spec() -> dict[str, object]:
    with open(effective_spec_path(), encoding="utf-8") as handle:
        loaded: dict[str, object] = yaml.safe_load(handle)
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
    assert setup._identifier_reaches_its_route(None, {"identifier": identifier}) is kept
    assert setup._identifier_reaches_its_route(None, {"listId": 3}) is True
    assert setup._identifier_reaches_its_route(None, None) is True


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
    config = setup.build_config(
        base_url="http://127.0.0.1:1/v3", api_key="k", max_examples=3, known=known
    )
    project = config.projects.default
    assert project.base_url == "http://127.0.0.1:1/v3"
    assert project.headers == {"api-key": "k"}
    assert project.warnings.fail_on  # warnings fail the run
    assert set(config.dictionaries) == {"contact_identifiers", "list_ids", "attribute_names"}


def test_seed_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(setup.SEED_ENV, "1234")
    config = setup.build_config(base_url="http://127.0.0.1:1/v3", api_key="k")
    assert config.seed == 1234
    monkeypatch.setenv(setup.SEED_ENV, "x")
    with pytest.raises(ValueError, match=setup.SEED_ENV):
        setup.build_config(base_url="http://127.0.0.1:1/v3", api_key="k")
