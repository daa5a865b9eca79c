"""The mock answers every operation of the spec (first skeleton check)."""

from __future__ import annotations

import httpx
from tajo_brevo.mock import BrevoMock


def test_every_spec_operation_has_a_route(mock: BrevoMock) -> None:
    # the pinned 18 + getProcess(es), getContactsFromList, requestContactExport
    assert len(mock.operation_ids) == 22


def test_create_then_get_contact(http: httpx.Client, list_id: int) -> None:
    created = http.post("/contacts", json={"email": "ada@example.com", "listIds": [list_id]})
    assert created.status_code == 201
    got = http.get("/contacts/ada%40example.com")
    assert got.status_code == 200
    assert got.json()["id"] == created.json()["id"]
    assert got.json()["listIds"] == [list_id]


def test_any_path_gets_a_json_answer_even_with_encoded_control_characters(
    http: httpx.Client,
) -> None:
    response = http.get("/contacts/%0Aabc%0D")
    assert response.status_code == 404
    assert response.json()["code"] == "document_not_found"
    response = http.post("/contacts/attributes/normal/%0A", json={})
    assert response.status_code == 201
    outside = http.get("http://testserver/elsewhere%0A")
    assert outside.status_code == 404
    assert outside.headers["content-type"] == "application/json"
