"""Reading an OpenAPI document, and the one adapter to openapi-core (spec/, contract/, mock/).

- :data:`HTTP_METHODS`: the operation keys of a path item;
- :func:`load_spec`: a YAML or JSON document with ``paths``;
- :func:`lookup`, :func:`deref`, :func:`resolve`: local ``$ref`` pointers, followed one
  chain at a time or inlined everywhere (OpenAPI 3.1 keywords beside a ``$ref`` apply on
  top of its target);
- :class:`Operation`, :func:`iter_operations`: every operation with its path-level
  parameters merged in;
- :class:`OpenAPIRequest`, :class:`OpenAPIResponse` and their ``from_httpx`` builders:
  the request and response protocols openapi-core validates;
- :func:`schema_errors`: the one read of an openapi-core attribute it does not document,
  checked by :func:`check_openapi_core_compatibility`
  (``tests/contract/test_openapi_core_internals.py``).

Plain Python at import time: ``yaml`` (the ``spec``/``mock`` extras) and openapi-core /
werkzeug (the ``mock`` extra) are imported by the functions that need them.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

if TYPE_CHECKING:
    import httpx

__all__ = [
    "HTTP_METHODS",
    "OpenAPIRequest",
    "OpenAPIResponse",
    "Operation",
    "check_openapi_core_compatibility",
    "deref",
    "iter_operations",
    "load_spec",
    "lookup",
    "resolve",
    "schema_errors",
]

#: The keys of an OpenAPI path item that are operations, in the usual order.
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def load_spec(path: Path | str) -> dict[str, Any]:
    """Load an OpenAPI document from YAML or JSON.

    Raises:
        ValueError: the file is not an OpenAPI document with ``paths``.
    """
    import yaml

    with open(path, encoding="utf-8") as handle:
        doc = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(doc, dict) or not isinstance(doc.get("paths"), dict):
        raise ValueError(f"{path}: not an OpenAPI document (no 'paths' mapping)")
    return doc


# --- $ref ------------------------------------------------------------------------------


def lookup(doc: Any, ref: str) -> Any:
    """The node a local ``$ref`` (``#/components/schemas/X``) points at in ``doc``.

    Raises:
        ValueError: the reference is not local or does not resolve.
    """
    if not ref.startswith("#"):
        raise ValueError(f"only local $ref is supported, got {ref!r}")
    node: Any = doc
    for raw in ref[1:].split("/")[1:]:
        key = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        elif isinstance(node, dict) and key in node:
            node = node[key]
        else:
            raise ValueError(f"unresolvable $ref {ref!r}")
    return node


def deref(doc: Any, node: Any) -> tuple[Any, tuple[str, ...]]:
    """Follow ``node``'s ``$ref`` chain; the target and the refs followed, in order.

    Raises:
        ValueError: a reference does not resolve or the chain loops.
    """
    refs: tuple[str, ...] = ()
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if ref in refs:
            raise ValueError(f"circular $ref chain through {ref!r}")
        refs += (ref,)
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        target = lookup(doc, ref)
        node = {**target, **siblings} if siblings and isinstance(target, dict) else target
    return node, refs


def resolve(doc: Any, node: Any, _seen: tuple[str, ...] = ()) -> Any:
    """A deep copy of ``node`` with every local ``$ref`` inlined.

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
        if ref in _seen:
            raise ValueError(f"recursive $ref {ref!r}")
        merged = resolve(doc, lookup(doc, ref), (*_seen, ref))
        siblings = {k: resolve(doc, v, _seen) for k, v in node.items() if k != "$ref"}
        if isinstance(merged, dict):
            merged.update(siblings)
        return merged
    return {key: resolve(doc, value, _seen) for key, value in node.items()}


# --- operations ------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    """One operation of a spec, with its path-level parameters merged in."""

    operation_id: str
    method: str
    path: str
    node: dict[str, Any]
    parameters: tuple[dict[str, Any], ...]


def iter_operations(doc: dict[str, Any]) -> Iterator[Operation]:
    """Yield every operation of ``doc`` in document order, ``$ref``s resolved.

    Raises:
        ValueError: an operation has no ``operationId``, or a ``$ref`` does not resolve.
    """
    for path, raw_item in doc["paths"].items():
        item = resolve(doc, raw_item)
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


# --- openapi-core ----------------------------------------------------------------------


class OpenAPIRequest:
    """openapi-core's request protocol, as plain attributes.

    Args:
        host_url: ``scheme://host[:port]``.
        path: the raw (still percent-encoded) path, prefix included.
        method: any case.
        query, headers: ``(name, value)`` pairs.
        path_params: decoded path parameters, when the route is already known.
        path_pattern: the spec's path (prefix included), when already known.
        content_type: the request's media type.
        body: the request body (None: none).
    """

    def __init__(
        self,
        *,
        host_url: str,
        path: str,
        method: str,
        query: list[tuple[str, str]] | None = None,
        headers: list[tuple[str, str]] | None = None,
        path_params: Mapping[str, str] | None = None,
        path_pattern: str | None = None,
        content_type: str = "",
        body: bytes | None = None,
    ) -> None:
        from openapi_core.datatypes import RequestParameters
        from werkzeug.datastructures import Headers, ImmutableMultiDict

        self.host_url = host_url
        self.path = path
        self.method = method.lower()
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(query or []),
            header=Headers(headers or []),
            cookie=ImmutableMultiDict(),
            path=dict(path_params or {}),
        )
        if path_pattern is not None:
            self.path_pattern = path_pattern
        self.content_type = content_type
        self.body = body

    @classmethod
    def from_httpx(cls, request: httpx.Request) -> OpenAPIRequest:
        """The protocol view of an httpx request (its body is read)."""
        url = request.url
        return cls(
            host_url=f"{url.scheme}://{url.netloc.decode('ascii')}",
            # Raw path: an identifier holding an encoded "/" stays one path segment.
            path=url.raw_path.decode("ascii").split("?", 1)[0],
            method=request.method,
            query=list(url.params.multi_items()),
            headers=list(request.headers.multi_items()),
            content_type=str(request.headers.get("content-type", "")).lower(),
            body=request.read() or None,
        )


