"""Attributes: definitions, and values kept or silently dropped like production Brevo."""

from __future__ import annotations

import httpx
import pytest
from tajo_brevo.mock import BrevoMock


def define(http: httpx.Client, category: str, name: str, **body: object) -> httpx.Response:
    return http.post(f"/contacts/attributes/{category}/{name}", json=body)


def attributes_of(http: httpx.Client, email: str) -> dict[str, object]:
    value: dict[str, object] = http.get(f"/contacts/{email}").json()["attributes"]
    return value


def test_builtin_attributes_exist_from_the_start(http: httpx.Client) -> None:
    listed = http.get("/contacts/attributes").json()["attributes"]
    assert {(a["name"], a["category"], a["type"]) for a in listed} == {
        ("EMAIL", "normal", "text"),
        ("FIRSTNAME", "normal", "text"),
        ("LASTNAME", "normal", "text"),
        ("SMS", "normal", "text"),
    }


def test_create_list_and_delete_attributes(http: httpx.Client) -> None:
    created = define(http, "normal", "loyalty_points", type="float")
    assert created.status_code == 201 and created.content == b""
    assert "content-type" not in created.headers
    tier = define(
        http,
        "category",
        "LOYALTY_TIER",
        enumeration=[{"value": 1, "label": "Gold"}, {"value": 2, "label": "Silver"}],
    )
    assert tier.status_code == 201
    listed = {a["name"]: a for a in http.get("/contacts/attributes").json()["attributes"]}
    assert listed["LOYALTY_POINTS"] == {
        "name": "LOYALTY_POINTS",
        "category": "normal",
        "type": "float",
    }
    assert listed["LOYALTY_TIER"]["enumeration"] == [
        {"value": 1, "label": "Gold"},
        {"value": 2, "label": "Silver"},
    ]
    assert define(http, "normal", "LOYALTY_POINTS", type="text").status_code == 400
    assert http.delete("/contacts/attributes/category/LOYALTY_POINTS").status_code == 404
    assert http.delete("/contacts/attributes/normal/loyalty_points").status_code == 204
    assert http.delete("/contacts/attributes/normal/LOYALTY_POINTS").status_code == 404


@pytest.mark.parametrize(
    ("category", "body", "code"),
    [
        ("category", {}, "missing_parameter"),
        ("category", {"enumeration": [{"value": 1, "label": "A"}, {"value": 1, "label": "B"}]},
         "invalid_parameter"),
        ("calculated", {}, "missing_parameter"),
        ("global", {"type": "float"}, "missing_parameter"),
        ("normal", {"type": "currency"}, "invalid_parameter"),
    ],
)  # fmt: skip
def test_attribute_definitions_production_refuses(
    http: httpx.Client, category: str, body: dict[str, object], code: str
) -> None:
    response = define(http, category, "X", **body)
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_identifier_attributes_cant_be_deleted(http: httpx.Client) -> None:
    response = http.delete("/contacts/attributes/normal/EMAIL")
    assert response.status_code == 400
    assert http.delete("/contacts/attributes/normal/FIRSTNAME").status_code == 204


@pytest.fixture
def typed(http: httpx.Client) -> None:
    for name, kind in (("POINTS", "float"), ("SIGNUP", "date"), ("VIP", "boolean")):
        assert define(http, "normal", name, type=kind).status_code == 201
    tier = [{"value": 1, "label": "Gold"}, {"value": 2, "label": "Silver"}]
    assert define(http, "category", "TIER", enumeration=tier).status_code == 201
    assert define(http, "calculated", "TOTAL", value="SUM[POINTS]").status_code == 201


def test_values_that_fit_are_kept(http: httpx.Client, typed: None) -> None:
    response = http.post(
        "/contacts",
        json={
            "email": "ada@example.com",
            "attributes": {
                "points": 1500,
                "SIGNUP": "2024-01-15",
                "VIP": True,
                "TIER": "Gold",
                "FIRSTNAME": "Ada",
            },
        },
    )
    assert response.status_code == 201
    assert attributes_of(http, "ada@example.com") == {
        "POINTS": 1500,
        "SIGNUP": "2024-01-15",
        "VIP": True,
        "TIER": 1,
        "FIRSTNAME": "Ada",
    }


def test_values_that_dont_fit_or_dont_exist_are_silently_dropped(
    http: httpx.Client, typed: None
) -> None:
    response = http.post(
        "/contacts",
        json={
            "email": "ada@example.com",
            "attributes": {
                "POINTS": "1500",  # a string in a float attribute
                "SIGNUP": "15/01/2024",  # not YYYY-MM-DD
                "VIP": "yes",
                "TIER": "Platinum",  # not in the enumeration
                "TOTAL": 3,  # calculated: Brevo computes it
                "LOYALTY_ID": "LYL-1",  # no such attribute
                "FIRSTNAME": 42,  # a number in a text attribute
            },
        },
    )
    assert response.status_code == 201  # the request succeeds; the data is lost
    assert attributes_of(http, "ada@example.com") == {}
    update = http.put(
        "/contacts/ada@example.com", json={"attributes": {"POINTS": "x", "SIGNUP": "2024-02-30"}}
    )
    assert update.status_code == 204
    assert attributes_of(http, "ada@example.com") == {}


def test_null_clears_a_value_and_deleting_the_attribute_clears_it_everywhere(
    http: httpx.Client, typed: None, mock: BrevoMock
) -> None:
    http.post("/contacts", json={"email": "ada@example.com", "attributes": {"POINTS": 5.5}})
    http.put("/contacts/ada@example.com", json={"attributes": {"POINTS": None}})
    assert attributes_of(http, "ada@example.com") == {}
    http.put("/contacts/ada@example.com", json={"attributes": {"POINTS": 7}})
    assert http.delete("/contacts/attributes/normal/POINTS").status_code == 204
    assert attributes_of(http, "ada@example.com") == {}
    http.put("/contacts/ada@example.com", json={"attributes": {"POINTS": 7}})
    assert attributes_of(http, "ada@example.com") == {}


def test_sms_is_an_identifier_checked_for_shape_and_uniqueness(http: httpx.Client) -> None:
    bad = http.post("/contacts", json={"email": "a@example.com", "attributes": {"SMS": "call me"}})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_parameter"
    first = http.post(
        "/contacts", json={"email": "a@example.com", "attributes": {"SMS": "+3361234"}}
    )
    assert first.status_code == 201
    taken = http.post(
        "/contacts", json={"email": "b@example.com", "attributes": {"SMS": "3361234"}}
    )
    assert taken.status_code == 400
    assert taken.json()["metadata"] == {
        "duplicate_identifiers": ["SMS"],
        "existing_id": first.json()["id"],
    }
