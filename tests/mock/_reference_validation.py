"""The mock's request validation before the rewrite (openapi-core per request), kept as
the reference the fast validator is compared with (test_mock_validation.py).

The original module docstring follows.

Request and response validation against the effective spec, with openapi-core.

A request that breaks the spec becomes Brevo's 400 body: ``missing_parameter`` when a
required field or the body is absent, ``invalid_parameter`` otherwise, with a message
naming the field. Formats the spec uses are all checked (``int64`` ranges, ``date``,
``date-time``, ``email``, ``uri``): jsonschema leaves ``uri`` unchecked without an extra
package and accepts any string containing ``@`` as an email, so both get real checks here.
"""

from __future__ import annotations

import copy
import functools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import yaml
from openapi_core import OpenAPI
from openapi_core.configurations import Config
from openapi_core.datatypes import RequestParameters
from tajo_brevo._openapi_kit import schema_errors
from tajo_brevo.mock._state import EMAIL_RE, MockAPIError
from werkzeug.datastructures import Headers, ImmutableMultiDict

#: Host the validator sees; the mock may run on any host, so requests are re-based on it.
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


@dataclass(frozen=True)
class ValidatedRequest:
    """What the handlers get: typed path and query parameters and the JSON body."""

    path: dict[str, Any]
    query: dict[str, Any]
    body: Any
    #: ``scheme://host[:port]`` of the mock as the client addressed it (for URLs it hands out).
    root_url: str = ""


class _Request:
    """The openapi-core request protocol, with the path pattern already known."""

    def __init__(
        self,
        method: str,
        path_pattern: str,
        path_params: Mapping[str, str],
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        content_type: str,
        body: bytes | None,
    ) -> None:
        self.host_url = _HOST
        self.path = API_PREFIX + path_pattern
        self.path_pattern = API_PREFIX + path_pattern
        self.method = method.lower()
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(list(query)),
            header=Headers(list(headers.items())),
            cookie=ImmutableMultiDict(),
            path=dict(path_params),
        )
        self.content_type = content_type
        self.body = body


class _Response:
    def __init__(
        self, status: int, headers: Mapping[str, str], content_type: str, data: bytes
    ) -> None:
        self.status_code = status
        self.headers = Headers(list(headers.items()))
        self.content_type = content_type
        self.data = data


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of range")
    return value


def parse_json(body: bytes) -> Any:
    """Strict JSON: no NaN/Infinity, no float overflowing to infinity (1e999).

    Brevo answers 400 to those, and the mock could not send such values back.

    Raises:
        MockAPIError: 400 invalid_parameter when the body is not strict JSON.
    """
    try:
        return json.loads(body, parse_constant=_reject_constant, parse_float=_finite_float)
    except (ValueError, RecursionError):
        raise MockAPIError(400, "invalid_parameter", "body: not valid JSON") from None


def _field(path: Sequence[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _short(text: str) -> str:
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 3] + "..."


def _schema_errors(exc: BaseException) -> list[Any]:
    return schema_errors(exc.__cause__)


def _to_brevo_error(exc: BaseException) -> MockAPIError:
    """One openapi-core error as Brevo's 400 body."""
    name = type(exc).__name__
    location = getattr(exc, "location", None)
    param = getattr(exc, "name", None)
    if name in ("MissingRequiredRequestBody", "MissingRequestBody"):
        return MockAPIError(400, "missing_parameter", "body is missing")
    if name in ("MissingRequiredParameter", "MissingParameter") and param:
        return MockAPIError(400, "missing_parameter", f"{param} is missing ({location})")
    cause = exc.__cause__
    cause_name = type(cause).__name__ if cause is not None else ""
    if cause_name == "MediaTypeNotFound":
        return MockAPIError(
            400, "invalid_parameter", "Content-Type: send the body as application/json"
        )
    if cause_name == "MediaTypeDeserializeError":
        return MockAPIError(400, "invalid_parameter", "body: not valid JSON")
    if cause_name == "CastError" and param:
        value = getattr(cause, "value", "")
        kind = getattr(cause, "type", "value")
        return MockAPIError(
            400, "invalid_parameter", _short(f"{param} ({location}): {value!r} is not an {kind}")
        )
    errors = _schema_errors(exc)
    for error in errors:
        if error.validator == "required" and isinstance(error.instance, dict):
            missing = [p for p in error.validator_value if p not in error.instance]
            where = _field(list(error.absolute_path))
            names = ", ".join(f"{where}.{m}" if where else m for m in missing)
            return MockAPIError(400, "missing_parameter", f"{names} is missing")
    if errors:
        details = []
        for error in errors[:3]:
            where = _field(list(error.absolute_path))
            prefix = param if param else "body"
            where = f"{prefix}.{where}" if where and not param else (where or prefix)
            details.append(f"{where}: {error.message}")
        return MockAPIError(400, "invalid_parameter", _short("; ".join(details)))
    detail = str(exc)
    if param:
        detail = f"{param} ({location}): invalid value"
    return MockAPIError(400, "invalid_parameter", _short(detail))


class SpecValidator:
    """Validates mock requests and responses against one spec document.

    Args:
        spec: the OpenAPI document (a dict); its servers are replaced so any host works.
    """

    def __init__(self, spec: Mapping[str, Any]) -> None:
        doc = copy.deepcopy(dict(spec))
        doc["servers"] = [{"url": _HOST + API_PREFIX}]
        self.document = doc
        self._api = OpenAPI.from_dict(
            doc,
            config=Config(extra_format_validators={"email": _is_email, "uri": _is_uri}),
        )

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
        parsed: Any = None
        raw: bytes | None = body if (body and has_request_body) else None
        content_type = content_type.lower()
        mime = content_type.split(";")[0].strip()
        if raw is not None and mime != "application/json":
            raise MockAPIError(
                400, "invalid_parameter", "Content-Type: send the body as application/json"
            )
        if raw is not None:
            parsed = parse_json(raw)
        request = _Request(method, path_pattern, path_params, query, headers, content_type, raw)
        try:
            result = self._api.unmarshal_request(request)
        except Exception as exc:
            raise _to_brevo_error(exc) from None
        errors = [e for e in result.errors if type(e).__name__ != "SecurityNotFound"]
        if errors:
            # Body problems are reported after parameter problems, like Brevo does.
            errors.sort(key=lambda e: "RequestBody" in type(e).__name__)
            raise _to_brevo_error(errors[0])
        params = result.parameters
        return ValidatedRequest(
            path=dict(getattr(params, "path", {}) or {}),
            query=dict(getattr(params, "query", {}) or {}),
            body=parsed,
        )

    def response_problems(
        self,
        *,
        method: str,
        path_pattern: str,
        path_params: Mapping[str, str],
        status: int,
        headers: Mapping[str, str],
        body: bytes,
    ) -> list[str]:
        """Why a response does not conform to the spec (empty list when it does)."""
        request = _Request(method, path_pattern, path_params, [], {}, "", None)
        content_type = headers.get("content-type", "")
        response = _Response(status, headers, content_type, body)
        problems: list[str] = []
        try:
            result = self._api.unmarshal_response(request, response)
        except Exception as exc:
            return [f"{type(exc).__name__}: {exc}"]
        for error in result.errors:
            detail = "; ".join(getattr(e, "message", str(e)) for e in _schema_errors(error))
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
    """A cached validator for a spec file (building one takes ~0.1 s).

    Args:
        spec_path: path of the OpenAPI YAML document.

    Returns:
        The validator.
    """
    with open(spec_path, encoding="utf-8") as handle:
        return SpecValidator(yaml.safe_load(handle))
