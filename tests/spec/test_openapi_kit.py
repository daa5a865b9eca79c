"""The OpenAPI toolkit spec/, contract/ and mock/ share, and the mock's state without network."""

from __future__ import annotations

from typing import Any

import pytest
from tajo_brevo._openapi_kit import HTTP_METHODS, deref, iter_operations, lookup, resolve
from tajo_brevo.mock._state import MockState

DOC: dict[str, Any] = {
    "paths": {
        "/a/{id}": {
            "parameters": [{"$ref": "#/components/parameters/Id"}],
            "get": {"operationId": "getA", "responses": {}},
            "delete": {
                "operationId": "deleteA",
                "parameters": [{"name": "id", "in": "path", "schema": {"type": "string"}}],
                "responses": {},
            },
            "x-extension": {"operationId": "not an operation"},
        }
    },
    "components": {
        "parameters": {
            "Id": {"name": "id", "in": "path", "schema": {"$ref": "#/components/schemas/Id"}}
        },
        "schemas": {
            "Id": {"type": "integer", "minimum": 1},
            "Wide": {"$ref": "#/components/schemas/Id", "maximum": 9},
            "a/b": {"type": "string"},
            "Loop": {"$ref": "#/components/schemas/Loop2"},
            "Loop2": {"$ref": "#/components/schemas/Loop"},
        },
    },
    "tags": [{"name": "first"}],
}


def test_methods_are_the_eight_operation_keys_of_a_path_item() -> None:
    assert HTTP_METHODS == ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def test_lookup_follows_escaped_keys_and_list_indexes() -> None:
    assert lookup(DOC, "#/components/schemas/a~1b") == {"type": "string"}
    assert lookup(DOC, "#/tags/0/name") == "first"
    with pytest.raises(ValueError, match="unresolvable"):
        lookup(DOC, "#/components/schemas/Missing")
    with pytest.raises(ValueError, match="only local"):
        lookup(DOC, "other.yml#/x")


def test_resolve_inlines_every_ref_with_siblings_on_top_and_copies() -> None:
    wide = resolve(DOC, DOC["components"]["schemas"]["Wide"])
    assert wide == {"type": "integer", "minimum": 1, "maximum": 9}
    wide["minimum"] = 5
    assert DOC["components"]["schemas"]["Id"]["minimum"] == 1
    with pytest.raises(ValueError, match="recursive"):
        resolve(DOC, {"$ref": "#/components/schemas/Loop"})


def test_deref_follows_one_chain_and_names_the_refs() -> None:
    node, refs = deref(DOC, {"$ref": "#/components/schemas/Wide"})
    assert node == {"type": "integer", "minimum": 1, "maximum": 9}  # siblings on top
    assert refs == ("#/components/schemas/Wide", "#/components/schemas/Id")
    with pytest.raises(ValueError, match="circular"):
        deref(DOC, {"$ref": "#/components/schemas/Loop"})


def test_operations_merge_path_parameters_and_let_the_operation_win() -> None:
    ops = {op.operation_id: op for op in iter_operations(DOC)}
    assert set(ops) == {"getA", "deleteA"}
    assert ops["getA"].parameters[0]["schema"] == {"type": "integer", "minimum": 1}
    assert [p["schema"] for p in ops["deleteA"].parameters] == [{"type": "string"}]


def test_a_bare_state_fetches_no_file_and_calls_no_notify_url() -> None:
    # Network I/O is BrevoMock's (mock/_network.py): the state on its own does none.
    state = MockState()
    list_id = state.create_list("L", state.create_folder("F"))
    process_id = state.import_contacts(
        {"fileUrl": "http://127.0.0.1:9/contacts.csv", "listIds": [list_id],
         "notifyUrl": "http://127.0.0.1:9/done"}
    )  # fmt: skip
    assert state.wait_for_imports(timeout=10)
    process = state.get_process(process_id)
    assert process["status"] == "failed"
    assert "fetches no files" in str(state.imports[-1].error)
