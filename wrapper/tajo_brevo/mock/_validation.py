"""Request and response validation against the effective spec.

Requests are on the hot path, so everything the spec says about an operation is
prepared once, when the mock starts: each parameter's location, style and caster, each
schema with its ``$ref``s inlined and compiled into a JSON Schema 2020-12 validator
(OpenAPI 3.1's dialect, with OpenAPI's formats). A request then costs a few dict
lookups, casts and compiled checks: no ``$ref`` resolution, no copies.

A request that breaks the spec becomes Brevo's 400 body: ``missing_parameter`` when a
required field or the body is absent, ``invalid_parameter`` otherwise, with a message
naming the field. Formats the spec uses are all checked (``int64`` ranges, ``date``,
``date-time``, ``email``, ``uri``): jsonschema leaves ``uri`` unchecked without an extra
package and accepts any string containing ``@`` as an email, so both get real checks here.

Responses are checked with openapi-core (``response_problems``): that is for tests, not
the hot path, so its validator is built on first use.
"""

from __future__ import annotations

import contextlib
import copy
import datetime
import functools
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from jsonschema import FormatChecker
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS31Validator, oas31_format_checker

from .._openapi_kit import (
    HTTP_METHODS,
    OpenAPIRequest,
    OpenAPIResponse,
    load_spec,
    resolve,
    schema_errors,
)
from ._state import EMAIL_RE, MockAPIError

if TYPE_CHECKING:
    from ._app import RecordedExchange

#: Host the openapi-core response validator sees (any host works for the mock).
_HOST = "http://tajo-brevo-mock"
#: Path prefix of the API (the spec's server is https://api.brevo.com/v3).
API_PREFIX = "/v3"
_MAX_DETAIL = 300


def _is_email(value: Any) -> bool:
    return not isinstance(value, str) or bool(EMAIL_RE.match(value))


def _is_uri(value: Any) -> bool:
    if not isinstance(value, str):
        return True
    if any(ch.isspace() for ch in value) or not value.isprintable():
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    scheme = parts.scheme
    return bool(scheme) and scheme[0].isalpha() and (bool(parts.netloc) or bool(parts.path))


def _format_checker() -> FormatChecker:
    """OpenAPI 3.1's formats (int32/int64/float/double ranges, date, date-time, ...) plus
    the mock's real email and uri checks: what openapi-core checked before the rewrite."""
    checker = FormatChecker()
    checker.checkers = dict(oas31_format_checker.checkers)
    checker.checks("email")(_is_email)
    checker.checks("uri")(_is_uri)
    return checker


@dataclass(frozen=True)
class ValidatedRequest:
    """What the handlers get: typed path and query parameters and the JSON body."""

    path: dict[str, Any]
    query: dict[str, Any]
    body: Any
    #: ``scheme://host[:port]`` of the mock as the client addressed it (for URLs it hands out).
    root_url: str = ""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of range")
    return value


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


def parse_json(body: bytes) -> Any:
    """Strict JSON: no NaN/Infinity, no float overflowing to infinity (1e999), no lone
    surrogate escape (``"\\ud800"``: not a character, it can't be stored or sent back).

    Brevo answers 400 to those.

    Raises:
        MockAPIError: 400 invalid_parameter when the body is not strict JSON.
    """
    try:
        value = json.loads(body, parse_constant=_reject_constant, parse_float=_finite_float)
    except (ValueError, RecursionError):
        raise MockAPIError(400, "invalid_parameter", "body: not valid JSON") from None
    # Only an escape can produce a surrogate (raw bytes that are not UTF-8 fail above).
    if b"\\u" in body or b"\\U" in body:
        try:
            bad = _has_lone_surrogate(value)
        except RecursionError:  # pragma: no cover - json.loads already bounds nesting
            bad = True
        if bad:
            raise MockAPIError(
                400, "invalid_parameter", "body: invalid unicode escape (a lone surrogate)"
            )
    return value


def _field(path: Sequence[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _short(text: str) -> str:
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 3] + "..."


def _not_error(error: ValidationError) -> MockAPIError | None:
    """A rule the spec says with ``not`` (an import's exactly-one-source rule, add/remove
    members' emails-or-ids rule), in Brevo's words: the branch the value matched names
    fields given together (``required``: too many) or all missing (``properties``)."""
    schema, instance = error.validator_value, error.instance
    if not isinstance(schema, dict) or not isinstance(instance, dict):
        return None
    for branch in schema.get("anyOf", [schema]):
        if not OAS31Validator(branch).is_valid(instance):
            continue
        together = branch.get("required")
        absent = branch.get("properties")
        if together and not absent:
            return MockAPIError(
                400, "invalid_parameter", f"{', '.join(together)}: give exactly one of them"
            )
        if absent and not together:
            names = list(absent)
            listed = ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]
            return MockAPIError(400, "missing_parameter", f"{listed} is missing: give one")
    return None


