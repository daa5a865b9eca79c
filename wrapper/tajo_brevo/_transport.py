"""The ONE place requests are paced and retried: an httpx transport wrapper (sync and async).

Every request a client sends, including those made through ``client.generated``, goes
through :class:`PacedTransport` / :class:`AsyncPacedTransport`. Each attempt first takes
a slot from the client's :class:`~tajo_brevo._pacing.Pacer` and, once its wait is over,
commits it (or waits again for the new slot the pacer plans when a pause or the sends of
other callers leave no room); the response's
``x-sib-ratelimit-*`` headers feed it back; :class:`~tajo_brevo._pacing.RetryPolicy`
decides whether to repeat. :meth:`PacingAndRetries.exchange` is that loop, written once
and sans I/O; the two transports only carry out its sends and waits.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Generator

import httpx

from ._pacing import MAX_REPLANS, Pacer, RetryPolicy, Slot, Stats, is_retry_safe

_log = logging.getLogger("tajo_brevo")
#: Methods safe to repeat whatever the path (see _pacing.is_retry_safe).
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
#: A request's exchange (:meth:`PacingAndRetries.exchange`): yields a wait in seconds or
#: None (send now), is sent the response or the error, returns the response.
Exchange = Generator[float | None, httpx.Response | httpx.TransportError, httpx.Response]


def _relative_path(request: httpx.Request, base_path: str) -> str:
    path = request.url.path
    if base_path and path.startswith(base_path):
        path = path[len(base_path) :] or "/"
    return path


class UnownedTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Sends through something the caller owns, never closing it (sync or async).

    ``to`` is either a caller-supplied ``httpx.Client`` / ``httpx.AsyncClient`` (its
    proxies, certificates, ...) or another transport: a second ``httpx.Client`` on a
    client's own connection, e.g. to download a file without the client's authentication.
    """

    def __init__(
        self, to: httpx.Client | httpx.AsyncClient | httpx.BaseTransport | httpx.AsyncBaseTransport
    ) -> None:
        self._to = to

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        to = self._to
        if isinstance(to, httpx.Client):
            # Streamed: the body is read by whoever reads the response (a contact export's
            # file is written to disk chunk by chunk, never held whole).
            return to.send(request, stream=True)
        if isinstance(to, httpx.BaseTransport):
            return to.handle_request(request)
        raise TypeError(f"{type(to).__name__} sends asynchronously: use an async client")

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        to = self._to
        if isinstance(to, httpx.AsyncClient):
            return await to.send(request, stream=True)
        if isinstance(to, httpx.AsyncBaseTransport):
            return await to.handle_async_request(request)
        raise TypeError(f"{type(to).__name__} sends synchronously: use a sync client")

    def close(self) -> None:
        pass  # the owner closes it

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

    def exchange(self, request: httpx.Request) -> Exchange:
        """One request's pacing and retries, sans I/O: the one loop both transports drive.

        Yields the seconds to sleep, or None for "send the request now"; after a None it
        must be sent the response (its body read: a connection dropped
        while reading it is retried like one dropped before the status line) or the
        ``httpx.TransportError`` the send raised. Returns the response for the caller;
        raises the error that is not retried.
        """
        safe = self.is_safe(request)
        # The policy refuses a retry once attempt reaches max_retries: the last turn returns.
        for attempt in range(self.policy.max_retries + 1):
            slot = self.pacer.reserve_slot()
            for _ in range(MAX_REPLANS):
                if slot.wait > 0:  # inline, not a sub-generator: this runs per request
                    self.stats.record_wait(slot.wait)
                    yield slot.wait
                slot = self.pacer.commit(slot)
                if slot.committed:
                    break
            self.stats.record_send(request.method)
            outcome = yield None
            if isinstance(outcome, httpx.TransportError):
                delay = self.retry_after_exception(request, outcome, attempt, safe)
                if delay is None:
                    raise outcome
            else:
                delay = self.retry_after_response(request, outcome, attempt, safe, slot)
                if delay is None:
                    return outcome
            if delay > 0:
                self.stats.record_wait(delay)
                yield delay
        raise AssertionError("unreachable: the retry policy stops at max_retries")

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
    """Paces and retries every request sent through ``inner`` (sync): drives
    :meth:`PacingAndRetries.exchange`."""

    def __init__(
        self, inner: httpx.BaseTransport, core: PacingAndRetries, sleep: Callable[[float], None]
    ) -> None:
        self._inner = inner
        self._core = core
        self._sleep = sleep

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        exchange = self._core.exchange(request)
        try:
            step = next(exchange)
            while True:  # ends with the exchange, which is bounded
                if step is not None:
                    self._sleep(step)
                    step = next(exchange)
                    continue
                try:
                    response = self._inner.handle_request(request)
                    response.read()
                except httpx.TransportError as exc:
                    step = exchange.send(exc)
                else:
                    step = exchange.send(response)
                    response.close()  # not returned: it is retried
        except StopIteration as done:
            answer: httpx.Response = done.value
            return answer

    def close(self) -> None:
        self._inner.close()


class AsyncPacedTransport(httpx.AsyncBaseTransport):
    """Paces and retries every request sent through ``inner`` (async): drives
    :meth:`PacingAndRetries.exchange`."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        core: PacingAndRetries,
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self._inner = inner
        self._core = core
        self._sleep = sleep

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        exchange = self._core.exchange(request)
        try:
            step = next(exchange)
            while True:  # see PacedTransport
                if step is not None:
                    await self._sleep(step)
                    step = next(exchange)
                    continue
                try:
                    response = await self._inner.handle_async_request(request)
                    await response.aread()
                except httpx.TransportError as exc:
                    step = exchange.send(exc)
                else:
                    step = exchange.send(response)
                    await response.aclose()
        except StopIteration as done:
            answer: httpx.Response = done.value
            return answer

    async def aclose(self) -> None:
        await self._inner.aclose()