class OpenAPIResponse:
    """openapi-core's response protocol, as plain attributes."""

    def __init__(
        self,
        status_code: int,
        headers: list[tuple[str, str]],
        content_type: str,
        data: bytes | None,
    ) -> None:
        from werkzeug.datastructures import Headers

        self.status_code = status_code
        self.headers = Headers(headers)
        self.content_type = content_type
        self.data = data

    @classmethod
    def from_httpx(cls, response: httpx.Response) -> OpenAPIResponse:
        """The protocol view of an httpx response (its body is read)."""
        return cls(
            response.status_code,
            list(response.headers.multi_items()),
            str(response.headers.get("content-type", "")).lower(),
            response.read() or None,
        )


def schema_errors(exc: BaseException | None) -> list[Any]:
    """The jsonschema errors an openapi-core exception carries (empty when none).

    openapi-core raises a validation error whose ``__cause__`` (an ``InvalidSchemaValue``)
    holds the jsonschema errors in ``schema_errors``: an attribute it does not document,
    read here only (see :func:`check_openapi_core_compatibility`).
    """
    errors = getattr(exc, "schema_errors", None)
    return list(errors) if errors else []


_PROBE = {
    "openapi": "3.1.0",
    "info": {"title": "probe", "version": "1"},
    "servers": [{"url": "http://probe"}],
    "paths": {
        "/x": {
            "get": {
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"type": "object", "required": ["id"]}}
                        },
                    }
                }
            }
        }
    },
}


def check_openapi_core_compatibility() -> list[str]:
    """What the installed openapi-core no longer does as used here (empty: all there).

    Validates a response missing a required field and looks for the jsonschema errors
    where :func:`schema_errors` reads them.
    """
    try:
        from openapi_core import OpenAPI
    except ImportError as exc:
        return [f"import: {exc}"]
    request = OpenAPIRequest(host_url="http://probe", path="/x", method="GET")
    response = OpenAPIResponse(
        200, [("content-type", "application/json")], "application/json", b"{}"
    )
    result = OpenAPI.from_dict(copy.deepcopy(_PROBE)).unmarshal_response(request, response)
    found = list(result.errors)
    if not found:
        return ["a response missing a required field unmarshalled without errors"]
    errors = schema_errors(found[0].__cause__)
    if not errors:
        return [
            f"{type(found[0]).__name__}.__cause__ no longer carries schema_errors "
            "(read by tajo_brevo._openapi_kit.schema_errors)"
        ]
    if not all(hasattr(e, "message") and hasattr(e, "absolute_path") for e in errors):
        return ["schema_errors are no longer jsonschema errors (message, absolute_path)"]
    return []
