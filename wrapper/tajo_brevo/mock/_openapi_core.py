"""The request and response protocol objects openapi-core needs (response checks only)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict


class Request:
    """openapi-core's request protocol, with the path pattern already known."""

    def __init__(
        self,
        host_url: str,
        prefix: str,
        method: str,
        path_pattern: str,
        path_params: Mapping[str, str],
    ) -> None:
        self.host_url = host_url
        self.path = prefix + path_pattern
        self.path_pattern = prefix + path_pattern
        self.method = method.lower()
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(),
            header=Headers(),
            cookie=ImmutableMultiDict(),
            path=dict(path_params),
        )
        self.content_type = ""
        self.body = None


class Response:
    """openapi-core's response protocol."""

    def __init__(
        self, status: int, headers: Mapping[str, str], content_type: str, data: bytes
    ) -> None:
        self.status_code = status
        self.headers = Headers(list(headers.items()))
        self.content_type = content_type
        self.data = data


def schema_errors(exc: BaseException) -> list[Any]:
    """The jsonschema errors behind an openapi-core validation error."""
    errors = getattr(exc.__cause__, "schema_errors", None)
    return list(errors) if errors else []
