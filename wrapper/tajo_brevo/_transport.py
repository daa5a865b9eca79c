"""The ONE place requests are paced and retried: an httpx transport wrapper (sync and async).

Every request a client sends, including those made through ``client.generated``, goes
through :class:`PacedTransport` / :class:`AsyncPacedTransport`. Each attempt first takes
a slot from the client's :class:`~tajo_brevo._pacing.Pacer` and, once its wait is over,
commits it (or waits again for the new slot the pacer plans when a pause or the sends of
other callers leave no room); the response's
``x-sib-ratelimit-*`` headers feed it back; :class:`~tajo_brevo._pacing.RetryPolicy`
decides whether to repeat. The two loops below are the only code that waits.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import httpx

from ._pacing import MAX_REPLANS, Pacer, RetryPolicy, Slot, Stats, is_retry_safe

_log = logging.getLogger("tajo_brevo")
#: Methods safe to repeat whatever the path (see _pacing.is_retry_safe).
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


def _relative_path(request: httpx.Request, base_path: str) -> str:
    path = request.url.path
    if base_path and path.startswith(base_path):
        path = path[len(base_path) :] or "/"
    return path


class ForwardTransport(httpx.BaseTransport):
    """Sends through a caller-supplied ``httpx.Client`` (its proxies, certificates, ...)."""

    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        # Streamed: the body is read by whoever reads the response (a contact export's
        # file is written to disk chunk by chunk, never held whole).
        return self._client.send(request, stream=True)

    def close(self) -> None:
        # The caller owns its client and closes it.
        pass


class AsyncForwardTransport(httpx.AsyncBaseTransport):
    """Sends through a caller-supplied ``httpx.AsyncClient``."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._client.send(request, stream=True)

    async def aclose(self) -> None:
        pass


class BorrowedTransport(httpx.BaseTransport):
    """Sends through another transport without owning it (closing this closes nothing).

    For a second ``httpx.Client`` on a client's own connection, e.g. to download a file
    without the client's authentication.
    """

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._inner.handle_request(request)

    def close(self) -> None:
        pass


class AsyncBorrowedTransport(httpx.AsyncBaseTransport):
    """The async twin of :class:`BorrowedTransport`."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        pass


class PacingAndRetries:
    """What the sync and async transports share: pacing, policy, stats, logging."""

    def __init__(
        self,
        *,
        pacer: Pacer,
        policy: RetryPolicy,
        stats: Stats,
        base_path: str,
    ) -> None:
        self.pacer = pacer
        self.policy = policy
        self.stats = stats
        self.base_path = base_path.rstrip("/")

    def path(self, request: httpx.Request) -> str:
        return _relative_path(request, self.base_path)

    def is_safe(self, request: httpx.Request) -> bool:
        method = request.method
        if method in _IDEMPOTENT:  # most requests: no need to look at the path
            return True
        return is_retry_safe(method, self.path(request), request.content)

    def retry_after_response(
        self,
        request: httpx.Request,
        response: httpx.Response,
        attempt: int,
        safe: bool,
        slot: Slot,
    ) -> float | None:
        self.pacer.observe(response.headers, slot)
        delay = self.policy.after_response(response.status_code, response.headers, attempt, safe)
        if delay is None:
            return None
        if response.status_code == 429:
            # Everyone sharing this client waits, not just this request.
            self.pacer.pause(delay, rate_limited=True)
        self.stats.record_retry(response.status_code)
        _log.warning(
            "%s %s -> %s; retry %d/%d in %.2fs",
            request.method,
            self.path(request),
            response.status_code,
            attempt + 1,
            self.policy.max_retries,
            delay,
        )
        return delay

    def retry_after_exception(
        self, request: httpx.Request, exc: Exception, attempt: int, safe: bool
    ) -> float | None:
        delay = self.policy.after_exception(exc, attempt, safe)
        if delay is None:
            return None
        self.stats.record_retry(None)
        _log.warning(
            "%s %s failed (%s); retry %d/%d in %.2fs",
            request.method,
            self.path(request),
            type(exc).__name__,
            attempt + 1,
            self.policy.max_retries,
            delay,
        )
        return delay


class PacedTransport(httpx.BaseTransport):
    """Paces and retries every request sent through ``inner`` (sync)."""

    def __init__(
        self, inner: httpx.BaseTransport, core: PacingAndRetries, sleep: Callable[[float], None]
    ) -> None:
        self._inner = inner
        self._core = core
        self._sleep = sleep

    def _wait(self, seconds: float) -> None:
        if seconds > 0:
            self._core.stats.record_wait(seconds)
            self._sleep(seconds)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        safe = self._core.is_safe(request)
        # The policy refuses a retry once attempt reaches max_retries: the last turn returns.
        for attempt in range(self._core.policy.max_retries + 1):
            slot = self._core.pacer.reserve_slot()
            for _ in range(MAX_REPLANS):
                self._wait(slot.wait)
                slot = self._core.pacer.commit(slot)
                if slot.committed:
                    break
            self._core.stats.record_send(request.method)
            try:
                response = self._inner.handle_request(request)
                # The body is part of the exchange: a connection dropped while reading it
                # is retried like one dropped before the status line.
                response.read()
            except httpx.TransportError as exc:
                delay = self._core.retry_after_exception(request, exc, attempt, safe)
                if delay is None:
                    raise
            else:
                delay = self._core.retry_after_response(request, response, attempt, safe, slot)
                if delay is None:
                    return response
                response.close()
            self._wait(delay)
        raise AssertionError("unreachable: the retry policy stops at max_retries")

    def close(self) -> None:
        self._inner.close()


class AsyncPacedTransport(httpx.AsyncBaseTransport):
    """Paces and retries every request sent through ``inner`` (async)."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        core: PacingAndRetries,
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self._inner = inner
        self._core = core
        self._sleep = sleep

    async def _wait(self, seconds: float) -> None:
        if seconds > 0:
            self._core.stats.record_wait(seconds)
            await self._sleep(seconds)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        safe = self._core.is_safe(request)
        for attempt in range(self._core.policy.max_retries + 1):
            slot = self._core.pacer.reserve_slot()
            for _ in range(MAX_REPLANS):
                await self._wait(slot.wait)
                slot = self._core.pacer.commit(slot)
                if slot.committed:
                    break
            self._core.stats.record_send(request.method)
            try:
                response = await self._inner.handle_async_request(request)
                await response.aread()  # see PacedTransport: the body is in the retry loop
            except httpx.TransportError as exc:
                delay = self._core.retry_after_exception(request, exc, attempt, safe)
                if delay is None:
                    raise
            else:
                delay = self._core.retry_after_response(request, response, attempt, safe, slot)
                if delay is None:
                    return response
                await response.aclose()
            await self._wait(delay)
        raise AssertionError("unreachable: the retry policy stops at max_retries")

    async def aclose(self) -> None:
        await self._inner.aclose()
