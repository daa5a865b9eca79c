"""Fixture specs for the spec differ and the spec update: small edits of the pin.

Each fixture is a function that edits a deep copy of ``openapi/brevo-contacts.yml`` (the
pin) the way an upstream bump could, plus the exact changes a client-side diff must
report for it: ``(operation, location, kind, severity)``. New names carry a ``tajo``
prefix so that no real upstream bump adds them; a bump that changes one of the edited
spots (e.g. drops the ``sort`` parameter of listContacts) needs its fixture updated.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

B, N = "breaking", "non-breaking"
Expected = set[tuple[str, str, str, str]]


@dataclass(frozen=True)
class SpecFixture:
    name: str
    edit: Callable[[dict[str, Any]], None]
    expected: Expected

    def build(self, pin: dict[str, Any]) -> dict[str, Any]:
        doc = copy.deepcopy(pin)
        self.edit(doc)
        return doc


def _schemas(doc: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = doc["components"]["schemas"]
    return schemas


def removed_operation(doc: dict[str, Any]) -> None:
    del doc["paths"]["/contacts/{identifier}"]["delete"]


def new_operation(doc: dict[str, Any]) -> None:
    doc["paths"]["/contacts/tajo-fixture"] = {
        "post": {
            "operationId": "tajoFixtureOperation",
            "tags": ["Contacts"],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/UpdateContact"},
                        }
                    }
                },
            },
            "responses": {"204": {"description": "Contacts updated"}},
        }
    }


def new_required_request_field(doc: dict[str, Any]) -> None:
    create = _schemas(doc)["CreateContact"]
    create["properties"]["tajoFixtureTier"] = {"type": "string"}
    create["required"] = ["tajoFixtureTier"]


def request_field_becomes_required(doc: dict[str, Any]) -> None:
    _schemas(doc)["CreateContact"]["required"] = ["email"]


def new_optional_request_field(doc: dict[str, Any]) -> None:
    _schemas(doc)["CreateContact"]["properties"]["tajoFixtureTier"] = {"type": "string"}


def new_optional_response_field(doc: dict[str, Any]) -> None:
    _schemas(doc)["Contact"]["properties"]["tajoFixturePoints"] = {"type": "integer"}


def changed_response_type(doc: dict[str, Any]) -> None:
    contact_id = _schemas(doc)["Contact"]["properties"]["id"]
    contact_id["type"] = "string"
    del contact_id["format"]


def narrowed_request_enum(doc: dict[str, Any]) -> None:
    for param in doc["paths"]["/contacts"]["get"]["parameters"]:
        if param.get("name") == "sort":
            param["schema"]["enum"] = ["desc"]


def narrowed_response_enum(doc: dict[str, Any]) -> None:
    attribute = _schemas(doc)["ContactAttributeList"]["properties"]["attributes"]["items"]
    attribute["properties"]["type"]["enum"].remove("id")


def widened_response_enum(doc: dict[str, Any]) -> None:
    attribute = _schemas(doc)["ContactAttributeList"]["properties"]["attributes"]["items"]
    attribute["properties"]["type"]["enum"].append("multiple-choice")


def removed_response_field(doc: dict[str, Any]) -> None:
    del _schemas(doc)["ContactListDetail"]["properties"]["totalBlacklisted"]


def new_required_query_parameter(doc: dict[str, Any]) -> None:
    doc["paths"]["/contacts/folders"]["get"]["parameters"].append(
        {"name": "folderType", "in": "query", "required": True, "schema": {"type": "string"}}
    )


def removed_success_status(doc: dict[str, Any]) -> None:
    responses = doc["paths"]["/contacts/lists"]["post"]["responses"]
    responses["200"] = responses.pop("201")


ID_OF_CONTACT = {
    ("GET /contacts", "response 200 application/json: contacts[].id"),
    ("GET /contacts/{identifier}", "response 200 application/json: id"),
}

FIXTURES = [
    SpecFixture(
        "removed_operation",
        removed_operation,
        {("DELETE /contacts/{identifier}", "", "operation-removed", B)},
    ),
    SpecFixture(
        "new_operation",
        new_operation,
        {("POST /contacts/tajo-fixture", "", "operation-added", N)},
    ),
    SpecFixture(
        "new_required_request_field",
        new_required_request_field,
        {("POST /contacts", "request body application/json: tajoFixtureTier", "property-added", B)},
    ),
    SpecFixture(
        "request_field_becomes_required",
        request_field_becomes_required,
        {
            (
                "POST /contacts",
                "request body application/json: email",
                "property-required-changed",
                B,
            )
        },
    ),
    SpecFixture(
        "new_optional_request_field",
        new_optional_request_field,
        {("POST /contacts", "request body application/json: tajoFixtureTier", "property-added", N)},
    ),
    SpecFixture(
        "new_optional_response_field",
        new_optional_response_field,
        {
            (
                "GET /contacts",
                "response 200 application/json: contacts[].tajoFixturePoints",
                "property-added",
                N,
            ),
            (
                "GET /contacts/{identifier}",
                "response 200 application/json: tajoFixturePoints",
                "property-added",
                N,
            ),
        },
    ),
    SpecFixture(
        "changed_response_type",
        changed_response_type,
        {
            (op, loc, kind, B)
            for op, loc in ID_OF_CONTACT
            for kind in ("type-changed", "format-changed")
        },
    ),
    SpecFixture(
        "narrowed_request_enum",
        narrowed_request_enum,
        {("GET /contacts", "parameter query sort", "enum-value-removed", B)},
    ),
    SpecFixture(
        "narrowed_response_enum",
        narrowed_response_enum,
        {
            (
                "GET /contacts/attributes",
                "response 200 application/json: attributes[].type",
                "enum-value-removed",
                N,
            )
        },
    ),
    SpecFixture(
        "widened_response_enum",
        widened_response_enum,
        {
            (
                "GET /contacts/attributes",
                "response 200 application/json: attributes[].type",
                "enum-value-added",
                B,
            )
        },
    ),
    SpecFixture(
        "removed_response_field",
        removed_response_field,
        {
            (
                "GET /contacts/lists/{listId}",
                "response 200 application/json: totalBlacklisted",
                "property-removed",
                B,
            ),
            (
                "GET /contacts/lists",
                "response 200 application/json: lists[].totalBlacklisted",
                "property-removed",
                B,
            ),
        },
    ),
    SpecFixture(
        "new_required_query_parameter",
        new_required_query_parameter,
        {("GET /contacts/folders", "parameter query folderType", "parameter-added", B)},
    ),
    SpecFixture(
        "removed_success_status",
        removed_success_status,
        {
            ("POST /contacts/lists", "response 200", "response-added", N),
            ("POST /contacts/lists", "response 201", "response-removed", B),
        },
    ),
]
