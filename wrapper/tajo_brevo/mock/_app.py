"""The ASGI application: routing, auth, rate limit, faults, validation, handlers.

Order for each request, like production: route (404 / 405 with ``Allow``), ``api-key``
(401), rate limit (429), injected faults, spec validation (400), then the operation.
Every answer carries the ``x-sib-ratelimit-*`` headers and is recorded.

Routing works on the raw (still percent-encoded) path, segment by segment, so an email
identifier containing ``/`` or ``?`` (sent encoded) stays one identifier, and fixed paths
(``/contacts/lists``) win over templated ones (``/contacts/{identifier}``).
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qsl, unquote

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send

from .._openapi_kit import HTTP_METHODS
from ._handlers import HANDLERS, handle_extra
from ._limits import FaultInjector, RateLimiter
from ._offload import OFFLOAD_BYTES, prepare_apart
from ._state import MockAPIError, MockState
from ._validation import API_PREFIX, SpecValidator

#: Paths under this prefix are the accounts' files (import reports, export files).
FILES_ROOT = "/_mock/"
#: Largest request body read (Brevo's import limit is 10 MB).
MAX_BODY = 10 * 1024 * 1024
#: How much of a request body a recorded exchange keeps.
RECORDED_BODY_LIMIT = 1024 * 1024


@dataclass(frozen=True)
class RecordedExchange:
    """One request the mock received and what it answered.

    Attributes:
        operation_id: the spec operation, or None when no route matched.
        method: upper-case HTTP method.
        path: the raw request path (percent-encoded as sent).
        path_pattern: the spec path (``/contacts/{identifier}``), or None.
        path_params: decoded path parameters.
        query: query string pairs.
        headers: request headers, lower-case names, ``api-key`` redacted.
        body: request body bytes.
        status: the status answered, or None when the connection was dropped.
        response_headers: response headers, lower-case names.
        response_body: response body bytes.
        body_truncated: the request body was longer than RECORDED_BODY_LIMIT and ``body``
            keeps only its start (memory stays bounded).
        account: index of the account the request's key addressed (0: the mock's first
            account), or None when no account was reached (a 401, an unrouted path).
    """

    operation_id: str | None
    method: str
    path: str
    path_pattern: str | None
    path_params: dict[str, str]
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes
    status: int | None
    response_headers: dict[str, str]
    response_body: bytes
    body_truncated: bool = False
    account: int | None = None

    def json(self) -> Any:
        """The response body decoded as JSON (None when empty)."""
        return json.loads(self.response_body) if self.response_body else None


@dataclass(frozen=True)
class _Operation:
    operation_id: str
    method: str
    pattern: str
    has_body: bool


@dataclass
class _Template:
    pattern: str
    segments: list[str]
    operations: dict[str, _Operation] = field(default_factory=dict)

    @property
    def literal_count(self) -> int:
        return sum(1 for s in self.segments if not s.startswith("{"))


#: Production routes the pinned spec lacks (folder reads and edits: brevo-python 5.1.0's
#: contacts client has get_folder, update_folder, delete_folder): served, validated by
#: hand, never part of the schemathesis run.
EXTRA_OPERATIONS = {
    "getFolder": ("GET", "/contacts/folders/{folderId}"),
    "updateFolder": ("PUT", "/contacts/folders/{folderId}"),
    "deleteFolder": ("DELETE", "/contacts/folders/{folderId}"),
}


def build_routes(spec: Mapping[str, Any]) -> list[_Template]:
    """Route table from the spec (plus the production extras), most literal paths first."""
    templates: list[_Template] = []
    extras: dict[str, _Template] = {}
    for operation_id, (method, pattern) in EXTRA_OPERATIONS.items():
        if pattern in spec["paths"]:  # pragma: no cover - the spec gained it: use the spec
            continue
        template = extras.setdefault(pattern, _Template(pattern, pattern.strip("/").split("/")))
        template.operations[method] = _Operation(operation_id, method, pattern, method == "PUT")
    templates.extend(extras.values())
    for pattern, item in spec["paths"].items():
        template = _Template(pattern, pattern.strip("/").split("/"))
        for method, operation in item.items():
            if method in HTTP_METHODS:
                template.operations[method.upper()] = _Operation(
                    operation["operationId"],
                    method.upper(),
                    pattern,
                    "requestBody" in operation,
                )
        templates.append(template)
    templates.sort(key=lambda t: (-t.literal_count, t.pattern))
    return templates


def match_route(
    templates: Sequence[_Template], raw_segments: Sequence[str]
) -> tuple[_Template, dict[str, str]] | None:
    """The template matching the raw path segments and its decoded parameters."""
    count = len(raw_segments)
    decoded: list[str] | None = None
    for template in templates:
        if len(template.segments) != count:
            continue
        if decoded is None:  # decoded once, only when some template has this length
            decoded = [unquote(raw) if "%" in raw else raw for raw in raw_segments]
        params: dict[str, str] = {}
        for expected, value in zip(template.segments, decoded, strict=True):
            if expected[0] == "{":
                if not value:
                    break
                params[expected[1:-1]] = value
            elif value != expected:
                break
        else:
            return template, params
    return None


def _error(status: int, code: str, message: str, **metadata: Any) -> MockAPIError:
    return MockAPIError(status, code, message, metadata or None)


def _json_bytes(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


@dataclass(frozen=True)
class AccountParts:
    """One account of a mock: its state and its own rate-limit budget."""

    index: int
    state: MockState
    limiter: RateLimiter


@dataclass(frozen=True)
class MockAccounts:
    """The accounts of a mock and the API keys that address them.

    Attributes:
        by_key: API key -> the account it addresses (several keys may share one).
        all: every account once, in index order (the mock's first account first).
    """

    by_key: Mapping[str, AccountParts]
    all: Sequence[AccountParts]

    @property
    def first(self) -> AccountParts:
        """The mock's first account (its limits answer requests no key reached)."""
        return self.all[0]


@dataclass(frozen=True)
class MockParts:
    """What the app needs of a mock: its accounts and the pieces that guard each request.

    The app depends on this, not on :class:`BrevoMock`, so the two modules don't import
    each other.
    """

    accounts: MockAccounts
    validator: SpecValidator
    routes: Sequence[_Template]
    faults: FaultInjector
    record: Callable[[RecordedExchange], None]

    @property
    def state(self) -> MockState:
        """The first account's state."""
        return self.accounts.first.state


#: A response body: bytes, or chunks streamed one by one (an export file; its headers
#: carry the content-length).
Payload = bytes | Iterator[bytes]
#: (status or None for a dropped connection, response headers, body)
Answer = tuple[int | None, list[tuple[bytes, bytes]], Payload]


@dataclass
class _Exchange:
    """One request on its way through :class:`MockCore`."""

    method: str
    raw_path: str
    query_string: str
    headers: dict[str, str]
    body: bytes
    too_large: bool
    root_url: str
    operation: _Operation | None = None
    pattern: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    limit_headers: Mapping[str, str] = field(default_factory=dict)
    fault: Any = None
    account: AccountParts | None = None


_Outcome = tuple[int | None, dict[str, str], Payload]


class MockCore:
    """The mock's request handling, free of any server or event loop.

    ``admit`` routes and checks the key, the rate limit and draws a fault; the caller
    waits the fault's latency (``time.sleep`` in-process, ``anyio.sleep`` in the ASGI
    app); ``serve`` does the rest. ``respond`` is both for in-process sync callers.
    """

    def __init__(self, parts: MockParts) -> None:
        self.parts = parts

    def respond(
        self,
        method: str,
        raw_path: str,
        query_string: str,
        headers: dict[str, str],
        body: bytes,
        *,
        too_large: bool = False,
        root_url: str = "",
        sleep: Callable[[float], None] = time.sleep,
    ) -> Answer:
        """Handle one request synchronously (the in-process transport's path)."""
        exchange = _Exchange(method, raw_path, query_string, headers, body, too_large, root_url)
        outcome = self.admit(exchange)
        if outcome is None:
            if exchange.fault is not None and exchange.fault.latency:
                sleep(exchange.fault.latency)
            outcome = self.serve(exchange)
        return self.finish(exchange, outcome)

    def admit(self, ex: _Exchange) -> _Outcome | None:
        """Route, key, rate limit, fault draw: an outcome when the request ends here."""
        parts = self.parts
        ex.limit_headers = parts.accounts.first.limiter.peek()
        raw_path = ex.raw_path
        try:
            if raw_path.startswith(FILES_ROOT):
                return _report_file(parts.accounts.all, raw_path)
            if not (raw_path == API_PREFIX or raw_path.startswith(API_PREFIX + "/")):
                raise _error(404, "not_found", f"Invalid route: {unquote(raw_path)[:200]}")
            segments = raw_path[len(API_PREFIX) + 1 :].split("/")
            found = match_route(parts.routes, segments)
            if found is None:
                raise _error(404, "not_found", f"Invalid route: {unquote(raw_path)[:200]}")
            template, ex.params = found
            ex.pattern = template.pattern
            ex.operation = template.operations.get(ex.method)
            if ex.operation is None:
                allowed = ", ".join(sorted(template.operations))
                err = _error(
                    405, "method_not_allowed", f"{ex.method} is not allowed here; use {allowed}"
                )
                return _error_outcome(err, {**ex.limit_headers, "allow": allowed})

            key = ex.headers.get("api-key", "")
            if not key:
                raise _error(401, "unauthorized", "authentication not found in headers")
            account = parts.accounts.by_key.get(key)
            if account is None:
                raise _error(401, "unauthorized", "Key not found")
            ex.account = account

            # Each account has its own budget: one account's 429s never slow another.
            allowed_now, ex.limit_headers = account.limiter.acquire()
            if not allowed_now:
                raise _error(429, "too_many_requests", "The expected rate limit is exceeded.")
            ex.fault = parts.faults.draw(ex.operation.operation_id)
        except MockAPIError as err:
            return _error_outcome(err, ex.limit_headers)
        return None

    def serve(self, ex: _Exchange) -> _Outcome:
        """Faults, validation and the operation itself."""
        parts = self.parts
        operation = ex.operation
        assert operation is not None and ex.pattern is not None and ex.account is not None
        state = ex.account.state
        try:
            fault = ex.fault
            if fault is not None and fault.drop:
                return None, dict(ex.limit_headers), b""
            if fault is not None and fault.status is not None:
                raise _error(
                    fault.status,
                    "internal_error",
                    "Injected fault: the mock failed this request on purpose",
                )
            if ex.too_large:
                raise _error(
                    400, "invalid_parameter", f"body: larger than {MAX_BODY // (1024 * 1024)} MB"
                )
            if operation.operation_id in EXTRA_OPERATIONS:
                status, result = handle_extra(state, operation.operation_id, ex.params, ex.body)
                return _ok_outcome(status, result, ex.limit_headers)
            query = parse_qsl(ex.query_string, keep_blank_values=True) if ex.query_string else []
            request: dict[str, Any] = {
                "method": ex.method,
                "path_pattern": ex.pattern,
                "path_params": ex.params,
                "query": query,
                "headers": ex.headers,
                "content_type": ex.headers.get("content-type", ""),
                "body": ex.body,
                "has_request_body": operation.has_body,
            }
            source = parts.validator.source_path
            if (
                operation.operation_id == "importContacts"
                and len(ex.body) >= OFFLOAD_BYTES
                and source is not None
            ):
                # A large import is validated and parsed in the helper process (see
                # _offload): same spec, same checks, same 400s, without holding the GIL.
                apart = prepare_apart(source, request)
                if apart is not None:
                    light, rows = apart
                    process_id = state.import_contacts(light, root_url=ex.root_url, prepared=rows)
                    return _ok_outcome(202, {"processId": process_id}, ex.limit_headers)
            validated = parts.validator.validate_request(**request)
            if ex.root_url:
                validated = dataclasses.replace(validated, root_url=ex.root_url)
            status, result = HANDLERS[operation.operation_id](state, validated)
        except MockAPIError as err:
            return _error_outcome(err, ex.limit_headers)
        return _ok_outcome(status, result, ex.limit_headers)

    def finish(self, ex: _Exchange, outcome: _Outcome) -> Answer:
        """Record the exchange; the status, raw headers and body to send."""
        status, out_headers, payload = outcome
        # Every answer says when, on the account's clock (the one modifiedAt uses), as
        # HTTP servers do (RFC 9110 Date): a client measures "modified since" on it.
        out_headers.setdefault("date", format_datetime(self.parts.state.now(), usegmt=True))
        recorded_headers = dict(ex.headers)
        if "api-key" in recorded_headers:
            recorded_headers["api-key"] = "<redacted>"
        self.parts.record(
            RecordedExchange(
                operation_id=ex.operation.operation_id if ex.operation else None,
                method=ex.method,
                path=ex.raw_path,
                path_pattern=ex.pattern,
                path_params=ex.params,
                query=parse_qsl(ex.query_string, keep_blank_values=True),
                headers=recorded_headers,
                body=ex.body[:RECORDED_BODY_LIMIT],
                body_truncated=len(ex.body) > RECORDED_BODY_LIMIT,
                status=status,
                response_headers=out_headers,
                # A streamed file is not kept: its size is unbounded.
                response_body=payload if isinstance(payload, bytes) else b"",
                account=ex.account.index if ex.account is not None else None,
            )
        )
        if status is None:
            return None, [], b""
        raw_headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in out_headers.items()]
        if not isinstance(payload, bytes):
            return status, raw_headers, payload
        if payload or (status not in (204, 304) and "content-length" not in out_headers):
            raw_headers.append((b"content-length", str(len(payload)).encode()))
        return status, raw_headers, payload