def _schema_error(errors: Sequence[ValidationError], param: str | None) -> MockAPIError:
    """Schema errors of one value (a parameter, or the body when ``param`` is None)."""
    for error in errors:
        if error.validator == "required" and isinstance(error.instance, dict):
            missing = [p for p in error.validator_value if p not in error.instance]
            where = _field(list(error.absolute_path))
            names = ", ".join(f"{where}.{m}" if where else m for m in missing)
            return MockAPIError(400, "missing_parameter", f"{names} is missing")
    for error in errors:
        if error.validator == "not" and (found := _not_error(error)) is not None:
            return found
    details = []
    for error in errors[:3]:
        where = _field(list(error.absolute_path))
        prefix = param if param else "body"
        where = f"{prefix}.{where}" if where and not param else (where or prefix)
        details.append(f"{where}: {error.message}")
    return MockAPIError(400, "invalid_parameter", _short("; ".join(details)))


def _caster(schema: Mapping[str, Any]) -> Callable[[str], Any]:
    """How a query or path string becomes the schema's type (as openapi-core casts)."""
    kind = schema.get("type")
    if kind == "integer":
        return int
    if kind == "number":
        return float
    if kind == "boolean":
        return _boolean
    return str


def _boolean(text: str) -> bool:
    lowered = text.lower()
    if lowered in ("true", "1", "yes", "y", "on"):
        return True
    if lowered in ("false", "0", "no", "n", "off"):
        return False
    raise ValueError("not a boolean")


@dataclass(frozen=True)
class _Parameter:
    name: str
    location: str
    required: bool
    is_array: bool
    cast: Callable[[str], Any]
    kind: str
    validator: OAS31Validator
    #: The schema's default, filled in when the parameter is absent (as openapi-core does).
    default: Any = None
    #: ``format: date-time``: the value is handed on as a datetime (as openapi-core does).
    is_datetime: bool = False


@dataclass(frozen=True)
class _PreparedOperation:
    path_params: tuple[_Parameter, ...]
    query_params: tuple[_Parameter, ...]
    body_required: bool
    body_validator: OAS31Validator | None = None
    query_names: frozenset[str] = field(default_factory=frozenset)


