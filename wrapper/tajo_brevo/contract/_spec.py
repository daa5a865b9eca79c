"""Reading an OpenAPI document: operations and fully resolved (``$ref``-free) nodes."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


@dataclass(frozen=True)
class Operation:
    """One operation of a spec, with its path-level parameters merged in."""

    operation_id: str
    method: str
    path: str
    node: dict[str, Any]
    parameters: tuple[dict[str, Any], ...]


def load_spec(path: Path | str) -> dict[str, Any]:
    """Load an OpenAPI document from YAML or JSON.

    Raises:
        ValueError: the file is not an OpenAPI document with ``paths``.
    """
    with open(path, encoding="utf-8") as handle:
        doc = yaml.safe_load(handle)
    if not isinstance(doc, dict) or not isinstance(doc.get("paths"), dict):
        raise ValueError(f"{path}: not an OpenAPI document (no 'paths' mapping)")
    return doc


def resolve(doc: dict[str, Any], node: Any, _seen: tuple[str, ...] = ()) -> Any:
    """Return a deep copy of ``node`` with every local ``$ref`` inlined.

    Sibling keys of a ``$ref`` (allowed in OpenAPI 3.1) are kept over the target's.

    Raises:
        ValueError: a reference is not local, does not resolve, or is recursive.
    """
    if isinstance(node, list):
        return [resolve(doc, item, _seen) for item in node]
    if not isinstance(node, dict):
        return copy.deepcopy(node)
    ref = node.get("$ref")
    if isinstance(ref, str):
        if not ref.startswith("#/"):
            raise ValueError(f"only local references are supported, got {ref!r}")
        if ref in _seen:
            raise ValueError(f"recursive reference {ref!r}")
        target: Any = doc
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                raise ValueError(f"unresolvable reference {ref!r}")
            target = target[part]
        merged = resolve(doc, target, (*_seen, ref))
        siblings = {k: resolve(doc, v, _seen) for k, v in node.items() if k != "$ref"}
        if isinstance(merged, dict):
            merged.update(siblings)
        return merged
    return {key: resolve(doc, value, _seen) for key, value in node.items()}


def iter_operations(doc: dict[str, Any]) -> Iterator[Operation]:
    """Yield every operation of ``doc`` in document order, parameters resolved.

    Raises:
        ValueError: an operation has no ``operationId``.
    """
    for path, item in doc["paths"].items():
        item = resolve(doc, item)
        shared = item.get("parameters", [])
        for method in HTTP_METHODS:
            op = item.get(method)
            if op is None:
                continue
            op_id = op.get("operationId")
            if not op_id:
                raise ValueError(f"{method.upper()} {path} has no operationId")
            own = op.get("parameters", [])
            own_keys = {(p["name"], p["in"]) for p in own}
            params = [p for p in shared if (p["name"], p["in"]) not in own_keys] + own
            yield Operation(op_id, method, path, op, tuple(params))
