"""httpx transports that call the mock in-process, sync and async.

The sync transport calls the mock's request handling directly (``MockCore.respond``):
no event loop, no thread, so in-process use costs what the handling costs. Given any
other ASGI app, it falls back to running the app on a fresh event loop per request (in
a helper thread when the calling thread already runs a loop). The async transport drives
the ASGI app. A response the mock starts but never finishes (an injected dropped
connection) raises ``httpx.RemoteProtocolError``, as over TCP.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from typing import Any

import anyio
import httpx
from starlette.types import ASGIApp, Message

from ._app import MAX_BODY, MockCore

_DROPPED = "Server disconnected without sending a complete response."


async def _call_app(app: ASGIApp, request: httpx.Request, body: bytes) -> httpx.Response:
    url = request.url
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": url.scheme,
        "path": url.path,
        "raw_path": url.raw_path.split(b"?", 1)[0],
        "query_string": url.query,
        "root_path": "",
        "headers": [(k.lower(), v) for k, v in request.headers.raw],
        "client": ("127.0.0.1", 50000),
        "server": (url.host, url.port or (443 if url.scheme == "https" else 80)),
        "extensions": {},
    }
    sent_request = False
    status: int | None = None
    headers: list[tuple[bytes, bytes]] = []
    chunks: list[bytes] = []
    complete = False

    async def receive() -> Message:
        nonlocal sent_request
        if not sent_request:
            sent_request = True
            return {"type": "http.request", "body": body, "more_body": False}
        await anyio.sleep_forever()  # pragma: no cover - the app never waits for more
        raise AssertionError("unreachable")  # pragma: no cover

    async def send(message: Message) -> None:
        nonlocal status, headers, complete
        if message["type"] == "http.response.start":
            status = message["status"]
            headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                complete = True

    await app(scope, receive, send)
    if status is None or not complete:
        raise httpx.RemoteProtocolError(_DROPPED, request=request)
    return httpx.Response(status, headers=headers, content=b"".join(chunks), request=request)


class MockTransport(httpx.BaseTransport):
    """Sync httpx transport running the mock app in-process.

    Args:
        app: the ASGI app (``BrevoMock.app``).
    """

    def __init__(self, app: ASGIApp) -> None:
        self._app = app
        state = getattr(app, "state", None)
        self._core: MockCore | None = getattr(state, "core", None) if state else None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        if self._core is not None:
            return self._direct(self._core, request, body)

        def run() -> httpx.Response:
            return anyio.run(_call_app, self._app, request, body)

        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return run()
        # Called from a thread that runs an event loop: a new loop needs its own thread.
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(run).result()

    @staticmethod
    def _direct(core: MockCore, request: httpx.Request, body: bytes) -> httpx.Response:
        url = request.url
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in request.headers.raw}
        too_large = len(body) > MAX_BODY
        status, raw_headers, payload = core.respond(
            request.method.upper(),
            url.raw_path.split(b"?", 1)[0].decode("utf-8", "replace"),
            url.query.decode("utf-8", "replace"),
            headers,
            b"" if too_large else body,
            too_large=too_large,
            root_url=f"{url.scheme}://{headers.get('host') or url.netloc.decode('ascii')}",
        )
        if status is None:
            raise httpx.RemoteProtocolError(_DROPPED, request=request)
        return httpx.Response(status, headers=raw_headers, content=payload, request=request)


class AsyncMockTransport(httpx.AsyncBaseTransport):
    """Async httpx transport running the mock app in-process.

    Args:
        app: the ASGI app (``BrevoMock.app``).
    """

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        return await _call_app(self._app, request, body)
