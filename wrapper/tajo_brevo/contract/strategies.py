"""Hypothesis strategies generated from an OpenAPI spec: request inputs and responses.

``request_inputs`` draws what a caller passes to an operation (path and query
parameters, body) from the spec's schemas; ``responses`` draws what a server answers
for one documented status (headers and body). A respx test serves the latter to a
client called with the former, and validates both with
:class:`tajo_brevo.contract.validation.SpecValidator`.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from typing import Any

import httpx
from hypothesis import strategies as st

from tajo_brevo._openapi_kit import Operation, iter_operations, resolve

__all__ = ["RequestInput", "ResponseCase", "SpecStrategies", "from_schema", "realistic_emails"]

_INT_BOUNDS = {"int32": 2**31, "int64": 2**63}
# Keywords that only annotate: they don't constrain what is valid.
_ANNOTATIONS = frozenset(
    {
        "description",
        "example",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
        "default",
        "title",
        "format",
        "$comment",
    }
)
_SUPPORTED = _ANNOTATIONS | {
    "type", "enum", "const", "properties", "required", "additionalProperties", "items",
    "minItems", "maxItems", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "minLength", "maxLength", "pattern", "anyOf", "oneOf", "not",
}  # fmt: skip
_JSON_SCALARS: st.SearchStrategy[Any] = (
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20)
    | st.floats(allow_nan=False, allow_infinity=False)
)  # fmt: skip
_ANY_JSON: st.SearchStrategy[Any] = st.recursive(
    _JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=6,
)


def realistic_emails() -> st.SearchStrategy[str]:
    """Addresses a real mail service accepts (``first.last42@example.org``).

    Hypothesis' own ``emails()`` draws odd but RFC-valid addresses that production
    services (and the mock) reject as invalid, which would test the wrong thing.
    """
    local = st.from_regex(r"[a-z][a-z0-9]{0,11}(\.[a-z0-9]{1,8})?", fullmatch=True)
    domain = st.from_regex(r"[a-z][a-z0-9-]{0,10}[a-z0-9]", fullmatch=True)
    tld = st.sampled_from(["com", "org", "net", "fr", "io", "example"])
    return st.builds(lambda lo, do, t: f"{lo}@{do}.{t}", local, domain, tld)


_FORMATS: dict[str, st.SearchStrategy[str]] = {
    "email": realistic_emails(),
    "date": st.dates(datetime.date(1970, 1, 1), datetime.date(2100, 12, 31)).map(str),
    "date-time": st.datetimes(
        datetime.datetime(1970, 1, 1), datetime.datetime(2100, 12, 31),
        timezones=st.just(datetime.UTC),
    ).map(lambda d: d.isoformat().replace("+00:00", "Z")),
    "uri": st.from_regex(r"https://[a-z]{1,12}\.example/[a-z0-9/]{0,20}", fullmatch=True),
}  # fmt: skip


def from_schema(schema: Any) -> st.SearchStrategy[Any]:
    """Draw JSON values valid against a resolved (``$ref``-free) OpenAPI 3.1 schema.

    Covers the JSON Schema subset the Brevo specs use; any other keyword raises, so a
    spec bump that needs more fails loudly instead of drawing invalid data.

    Raises:
        ValueError: the schema uses a keyword or format this does not support.
    """
    if schema is True or schema == {}:
        return _ANY_JSON
    if not isinstance(schema, dict):
        raise ValueError(f"unsupported schema {schema!r}")
    unknown = set(schema) - _SUPPORTED
    if unknown:
        raise ValueError(f"unsupported schema keywords {sorted(unknown)}")
    if "not" in schema:
        # A rule across fields (e.g. an import's exactly-one-source): draw from the rest,
        # keep what the rule allows.
        from jsonschema import Draft202012Validator

        forbidden = Draft202012Validator(schema["not"])
        rest = {k: v for k, v in schema.items() if k != "not"}
        return from_schema(rest).filter(lambda value: not forbidden.is_valid(value))
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            rest = {k: v for k, v in schema.items() if k != key}
            return st.one_of([from_schema({**rest, **sub}) for sub in schema[key]])
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of([from_schema({**schema, "type": k}) for k in kind])
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        bound = _INT_BOUNDS.get(str(schema.get("format")), 2**53)
        low = max(-bound, schema.get("minimum", -bound))
        high = min(bound - 1, schema.get("maximum", bound - 1))
        low = max(low, schema["exclusiveMinimum"] + 1) if "exclusiveMinimum" in schema else low
        high = min(high, schema["exclusiveMaximum"] - 1) if "exclusiveMaximum" in schema else high
        return st.integers(low, high)
    if kind == "number":
        return st.floats(
            schema.get("minimum"), schema.get("maximum"), allow_nan=False, allow_infinity=False
        )
    if kind == "string":
        fmt = schema.get("format")
        if fmt in _FORMATS:
            return _FORMATS[fmt]
        if fmt is not None:
            raise ValueError(f"unsupported string format {fmt!r}")
        if "pattern" in schema:
            return st.from_regex(schema["pattern"])
        return st.text(min_size=schema.get("minLength", 0), max_size=schema.get("maxLength", 30))
    if kind == "array":
        return st.lists(
            from_schema(schema.get("items", {})),
            min_size=schema.get("minItems", 0),
            max_size=min(schema.get("maxItems", 4), 4),
        )
    if kind == "object" or (kind is None and "properties" in schema):
        return _object(schema)
    if kind is None:
        return _ANY_JSON
    raise ValueError(f"unsupported schema type {kind!r}")


def _object(schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    props: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    extra = schema.get("additionalProperties", True)
    fixed = st.fixed_dictionaries(
        {k: from_schema(v) for k, v in props.items() if k in required},
        optional={k: from_schema(v) for k, v in props.items() if k not in required},
    )
    if extra is False:
        return fixed
    names = st.text(min_size=1, max_size=12).filter(lambda n: n not in props)
    extras = st.dictionaries(names, from_schema(extra), max_size=2)
    return st.builds(lambda e, f: {**e, **f}, extras, fixed)


@dataclass(frozen=True)
class RequestInput:
    """Inputs for one call: values keyed by the spec's parameter names."""

    operation_id: str
    path_params: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    has_body: bool = False


