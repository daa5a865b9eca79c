"""BrevoMock: mock Brevo accounts (one per API key), their ASGI app, transports, server
and introspection."""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Unpack

import httpx
from starlette.applications import Starlette

from .._resources import effective_spec_path
from ._app import (
    EXTRA_OPERATIONS,
    AccountParts,
    MockAccounts,
    MockParts,
    RecordedExchange,
    build_app,
    build_routes,
)
from ._inspection import MockAccount, MockInspection, resolve_rate_limit
from ._limits import RATE_LIMIT_TIERS, Fault, FaultInjector, RateLimiter
from ._network import fetch_file, post_notification
from ._server import BackgroundServer
from ._state import REPORT_PATH, AccountOptions, MockState
from ._transport import AsyncMockTransport, MockTransport
from ._validation import load_validator

#: The key a mock accepts when none is configured (a test key, never a real one).
DEFAULT_API_KEY = "tajo-brevo-mock-key"
#: Base URL of the in-process transports (any host works; this one says what it is).
IN_PROCESS_BASE_URL = "http://testserver/v3"


class BrevoMock(MockInspection):
    """A stateful mock of the Brevo Contacts API (accounts in memory, one per key).

    Serve it in-process (``transport()``, ``async_transport()``, ``client()``, ``app``)
    or on loopback (``with mock.serve() as server: server.base_url``). Inspect it with
    ``contact()``, ``emails_in_list()``, ``calls()`` (see :class:`MockInspection`),
    ``requests`` (the raw exchanges) and ``state``; switch limits with
    ``set_rate_limit()`` and ``set_faults()``.

    Several accounts: ``BrevoMock(accounts=["key-a", "key-b"])`` serves one account per
    key (its own contacts, lists, attributes, folders, processes and rate-limit budget);
    ``mock.account("key-b")`` inspects one of them the same way. The mock's own
    inspection methods, ``state`` and ``api_key`` are its first account's.

    Args:
        api_keys: keys that all address the mock's first account (default: the first
            of ``accounts``, else :data:`DEFAULT_API_KEY`).
        accounts: more keys, each addressing an account of its own.
        rate_limit: requests per second allowed, or a tier name of
            :data:`RATE_LIMIT_TIERS` (``"general"`` = 10, ``"professional"`` = 20,
            ``"enterprise"`` = 60), or None for no limit (the default).
        faults: fault rules (5xx, latency, dropped connections); see :class:`Fault`.
        seed: seed of the fault draws (same seed, same faults).
        clock: monotonic clock of the rate limiter, in seconds.
        spec_path: the OpenAPI document to validate against (default: the effective spec).
        record_limit: how many exchanges ``requests`` keeps (oldest dropped first).
        **account_options: every account's options, passed on to its :class:`MockState`:
            ``now``: wall clock for ``createdAt``/``modifiedAt``.
            ``account_email``: the account's own email (deleting that contact answers 405).
            ``import_delay``: seconds an import stays ``queued`` before it is processed
            (default 0: at once; set it to see an import in flight).
            ``import_rows_per_second``: cap on import processing speed (default None: as
            fast as the mock goes).
            ``membership_process_above``: answer an add/remove of more members than this
            in production's asynchronous form, ``{"contacts": {"processId", "total"}}``,
            carrying the change out as a process (``GET /processes/{id}``; queued behind
            imports, ``import_delay`` applies). Default None: always synchronous.

    Raises:
        ValueError: no API key, a key given twice, a bad rate limit, a bad fault rule or
            import option.
    """

    def __init__(
        self,
        *,
        api_keys: Iterable[str] | None = None,
        accounts: Iterable[str] = (),
        rate_limit: int | str | None = None,
        faults: Sequence[Fault] = (),
        seed: int = 0,
        clock: Callable[[], float] = time.monotonic,
        spec_path: str | Path | None = None,
        record_limit: int = 10_000,
        **account_options: Unpack[AccountOptions],
    ) -> None:
        # Refused here, like any unknown argument, not passed on to MockState.
        unknown = account_options.keys() - AccountOptions.__optional_keys__
        if unknown:
            raise TypeError(f"BrevoMock() got an unexpected keyword argument {min(unknown)!r}")
        extra = tuple(accounts)
        if api_keys is None:
            keys: tuple[str, ...] = extra[:1] or (DEFAULT_API_KEY,)
            extra = extra[1:]
        else:
            keys = tuple(api_keys)
        if not keys or not all(isinstance(k, str) and k for k in (*keys, *extra)):
            raise ValueError("BrevoMock needs at least one non-empty API key")
        if len(set(keys) | set(extra)) != len(set(keys)) + len(extra):
            raise ValueError("each API key addresses one account: a key was given twice")
        self.api_key = keys[0]
        self._validator = load_validator(str(spec_path or effective_spec_path()))
        self._routes = build_routes(self._validator.document)
        operations = [
            op.operation_id
            for t in self._routes
            for op in t.operations.values()
            if op.operation_id not in EXTRA_OPERATIONS
        ]
        self.operation_ids: tuple[str, ...] = tuple(sorted(operations))
        per_second = resolve_rate_limit(rate_limit)
        self._faults = FaultInjector(faults, seed, operations)

        def new_account(index: int) -> AccountParts:
            # Every account has the same options; its files have a path of their own.
            files_path = REPORT_PATH if index == 0 else f"/_mock/accounts/{index}/processes"
            state = MockState(
                notify=post_notification, fetch=fetch_file, files_path=files_path, **account_options
            )
            return AccountParts(index, state, RateLimiter(per_second, clock))

        every = [new_account(index) for index in range(1 + len(extra))]
        by_key = dict.fromkeys(keys, every[0]) | dict(zip(extra, every[1:], strict=True))
        self._accounts = MockAccounts(by_key, every)
        self._limiter = every[0].limiter
        self.state = every[0].state
        self._records: collections.deque[RecordedExchange] = collections.deque(maxlen=record_limit)
        self._records_lock = threading.Lock()
        self.app: Starlette = build_app(
            MockParts(
                accounts=self._accounts,
                validator=self._validator,
                routes=self._routes,
                faults=self._faults,
                record=self._record,
            )
        )

    def __repr__(self) -> str:
        # Never show the keys.
        accounts = len(self._accounts.all)
        return (
            f"BrevoMock(contacts={len(self.state.contacts)}, lists={len(self.state.lists)}, "
            f"rate_limit={self._limiter.per_second}, faults={len(self._faults.faults)}"
            + (f", accounts={accounts})" if accounts > 1 else ")")
        )

    # ------------------------------------------------------------------ accounts

    def account(self, api_key: str) -> MockAccount:
        """The account a key addresses, to inspect and seed like the mock itself.

        Raises:
            LookupError: the mock accepts no such key (the key is not shown).
        """
        parts = self._accounts.by_key.get(api_key)
        if parts is None:
            raise LookupError(
                f"the mock has no account for that key; it has {len(self._accounts.all)}"
            )
        return MockAccount(parts, self)

    @property
    def accounts(self) -> list[MockAccount]:
        """Every account of the mock, the first one first."""
        return [MockAccount(parts, self) for parts in self._accounts.all]

    def set_rate_limit(self, rate_limit: int | str | None) -> None:
        """Switch the rate limit of every account (each keeps its own budget), from now
        on; ``mock.account(key).set_rate_limit()`` switches one.

        Raises:
            ValueError: a bad rate limit.
        """
        per_second = resolve_rate_limit(rate_limit)
        for parts in self._accounts.all:
            parts.limiter.reconfigure(per_second)

    # ------------------------------------------------------------------ introspection

    def _record(self, exchange: RecordedExchange) -> None:
        with self._records_lock:
            self._records.append(exchange)

    @property
    def requests(self) -> list[RecordedExchange]:
        """The exchanges recorded so far, oldest first (a copy)."""
        with self._records_lock:
            return list(self._records)

    def clear_requests(self) -> None:
        """Forget the recorded exchanges."""
        with self._records_lock:
            self._records.clear()

    def response_problems(self) -> list[str]:
        """Every recorded response that breaks the spec, one line each (empty: all conform).

        Dropped connections and unrouted requests (no spec operation) are not checked.
        """
        return [
            f"{ex.method} {ex.path} -> {ex.status}: {issue}"
            for ex in self.requests
            for issue in self._validator.response_problems(ex)
        ]

    # ------------------------------------------------------------------ clients

    def transport(self) -> httpx.BaseTransport:
        """A sync httpx transport calling the app in-process."""
        return MockTransport(self.app)

    def async_transport(self) -> httpx.AsyncBaseTransport:
        """An async httpx transport calling the app in-process."""
        return AsyncMockTransport(self.app)

    def _client_kwargs(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        headers = {"api-key": self.api_key, **dict(kwargs.pop("headers", {}) or {})}
        return {"base_url": IN_PROCESS_BASE_URL, "headers": headers, **kwargs}

    def client(self, **kwargs: Any) -> httpx.Client:
        """An ``httpx.Client`` on the in-process transport, with the mock's key set.

        Args:
            **kwargs: passed to ``httpx.Client`` (e.g. ``headers`` to override the key).
        """
        return httpx.Client(transport=self.transport(), **self._client_kwargs(kwargs))

    def async_client(self, **kwargs: Any) -> httpx.AsyncClient:
        """An ``httpx.AsyncClient`` on the in-process transport, with the mock's key set."""
        return httpx.AsyncClient(transport=self.async_transport(), **self._client_kwargs(kwargs))

    def serve(
        self, *, host: str = "127.0.0.1", port: int = 0, log_level: str = "warning"
    ) -> BackgroundServer:
        """A server for this mock on loopback; use it as a context manager.

        Example::

            with mock.serve() as server:
                httpx.get(server.base_url + "/contacts", headers={"api-key": mock.api_key})

        Args:
            host: address to bind (loopback by default).
            port: port, 0 for a free one.
            log_level: uvicorn's log level.

        Returns:
            A :class:`BackgroundServer`, started on ``__enter__``, stopped on ``__exit__``.
        """
        return BackgroundServer(self.app, host=host, port=port, log_level=log_level)


__all__ = ["DEFAULT_API_KEY", "IN_PROCESS_BASE_URL", "RATE_LIMIT_TIERS", "BrevoMock"]
