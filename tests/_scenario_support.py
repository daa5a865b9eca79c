"""Helpers for tests that need a provisioned program without a server."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import httpx
from tajo_brevo import DEFAULT_TIER_POLICY, AsyncTajoBrevo, ProvisionResult, TajoBrevo, Tier
from tajo_brevo.mock import BrevoMock
from tajo_brevo.sync._report import SyncReport

ALL_LIST = 1
TIER_LISTS = {Tier.BRONZE: 2, Tier.SILVER: 3, Tier.GOLD: 4, Tier.PLATINUM: 5}


def fake_provisioning() -> ProvisionResult:
    """A ProvisionResult naming lists 1 (all customers) and 2-5 (Bronze..Platinum)."""
    return ProvisionResult(
        program="Tajo Loyalty",
        policy=DEFAULT_TIER_POLICY,
        folder_id=1,
        all_customers_list_id=ALL_LIST,
        tier_lists=dict(TIER_LISTS),
    )


# -- a client of either flavour on an in-process BrevoMock ------------------------------

#: Loopback so plain http is accepted; the in-process transport never opens a socket.
LOCAL_BASE = "http://127.0.0.1/v3"


class Driver:
    """Runs the same test code on TajoBrevo or AsyncTajoBrevo against one BrevoMock.

    Methods of the client are called through the driver: awaited on a private event loop
    for the async client, async iterators collected into lists.
    """

    def __init__(self, mode: str, mock: BrevoMock, **settings: Any) -> None:
        self.mode = mode
        self.mock = mock
        options: dict[str, Any] = {"api_key": mock.api_key, "base_url": LOCAL_BASE}
        options.update({"rate_limit": 10_000, **settings})
        self._runner: asyncio.Runner | None = None
        self.client: TajoBrevo | AsyncTajoBrevo
        if mode == "sync":
            self._http: Any = httpx.Client(transport=mock.transport())
            self.client = TajoBrevo(http_client=self._http, **options)
        else:
            self._runner = asyncio.Runner()
            self._http = httpx.AsyncClient(transport=mock.async_transport())
            self.client = AsyncTajoBrevo(http_client=self._http, **options)

    def _resolve(self, value: Any) -> Any:
        if self._runner is None:
            return value
        if inspect.isawaitable(value):
            return self._runner.run(value)  # type: ignore[arg-type]
        if hasattr(value, "__aiter__"):

            async def collect() -> list[Any]:
                return [item async for item in value]

            return self._runner.run(collect())
        return value

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.client, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._resolve(attribute(*args, **kwargs))

        return call

    def writes(self) -> list[str]:
        """Write requests the mock received, as "METHOD path"."""
        return [f"{r.method} {r.path}" for r in self.mock.requests if r.method != "GET"]

    def close(self) -> None:
        if self._runner is None:
            self.client.close()  # type: ignore[union-attr]
            self._http.close()
        else:
            self._runner.run(self.client.aclose())  # type: ignore[union-attr]
            self._runner.run(self._http.aclose())
            self._runner.close()


def sync(driver: Driver, source: Any, **options: Any) -> SyncReport:
    """``sync_customers`` through ``driver`` for the program "Tajo" unless told otherwise."""
    options.setdefault("program", "Tajo")
    report: SyncReport = driver.sync_customers(source, **options)
    return report