@dataclass(frozen=True)
class ResponseCase:
    """A response for one documented status: headers and, if documented, a JSON body."""

    operation_id: str
    status: int
    headers: dict[str, str]
    body: Any = None
    has_body: bool = False

    def to_httpx(self) -> httpx.Response:
        """Build the httpx response a respx route returns."""
        if not self.has_body:
            return httpx.Response(self.status, headers=self.headers)
        return httpx.Response(
            self.status,
            headers={**self.headers, "content-type": "application/json"},
            content=json.dumps(self.body).encode(),
        )


class SpecStrategies:
    """Strategies for every operation of one spec.

    Args:
        doc: the loaded OpenAPI document (see ``tajo_brevo._openapi_kit.load_spec``).
        reserved_path_values: values a string path parameter must never take because
            they are fixed segments of another path (``/contacts/lists`` vs
            ``/contacts/{identifier}``); defaults to every fixed segment of the spec.
    """

    def __init__(
        self, doc: dict[str, Any], *, reserved_path_values: frozenset[str] | None = None
    ) -> None:
        self._doc = doc
        self._operations = {op.operation_id: op for op in iter_operations(doc)}
        if reserved_path_values is None:
            reserved_path_values = frozenset(
                segment
                for path in doc["paths"]
                for segment in path.strip("/").split("/")
                if not segment.startswith("{")
            )
        # "." and ".." are dot-segments: URL normalisation would remove them.
        self._reserved = reserved_path_values | {".", ".."}

    def operation(self, operation_id: str) -> Operation:
        """Return the operation named ``operation_id``.

        Raises:
            KeyError: the spec has no such operation.
        """
        return self._operations[operation_id]

    def _path_value(self, schema: dict[str, Any]) -> st.SearchStrategy[Any]:
        if schema.get("type") == "string" and "enum" not in schema and "format" not in schema:
            schema = {**schema, "minLength": max(1, schema.get("minLength", 1))}
        reserved = self._reserved
        return from_schema(schema).filter(lambda v: str(v) not in reserved)

    def request_inputs(self, operation_id: str) -> st.SearchStrategy[RequestInput]:
        """Draw schema-valid inputs for ``operation_id``.

        Optional query parameters and an optional body are sometimes left out.

        Raises:
            KeyError: the spec has no such operation.
        """
        op = self.operation(operation_id)
        path_params = {
            p["name"]: self._path_value(p.get("schema", {}))
            for p in op.parameters
            if p["in"] == "path"
        }
        query: dict[str, st.SearchStrategy[Any]] = {}
        optional: list[str] = []
        for param in op.parameters:
            if param["in"] != "query":
                continue
            query[param["name"]] = from_schema(param.get("schema", {}))
            if not param.get("required"):
                optional.append(param["name"])
        body_node = op.node.get("requestBody")
        body: st.SearchStrategy[Any] = st.none()
        has_body: st.SearchStrategy[bool] = st.just(False)
        if body_node is not None:
            content = body_node.get("content", {})
            if "application/json" not in content:
                raise ValueError(f"{operation_id}: only JSON request bodies are supported")
            body = from_schema(content["application/json"].get("schema", {}))
            has_body = st.just(True) if body_node.get("required") else st.booleans()

        @st.composite
        def draw(draw_: st.DrawFn) -> RequestInput:
            path = {name: draw_(strategy) for name, strategy in path_params.items()}
            drawn_query = {}
            for name, strategy in query.items():
                if name in optional and draw_(st.booleans()):
                    continue
                drawn_query[name] = draw_(strategy)
            with_body = draw_(has_body)
            return RequestInput(
                operation_id,
                path_params=path,
                query=drawn_query,
                body=draw_(body) if with_body else None,
                has_body=with_body,
            )

        return draw()

    def responses(self, operation_id: str, status: str) -> st.SearchStrategy[ResponseCase]:
        """Draw a response ``operation_id`` documents for ``status``.

        Every documented header with a schema is sent; a JSON body is drawn from the
        ``application/json`` schema when the response documents content.

        Raises:
            KeyError: the operation or the status is not documented.
            ValueError: the response documents content other than JSON.
        """
        op = self.operation(operation_id)
        responses = op.node.get("responses") or {}
        if status not in responses:
            raise KeyError(f"{operation_id} documents no {status} response")
        response = resolve(self._doc, responses[status])
        headers = {
            name: from_schema(spec.get("schema", {})).map(_header_text)
            for name, spec in (response.get("headers") or {}).items()
            if "schema" in spec
        }
        content = response.get("content") or {}
        if content and "application/json" not in content:
            raise ValueError(f"{operation_id} {status}: only JSON responses are supported")
        body: st.SearchStrategy[Any] = (
            from_schema(content["application/json"].get("schema", {})) if content else st.none()
        )
        return st.builds(
            ResponseCase,
            st.just(operation_id),
            st.just(int(status)),
            st.fixed_dictionaries(headers),
            body,
            st.just(bool(content)),
        )


def _header_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