class SpecValidator:
    """Validates mock requests (and, for tests, responses) against one spec document.

    Args:
        spec: the OpenAPI document (a dict).

    Raises:
        ValueError: the spec uses something the validator does not prepare (an external
            or recursive ``$ref``).
    """

    #: The spec file this validator was loaded from (``load_validator``), or None: a
    #: helper process rebuilds the same validator from it (``_offload``).
    source_path: str | None = None

    def __init__(self, spec: Mapping[str, Any]) -> None:
        doc = copy.deepcopy(dict(spec))
        doc["servers"] = [{"url": _HOST + API_PREFIX}]
        self.document = doc
        self._checker = _format_checker()
        self._operations: dict[tuple[str, str], _PreparedOperation] = {}
        for pattern, item in doc["paths"].items():
            shared = item.get("parameters", [])
            for method, operation in item.items():
                if method in HTTP_METHODS:
                    self._operations[(method, pattern)] = self._prepare(shared, operation)

    def _compile(self, schema: Mapping[str, Any]) -> OAS31Validator:
        return OAS31Validator(schema, format_checker=self._checker)

    def _prepare(self, shared: Sequence[Any], operation: Mapping[str, Any]) -> _PreparedOperation:
        by_key: dict[tuple[str, str], Mapping[str, Any]] = {}
        for raw in [*shared, *operation.get("parameters", [])]:
            param = resolve(self.document, raw)
            by_key[(param["in"], param["name"])] = param  # operation level wins
        path: list[_Parameter] = []
        query: list[_Parameter] = []
        for (location, name), param in by_key.items():
            schema = param.get("schema", {})
            is_array = schema.get("type") == "array"
            prepared = _Parameter(
                name=name,
                location=location,
                required=bool(param.get("required")) or location == "path",
                is_array=is_array,
                cast=_caster(schema.get("items", {}) if is_array else schema),
                kind=str((schema.get("items", {}) if is_array else schema).get("type", "string")),
                validator=self._compile(schema),
                default=schema.get("default"),
                is_datetime=schema.get("type") == "string" and schema.get("format") == "date-time",
            )
            if location == "path":
                path.append(prepared)
            elif location == "query":
                query.append(prepared)
        body = operation.get("requestBody")
        body_validator = None
        body_required = False
        if body is not None:
            body = resolve(self.document, body)
            body_required = bool(body.get("required"))
            schema = body.get("content", {}).get("application/json", {}).get("schema")
            if schema is not None:
                body_validator = self._compile(schema)
        return _PreparedOperation(
            tuple(path),
            tuple(query),
            body_required,
            body_validator,
            frozenset(p.name for p in query),
        )

    def _parameter(self, param: _Parameter, raw: str | list[str]) -> Any:
        """One parameter cast and checked (400 with Brevo's body when it is not valid)."""
        try:
            if isinstance(raw, list):
                value: Any = [param.cast(item) for item in raw]
            else:
                value = param.cast(raw)
        except ValueError:
            shown = raw[0] if isinstance(raw, list) and raw else raw
            raise MockAPIError(
                400,
                "invalid_parameter",
                _short(f"{param.name} ({param.location}): {shown!r} is not an {param.kind}"),
            ) from None
        if not param.validator.is_valid(value):
            errors = list(param.validator.iter_errors(value))
            raise _schema_error(errors, param.name)
        if param.is_datetime:
            with contextlib.suppress(ValueError):
                value = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return value

    def validate_request(
        self,
        *,
        method: str,
        path_pattern: str,
        path_params: Mapping[str, str],
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        content_type: str,
        body: bytes,
        has_request_body: bool,
    ) -> ValidatedRequest:
        """Check a request; return its typed parameters and parsed body.

        Raises:
            MockAPIError: 400 with Brevo's ``invalid_parameter``/``missing_parameter`` body.
        """
        operation = self._operations[(method.lower(), path_pattern)]
        parsed: Any = None
        raw: bytes | None = body if (body and has_request_body) else None
        if raw is not None:
            mime = content_type.split(";", 1)[0].strip().lower()
            if mime != "application/json":
                raise MockAPIError(
                    400, "invalid_parameter", "Content-Type: send the body as application/json"
                )
            parsed = parse_json(raw)

        path_values: dict[str, Any] = {}
        for param in operation.path_params:
            text = path_params.get(param.name)
            if text is None:
                raise MockAPIError(
                    400, "missing_parameter", f"{param.name} is missing ({param.location})"
                )
            path_values[param.name] = self._parameter(param, text)

        query_values: dict[str, Any] = {}
        if query or operation.query_params:
            given: dict[str, list[str]] = {}
            for name, value in query:
                if name in operation.query_names:
                    given.setdefault(name, []).append(value)
            for param in operation.query_params:
                values = given.get(param.name)
                if values is None:
                    if param.default is not None:
                        query_values[param.name] = param.default
                    elif param.required:
                        raise MockAPIError(
                            400, "missing_parameter", f"{param.name} is missing ({param.location})"
                        )
                    continue
                query_values[param.name] = self._parameter(
                    param, values if param.is_array else values[0]
                )

        if raw is None:
            if operation.body_required and has_request_body:
                raise MockAPIError(400, "missing_parameter", "body is missing")
        elif operation.body_validator is not None and not operation.body_validator.is_valid(parsed):
            raise _schema_error(list(operation.body_validator.iter_errors(parsed)), None)
        return ValidatedRequest(path=path_values, query=query_values, body=parsed)

    @functools.cached_property
    def _openapi(self) -> Any:
        from openapi_core import OpenAPI
        from openapi_core.configurations import Config

        return OpenAPI.from_dict(
            self.document,
            config=Config(extra_format_validators={"email": _is_email, "uri": _is_uri}),
        )

    def response_problems(self, exchange: RecordedExchange) -> list[str]:
        """Why the response of a recorded exchange does not conform to the spec.

        Empty when it does, and when there is nothing to check it against: a dropped
        connection (no response), a request no route matched, or an operation the spec
        lacks (one of the production extras, or a method the path does not have).
        """
        method, pattern, status = exchange.method.lower(), exchange.path_pattern, exchange.status
        if status is None or pattern is None or (method, pattern) not in self._operations:
            return []
        request = OpenAPIRequest(
            host_url=_HOST,
            path=API_PREFIX + pattern,
            path_pattern=API_PREFIX + pattern,
            method=method,
            path_params=exchange.path_params,
        )
        headers, body = exchange.response_headers, exchange.response_body
        content_type = headers.get("content-type", "")
        response = OpenAPIResponse(status, list(headers.items()), content_type, body)
        problems: list[str] = []
        try:
            result = self._openapi.unmarshal_response(request, response)
        except Exception as exc:
            return [f"{type(exc).__name__}: {exc}"]
        for error in result.errors:
            detail = "; ".join(
                getattr(e, "message", str(e)) for e in schema_errors(error.__cause__)
            )
            problems.append(f"{type(error).__name__}: {error}" + (f" ({detail})" if detail else ""))
        if status == 204 and body:
            problems.append("204 with a body")
        if body and content_type.startswith("application/json"):
            try:
                json.loads(body)
            except ValueError:
                problems.append("body is not JSON")
        return problems


@functools.lru_cache(maxsize=4)
def load_validator(spec_path: str) -> SpecValidator:
    """A cached validator for a spec file (preparing one takes a fraction of a second).

    Args:
        spec_path: path of the OpenAPI YAML document.

    Returns:
        The validator.
    """
    validator = SpecValidator(load_spec(spec_path))
    validator.source_path = spec_path
    return validator
