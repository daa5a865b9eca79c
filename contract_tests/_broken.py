"""Deliberately broken variants of the mock: ASGI middlewares that corrupt its answers.

The contract suite is only trustworthy if it fails on a server that breaks the spec;
the known-bad tests run it against these.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

Transform = Callable[[int, dict[str, str], Any], tuple[int, dict[str, str], Any]]
ASGIApp = Callable[..., Any]


def corrupt(app: ASGIApp, *, method: str, path: str, transform: Transform) -> ASGIApp:
    """Wrap ``app`` so that answers to ``method path`` (exact path, no query) go through
    ``transform(status, headers, json_body) -> (status, headers, json_body)``."""

    async def broken(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != method or scope["path"] != path:
            await app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await app(scope, receive, capture)
        raw = b"".join(chunks)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in start["headers"]}
        body = json.loads(raw) if raw else None
        status, headers, body = transform(start["status"], headers, body)
        content = b"" if body is None else json.dumps(body).encode()
        headers = {k: v for k, v in headers.items() if k.lower() != "content-length"}
        headers["content-length"] = str(len(content))
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()],
            }
        )
        await send({"type": "http.response.body", "body": content})

    return broken


def on_success(change: Callable[[Any], Any]) -> Transform:
    """Apply ``change`` to the JSON body of 200 answers only."""

    def transform(
        status: int, headers: dict[str, str], body: Any
    ) -> tuple[int, dict[str, str], Any]:
        return status, headers, change(body) if status == 200 and body is not None else body

    return transform


def _drop(key: str) -> Callable[[Any], Any]:
    return lambda body: {k: v for k, v in body.items() if k != key}


def _stringify(key: str) -> Callable[[Any], Any]:
    return lambda body: {**body, key: str(body[key])}


def _status_400_to_422(
    status: int, headers: dict[str, str], body: Any
) -> tuple[int, dict[str, str], Any]:
    return (422 if status == 400 else status), headers, body


def _bad_rate_header(
    status: int, headers: dict[str, str], body: Any
) -> tuple[int, dict[str, str], Any]:
    return status, {**headers, "x-sib-ratelimit-remaining": "plenty"}, body


# name -> (operationId, method, path, transform, the schemathesis check that must catch it)
BREAKS: dict[str, tuple[str, str, str, Transform, str]] = {
    "wrong type (count as a string)": (
        "listContactLists", "GET", "/v3/contacts/lists", on_success(_stringify("count")),
        "response_schema_conformance",
    ),
    "missing required field (count)": (
        "listContacts", "GET", "/v3/contacts", on_success(_drop("count")),
        "response_schema_conformance",
    ),
    "undocumented status (422 for 400)": (
        "listFolders", "GET", "/v3/contacts/folders", _status_400_to_422,
        "status_code_conformance",
    ),
    "header of the wrong type": (
        "listContactAttributes", "GET", "/v3/contacts/attributes", _bad_rate_header,
        "response_headers_conformance",
    ),
}  # fmt: skip
