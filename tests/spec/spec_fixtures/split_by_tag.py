"""Split a spec by tag the way upstream split the Brevo Contacts spec.

One document per tag: that tag's operations, the components they reference (followed
transitively), every security scheme, and an ``info`` of its own. Used to make the
pin's split twin for the spec-update tests (not the upstream files themselves).
"""

from __future__ import annotations

import copy
import re
from typing import Any

_REF = re.compile(r"^#/components/([^/]+)/([^/]+)$")


def _refs(node: Any) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and (match := _REF.match(ref)):
            found.add((match.group(1), match.group(2)))
        for value in node.values():
            found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found


def split_by_tag(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """file name -> document, one per tag of ``doc``'s operations."""
    components = doc.get("components") or {}
    files: dict[str, dict[str, Any]] = {}
    for tag in doc.get("tags") or []:
        name = tag["name"]
        paths: dict[str, Any] = {}
        for path, item in doc["paths"].items():
            kept = {
                method: copy.deepcopy(op)
                for method, op in item.items()
                if isinstance(op, dict) and name in (op.get("tags") or [])
            }
            if kept:
                paths[path] = kept
        if not paths:
            continue
        wanted, todo = set(), _refs(paths)
        while todo:
            ref = todo.pop()
            if ref not in wanted:
                wanted.add(ref)
                todo |= _refs(components[ref[0]][ref[1]])
        own: dict[str, dict[str, Any]] = {}
        for section, entry in sorted(wanted):
            own.setdefault(section, {})[entry] = copy.deepcopy(components[section][entry])
        if "securitySchemes" in components:
            own["securitySchemes"] = copy.deepcopy(components["securitySchemes"])
        slug = re.sub(r"[^a-z]+", "-", name.lower()).strip("-")
        files[f"brevo-{slug}-api-openapi.yml"] = {
            "openapi": doc["openapi"],
            "info": {"title": f"Brevo {name} API", "version": doc["info"]["version"]},
            "servers": copy.deepcopy(doc.get("servers", [])),
            "security": copy.deepcopy(doc.get("security", [])),
            "tags": [copy.deepcopy(tag)],
            "paths": paths,
            "components": own,
        }
    return files
