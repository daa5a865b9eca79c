"""Serving the mock with uvicorn: in a background thread (tests, demo) or in the foreground."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn
from starlette.types import ASGIApp

_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 10.0


def _config(app: ASGIApp, host: str, port: int, log_level: str) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        lifespan="off",
        # The app sets Date itself, from the mock's clock (the one modifiedAt uses).
        date_header=False,
        # A dropped-connection fault ends a response early; uvicorn logs it at error level.
        timeout_graceful_shutdown=2,
    )


class BackgroundServer:
    """uvicorn serving an app on 127.0.0.1 in a daemon thread; a context manager.

    The socket is bound before the thread starts (port 0 picks a free port), so
    ``base_url`` is known at once; leaving the ``with`` block stops the server and joins
    the thread (both bounded by timeouts).

    Args:
        app: the ASGI app.
        host: loopback address to bind.
        port: port, 0 for a free one.
        log_level: uvicorn's log level.
    """

    def __init__(
        self, app: ASGIApp, *, host: str = "127.0.0.1", port: int = 0, log_level: str = "warning"
    ) -> None:
        self._sock = bind(host, port)
        self.host = host
        self.port: int = self._sock.getsockname()[1]
        self._server = uvicorn.Server(_config(app, host, self.port, log_level))
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._sock]},
            name=f"tajo-brevo-mock:{self.port}",
            daemon=True,
        )

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no API prefix)."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v3``: what a Brevo client takes as its base URL."""
        return f"{self.root_url}/v3"

    def start(self) -> BackgroundServer:
        """Start serving; returns once the server accepts connections.

        Raises:
            RuntimeError: the server did not start within 10 seconds.
        """
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the mock server did not start on {self.root_url}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop serving and wait (at most 10 seconds) for the thread to end."""
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(_STOP_TIMEOUT)
        self._sock.close()

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket bound to ``host:port`` (port 0: a free port).

    Raises:
        OSError: the address can't be bound.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted connections only
    # for sockets that say they are TCP; without it, Nagle + delayed ACK cost ~40 ms per
    # request.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        # Listening now: connections made before uvicorn starts wait in the backlog
        # instead of being refused, so the printed URL works the moment it is printed.
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def serve_forever(app: ASGIApp, sock: socket.socket, *, log_level: str = "info") -> None:
    """Serve ``app`` on a bound socket in the foreground until interrupted (Ctrl-C)."""
    host, port = sock.getsockname()[:2]
    try:
        uvicorn.Server(_config(app, host, port, log_level)).run(sockets=[sock])
    finally:
        sock.close()