def _ok_outcome(status: int, result: Any, limit_headers: Mapping[str, str]) -> _Outcome:
    out_headers = dict(limit_headers)
    payload = b""
    if result is not None:
        payload = _json_bytes(result)
        out_headers["content-type"] = "application/json"
    return status, out_headers, payload


def _error_outcome(err: MockAPIError, headers: Mapping[str, str]) -> _Outcome:
    return err.status, {**headers, "content-type": "application/json"}, _json_bytes(err.body())


class MockASGI:
    """The raw ASGI callable behind the Starlette app of a mock."""

    def __init__(self, core: MockCore) -> None:
        self.core = core

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # pragma: no cover - Starlette handles lifespan
            return
        raw_path = scope.get("raw_path") or scope["path"].encode()
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        body, too_large = await _read_body(receive)
        exchange = _Exchange(
            method=scope["method"].upper(),
            # UTF-8 (with replacement) for raw bytes; percent escapes are decoded later,
            # also as UTF-8, so an address sent raw or encoded is the same identifier.
            raw_path=raw_path.decode("utf-8", "replace").split("?", 1)[0],
            query_string=scope.get("query_string", b"").decode("utf-8", "replace"),
            headers=headers,
            body=body,
            too_large=too_large,
            root_url=_root_url(scope, headers),
        )
        core = self.core
        outcome = core.admit(exchange)
        if outcome is None:
            if exchange.fault is not None and exchange.fault.latency:
                await anyio.sleep(exchange.fault.latency)
            if len(body) >= OFFLOAD_BYTES:
                # A large body takes a while (parsing it, or waiting for the helper
                # process): in a thread, the event loop keeps answering other requests.
                outcome = await anyio.to_thread.run_sync(core.serve, exchange)
            else:
                outcome = core.serve(exchange)
        status, raw_headers, payload = core.finish(exchange, outcome)
        if status is None:
            # Dropped connection: start a response, then stop before its body. A real
            # server closes the socket; in-process transports raise a protocol error.
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
                }
            )
            return
        await send({"type": "http.response.start", "status": status, "headers": raw_headers})
        if isinstance(payload, bytes):
            await send({"type": "http.response.body", "body": payload})
            return
        for chunk in payload:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})


