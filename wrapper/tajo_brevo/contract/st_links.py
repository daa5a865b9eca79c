"""Links added for schemathesis' stateful phase on top of those the spec declares."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

__all__ = ["STATEFUL_LINKS", "with_links"]

#: (source operationId, status, link name, target operationId, parameters, requestBody):
#: links added for the stateful phase on top of those the effective spec declares
#: (openapi/corrections.yml: create contact -> get/update/delete, create list -> get/
#: update/delete/add/remove/members, ...). This one puts a value inside an array of the
#: request body, which only schemathesis understands, so it stays out of the spec.
STATEFUL_LINKS: list[tuple[str, str, str, str, dict[str, str], Any]] = [
    ("createContactList", "201", "ImportIntoList", "importContacts",
     {}, {"listIds": ["$response.body#/id"]}),
]  # fmt: skip


def with_links(spec: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``spec`` with :data:`STATEFUL_LINKS` added to its responses."""
    doc: dict[str, Any] = copy.deepcopy(dict(spec))
    by_id = {
        op["operationId"]: op
        for item in doc["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }
    for source, status, name, target, parameters, body in STATEFUL_LINKS:
        if source not in by_id or target not in by_id:
            continue  # a document with part of the operations (a test's excerpt)
        response = by_id[source]["responses"][status]
        link: dict[str, Any] = {"operationId": target}
        if parameters:
            link["parameters"] = dict(parameters)
        if body is not None:
            link["requestBody"] = copy.deepcopy(body)
        response.setdefault("links", {})[name] = link
    return doc
