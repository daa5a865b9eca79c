"""The differ read backwards: every pair of fixture specs, diffed both ways, agrees.

``A -> B`` and ``B -> A`` must find the same facts from the two ends: each change has a
mirror in the other direction (same operation, side and place; the inverse kind; old and
new swapped), and the severities fit the direction rules of ``tajo_brevo.spec.diff``.
As the differ's rules grow, this keeps them coherent.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from spec_fixtures import FIXTURES
from tajo_brevo.spec import load_yaml
from tajo_brevo.spec.diff import BREAKING, NON_BREAKING, Change, diff_specs

# Kinds that come in pairs: what one direction adds, the other removes.
INVERSE = {
    "operation-added": "operation-removed",
    "parameter-added": "parameter-removed",
    "request-body-added": "request-body-removed",
    "media-type-added": "media-type-removed",
    "response-added": "response-removed",
    "response-header-added": "response-header-removed",
    "enum-added": "enum-removed",
    "enum-value-added": "enum-value-removed",
    "property-added": "property-removed",
}
INVERSE |= {removed: added for added, removed in INVERSE.items()}
# A change of these is incompatible either way (a string is not an integer, nor the
# reverse): the severity is the same in both directions.
SYMMETRIC = {"type-changed", "format-changed", "variants-changed"}
# A different default changes what the server assumes, never what a client may send or
# read: harmless both ways.
NEUTRAL = {"default-changed"}


def _neutral(change: Change) -> bool:
    # An error status documented or not breaks no client either way (the wrapper maps any
    # error status); only success statuses carry data a client parses.
    if change.kind in ("response-added", "response-removed"):
        return not change.location.removeprefix("response ").startswith("2")
    return change.kind in NEUTRAL


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _key(change: Change) -> tuple[Any, ...]:
    return (
        change.operation,
        change.side,
        change.location,
        change.kind,
        _freeze(change.old),
        _freeze(change.new),
    )


def _mirror_key(change: Change) -> tuple[Any, ...]:
    return (
        change.operation,
        change.side,
        change.location,
        INVERSE.get(change.kind, change.kind),
        _freeze(change.new),
        _freeze(change.old),
    )


@pytest.fixture(scope="module")
def pin(root: Path) -> dict[str, Any]:
    doc: dict[str, Any] = load_yaml(root / "openapi" / "brevo-contacts.yml")
    return doc


SPLIT = sorted((Path(__file__).parent / "spec_fixtures" / "split").iterdir())


@pytest.fixture(scope="module")
def specs(pin: dict[str, Any]) -> dict[str, dict[str, Any]]:
    # The pin's edits, and the small split fixtures (other APIs: whole operations differ).
    split = {path.name: load_yaml(path) for path in SPLIT}
    return {"pin": pin, **{f.name: f.build(pin) for f in FIXTURES}, **split}


def _pairs() -> list[tuple[str, str]]:
    names = ["pin", *(f.name for f in FIXTURES), *(path.name for path in SPLIT)]
    return list(itertools.combinations(names, 2))


@pytest.mark.parametrize(("a", "b"), _pairs())
def test_a_to_b_is_the_mirror_of_b_to_a(specs: dict[str, dict[str, Any]], a: str, b: str) -> None:
    forward = diff_specs(specs[a], specs[b]).changes
    backward = diff_specs(specs[b], specs[a]).changes
    back = {_key(c): c for c in backward}
    assert len(back) == len(backward), "a direction reports one fact twice"
    assert len(forward) == len(backward)
    for change in forward:
        mirror = back.get(_mirror_key(change))
        assert mirror is not None, f"{a} -> {b}: {change} has no mirror in {b} -> {a}"
        if change.kind in SYMMETRIC:
            assert change.severity == mirror.severity, (change, mirror)
        elif _neutral(change):
            assert change.severity == mirror.severity == NON_BREAKING, (change, mirror)
        else:
            # Read one way a change may break a client; read the other way it must then
            # be the harmless one, unless the change is breaking both ways by a stated
            # rule (removing something a client sends or reads; adding a required input).
            assert BREAKING in (change.severity, mirror.severity), (change, mirror)
            if change.severity == mirror.severity == BREAKING:
                assert change.kind in INVERSE or change.kind.endswith("-required-changed"), (
                    change,
                    mirror,
                )
                assert {change.kind, mirror.kind} & {
                    "parameter-removed",
                    "property-removed",
                    "operation-removed",
                    "request-body-removed",
                }, (change, mirror)


def test_every_fixture_differs_from_the_pin(specs: dict[str, dict[str, Any]]) -> None:
    # Guards the test above against vacuous pairs: each fixture changes something.
    for name, doc in specs.items():
        if name != "pin":
            assert diff_specs(specs["pin"], doc).changes, name