def _root_url(scope: Scope, headers: Mapping[str, str]) -> str:
    """``scheme://host[:port]`` as the client addressed the mock (its Host header)."""
    scheme = scope.get("scheme") or "http"
    host = headers.get("host")
    if not host:
        server = scope.get("server") or ("127.0.0.1", 80)
        host = f"{server[0]}:{server[1]}"
    return f"{scheme}://{host}"


def _report_file(accounts: Iterable[AccountParts], raw_path: str) -> _Outcome:
    """A file of a process (``/_mock/processes/{id}/{name}.csv``), or a 404: an import's
    report file, or an export's file (streamed, chunk by chunk).

    Like Brevo's report and export links, these need no api-key: the URL itself is the
    permission.
    """
    csv_type = {"content-type": "text/csv; charset=utf-8"}
    # Each account has its own files path (so equal process ids of two accounts differ).
    state = next((a.state for a in accounts if raw_path.startswith(a.state.files_path + "/")), None)
    parts = raw_path[len(state.files_path) + 1 :].split("/") if state is not None else []
    if state is not None and len(parts) == 2 and parts[0].isdigit() and parts[1].endswith(".csv"):
        process_id, name = int(parts[0]), parts[1][: -len(".csv")]
        exported = state.export_file(process_id, name)
        if exported is not None:
            size, chunks = exported
            return 200, {**csv_type, "content-length": str(size)}, chunks
        text = state.report_file(process_id, name)
        if text is not None:
            return 200, csv_type, text.encode()
    return 404, csv_type, b"no such file\n"


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The request body, reading at most MAX_BODY + 1 bytes (the rest is discarded)."""
    chunks: list[bytes] = []
    size = 0
    too_large = False
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        if not too_large:
            size += len(chunk)
            if size > MAX_BODY:
                too_large = True
                chunks = []
            else:
                chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks), too_large


# ---------------------------------------------------------------------------- handlers
# Each handler: (mock, validated request) -> (status, JSON body or None).


def build_app(parts: MockParts) -> Starlette:
    """The Starlette application serving a mock (every path, every method).

    Its ``state.core`` is the :class:`MockCore` (the in-process transport calls it
    directly, without an event loop).
    """
    missing = (
        {op.operation_id for t in parts.routes for op in t.operations.values()}
        - set(HANDLERS)
        - set(EXTRA_OPERATIONS)
    )
    if missing:  # pragma: no cover - the spec gained an operation the mock lacks
        raise RuntimeError(f"the mock has no handler for: {', '.join(sorted(missing))}")
    app = Starlette()
    core = MockCore(parts)
    # The mock routes by itself (on the raw, percent-encoded path): Starlette's path
    # patterns don't match a decoded newline, and would answer their own text/plain 404.
    # So no Starlette route matches, and every request reaches the router's default.
    app.router.default = MockASGI(core)
    app.router.redirect_slashes = False
    app.state.core = core
    return app
