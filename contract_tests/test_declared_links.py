"""The effective spec's links lead to requests production (the mock) accepts.

A stateful run (schemathesis or any OpenAPI tool) fills a linked request from the link
and generates the rest; these tests follow the links that carry a request body with the
rest fixed to a minimal valid request, so a link that names the wrong field, or data
that does not exist, fails here rather than as a "missing test data" warning.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import yaml
from tajo_brevo.mock import BrevoMock, effective_spec_path


@pytest.fixture(scope="module")
def links() -> dict[str, dict[str, Any]]:
    spec = yaml.safe_load(effective_spec_path().read_text())
    found: dict[str, dict[str, Any]] = {}
    for item in spec["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for response in operation.get("responses", {}).values():
                found.update(response.get("links", {}))
    return found


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with BrevoMock().client() as http:
        yield http


def _resolve(value: Any, request_body: dict[str, Any], response_body: dict[str, Any]) -> Any:
    """Evaluate the link's runtime expressions (only the one-level pointers the spec uses)."""
    if isinstance(value, dict):
        return {k: _resolve(v, request_body, response_body) for k, v in value.items()}
    if isinstance(value, str) and value.startswith("$response.body#/"):
        return response_body[value.removeprefix("$response.body#/")]
    if isinstance(value, str) and value.startswith("$request.body#/"):
        return request_body[value.removeprefix("$request.body#/")]
    return value


def _merge(generated: dict[str, Any], linked: dict[str, Any]) -> dict[str, Any]:
    merged = dict(generated)
    for key, value in linked.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def test_a_list_updated_through_its_link_stays_in_an_existing_folder(
    client: httpx.Client, links: dict[str, dict[str, Any]]
) -> None:
    folder = client.post("/contacts/folders", json={"name": "Loyalty"}).json()
    create = {"name": "Gold", "folderId": folder["id"]}
    created = client.post("/contacts/lists", json=create)
    assert created.status_code == 201
    link = links["UpdateList"]
    assert link["operationId"] == "updateContactList"
    list_id = _resolve(link["parameters"]["listId"], create, created.json())
    body = _merge({"name": "Gold members"}, _resolve(link["requestBody"], create, created.json()))
    assert body["folderId"] == folder["id"]
    assert client.put(f"/contacts/lists/{list_id}", json=body).status_code == 204


def test_a_new_folder_links_to_an_import_into_a_new_list_in_it(
    client: httpx.Client, links: dict[str, dict[str, Any]]
) -> None:
    create = {"name": "Imports"}
    folder = client.post("/contacts/folders", json=create)
    assert folder.status_code == 201
    link = links["ImportIntoNewListInFolder"]
    assert link["operationId"] == "importContacts"
    linked = _resolve(link["requestBody"], create, folder.json())
    body = _merge({"jsonBody": [{"email": "ada@example.com"}]}, linked)
    queued = client.post("/contacts/import", json=body)
    assert queued.status_code == 202
    # ...and the import's own link leads to its process.
    process_link = links["GetProcess"]
    process_id = _resolve(process_link["parameters"]["processId"], body, queued.json())
    assert client.get(f"/processes/{process_id}").status_code == 200
    names = [row["name"] for row in client.get("/contacts/lists").json()["lists"]]
    assert names == [linked["newList"]["listName"]]
