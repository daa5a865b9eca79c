"""The mock answers every operation of the spec (first skeleton check)."""

from __future__ import annotations

import httpx
from tajo_brevo.mock import BrevoMock


def test_every_spec_operation_has_a_route(mock: BrevoMock) -> None:
    assert len(mock.operation_ids) == 18


def test_create_then_get_contact(http: httpx.Client, list_id: int) -> None:
    created = http.post("/contacts", json={"email": "ada@example.com", "listIds": [list_id]})
    assert created.status_code == 201
    got = http.get("/contacts/ada%40example.com")
    assert got.status_code == 200
    assert got.json()["id"] == created.json()["id"]
    assert got.json()["listIds"] == [list_id]
