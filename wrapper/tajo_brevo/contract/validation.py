"""Validate httpx requests and responses against an OpenAPI spec with openapi-core.

Use it in respx tests of any client built on httpx: every request the client sends and
every response it is given is checked against the spec, so a client that drifts from the
spec (a wrong path, a missing header, a body field of the wrong type) fails the test.

Example::

    validator = SpecValidator(spec_path, base_url="https://api.brevo.com/v3")
    with respx.mock(base_url=validator.base_url) as router:
        router.route().mock(side_effect=lambda request: validator.checked(request, reply))
        ...
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tajo_brevo._openapi_kit import (
    OpenAPIRequest,
    OpenAPIResponse,
    iter_operations,
    load_spec,
    schema_errors,
)

__all__ = ["ContractViolation", "SpecValidator"]


class ContractViolation(AssertionError):
    """A request or a response does not conform to the spec.

    Attributes:
        operation: the operationId, or ``METHOD path`` when no operation matches.
        check: ``"request"`` or ``"response"``.
        detail: what openapi-core reported.
    """

    def __init__(self, operation: str, check: str, detail: str) -> None:
        self.operation = operation
        self.check = check
        self.detail = detail
        super().__init__(f"{operation}: {check} does not conform to the spec: {detail}")


@dataclass(frozen=True)
class _Route:
    operation_id: str
    method: str
    pattern: re.Pattern[str]
    fixed_segments: int


def _describe(error: BaseException) -> str:
    """Flatten openapi-core's error and its schema errors into one line."""
    parts = [f"{type(error).__name__}: {error}"]
    cause: BaseException | None = error.__cause__
    while cause is not None:
        errors = schema_errors(cause)
        if errors:
            parts += [
                f"{'/'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message}"
                for e in errors
            ]
        else:
            parts.append(f"{type(cause).__name__}: {cause}")
        cause = cause.__cause__
    return "; ".join(parts)


class SpecValidator:
    """Validates httpx requests/responses against one spec served at one base URL.

    Args:
        spec: path of the OpenAPI document, or the document itself.
        base_url: where the API is served (``https://api.brevo.com/v3``); replaces the
            spec's ``servers`` so any host (respx, a mock, a proxy) validates.

    Raises:
        ValueError: the document is not a valid OpenAPI document.
    """

    def __init__(self, spec: Path | str | dict[str, Any], *, base_url: str) -> None:
        from openapi_core import OpenAPI

        doc = dict(spec) if isinstance(spec, dict) else load_spec(spec)
        self.base_url = base_url.rstrip("/")
        doc["servers"] = [{"url": self.base_url}]
        try:
            self._openapi = OpenAPI.from_dict(doc)
        except Exception as exc:  # openapi-spec-validator raises many types
            raise ValueError(f"invalid OpenAPI document: {exc}") from exc
        self._routes = sorted(
            (self._route(op.operation_id, op.method, op.path) for op in iter_operations(doc)),
            key=lambda r: -r.fixed_segments,
        )
        self._base_path = httpx.URL(self.base_url).raw_path.decode("ascii").rstrip("/")

    @staticmethod
    def _route(operation_id: str, method: str, path: str) -> _Route:
        segments = path.strip("/").split("/")
        regex = "/".join(
            "[^/]+" if s.startswith("{") and s.endswith("}") else re.escape(s) for s in segments
        )
        fixed = sum(1 for s in segments if not s.startswith("{"))
        return _Route(operation_id, method, re.compile(f"/{regex}"), fixed)

    def operation_id(self, request: httpx.Request) -> str:
        """Name the operation a request targets.

        Returns:
            The operationId, or ``METHOD path`` when the spec has no such operation.
        """
        path = request.url.raw_path.decode("ascii").split("?", 1)[0]
        if path.startswith(self._base_path):
            path = path[len(self._base_path) :]
        method = request.method.lower()
        for route in self._routes:
            if route.method == method and route.pattern.fullmatch(path):
                return route.operation_id
        return f"{request.method} {path}"

    def validate_request(self, request: httpx.Request) -> None:
        """Check method, path, parameters, headers, security and body of a request.

        Raises:
            ContractViolation: the request does not conform, naming the operation.
        """
        try:
            self._openapi.validate_request(OpenAPIRequest.from_httpx(request))
        except Exception as exc:  # openapi-core reports through several exception trees
            raise ContractViolation(self.operation_id(request), "request", _describe(exc)) from exc

    def validate_response(self, request: httpx.Request, response: httpx.Response) -> None:
        """Check status, headers and body of a response to ``request``.

        Raises:
            ContractViolation: the status is undocumented or headers/body don't conform.
        """
        try:
            self._openapi.validate_response(
                OpenAPIRequest.from_httpx(request), OpenAPIResponse.from_httpx(response)
            )
        except Exception as exc:  # openapi-core reports through several exception trees
            raise ContractViolation(self.operation_id(request), "response", _describe(exc)) from exc

    def checked(self, request: httpx.Request, response: httpx.Response) -> httpx.Response:
        """Validate a request and the response a test serves for it, then return it.

        Meant as (part of) a respx ``side_effect``: a violation raises inside the client
        call, so the test fails at the offending request.

        Raises:
            ContractViolation: either does not conform.
        """
        self.validate_request(request)
        response.request = request
        self.validate_response(request, response)
        return response
