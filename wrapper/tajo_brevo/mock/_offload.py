"""A helper process for the CPU-heavy part of a large import request.

Parsing and validating an 8 MB ``POST /contacts/import`` body and splitting its CSV into
rows takes a few hundred milliseconds of pure Python and C calls (``json.loads``, the
schema check) that hold the GIL, so in the server process every other request waited
behind it (reads took 100+ ms during a 1M-row import). A body of at least
:data:`OFFLOAD_BYTES` is therefore checked in a helper process, against the same spec
document and with the same code (:meth:`SpecValidator.validate_request`, then
:func:`prepare_rows`); it sends back the light body and the rows in small pickled
batches, and the server only applies them. Small bodies (every test's 3-row import)
stay in-process: starting a process costs more than they do.

The helper is one ``spawn``-started process (no ``fork`` of a threaded server), shared
by every mock in the Python process, started on the first large import and shut down
after :data:`IDLE_SECONDS` without work (and at interpreter exit), so no process
outlives its use. If it can't be started or breaks, the request is handled in-process.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import threading
from collections.abc import Mapping
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ._state import MockAPIError, PreparedRows, prepare_rows
from ._validation import load_validator

#: Bodies from this size on are parsed in the helper process (1 MiB parses in-process in
#: a few milliseconds; 8 MiB took 200-400 ms).
OFFLOAD_BYTES = 1024 * 1024
#: The helper process stops after this long without work.
IDLE_SECONDS = 10.0
#: Longest wait for the helper's answer before handling the request in-process.
_TIMEOUT = 120.0

#: (light body, rows) or the 400 to answer.
Prepared = tuple[dict[str, Any], PreparedRows | None]


def prepare_import(spec_path: str, request: Mapping[str, Any]) -> tuple[Any, ...]:
    """In the helper: validate an importContacts request and parse its rows.

    Args:
        spec_path: the spec document the mock validates against.
        request: ``SpecValidator.validate_request``'s keyword arguments.

    Returns:
        ``("ok", light body, rows or None)`` or ``("error", status, code, message,
        metadata)``.
    """
    try:
        validated = load_validator(spec_path).validate_request(**request)
        return ("ok", *prepare_rows(validated.body))
    except MockAPIError as err:
        return ("error", err.status, err.code, err.message, err.metadata)


class _Helper:
    """The shared helper process: started on demand, stopped when idle."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._busy = 0
        self._timer: threading.Timer | None = None
        #: How many times a helper process was started (tests read it).
        self.starts = 0

    @property
    def running(self) -> bool:
        """Whether a helper process is up (or starting)."""
        with self._lock:
            return self._pool is not None

    def call(self, spec_path: str, request: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """Run :func:`prepare_import` in the helper; None when the helper failed."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._pool is None:
                self._pool = concurrent.futures.ProcessPoolExecutor(
                    max_workers=1, mp_context=multiprocessing.get_context("spawn")
                )
                self.starts += 1
            pool = self._pool
            self._busy += 1
        failed = False
        try:
            return pool.submit(prepare_import, spec_path, dict(request)).result(_TIMEOUT)
        except (BrokenProcessPool, TimeoutError, OSError, RuntimeError):
            # RuntimeError: no new work at interpreter shutdown.
            failed = True
            return None
        finally:
            with self._lock:
                self._busy -= 1
                if failed and self._pool is pool:
                    self._pool = None  # the next large import starts a fresh helper
                    threading.Thread(target=pool.shutdown, daemon=True).start()
                elif self._busy == 0 and self._pool is pool:
                    self._timer = threading.Timer(IDLE_SECONDS, self._stop_if_idle, (pool,))
                    self._timer.daemon = True
                    self._timer.start()

    def _stop_if_idle(self, pool: concurrent.futures.ProcessPoolExecutor) -> None:
        with self._lock:
            if self._busy or self._pool is not pool:
                return
            self._pool = None
            self._timer = None
        pool.shutdown(wait=True)

    def stop(self) -> None:
        """Stop the helper now (waits for it to end); the next large import restarts it."""
        with self._lock:
            pool, self._pool = self._pool, None
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        if pool is not None:
            pool.shutdown(wait=True)


#: The helper of this Python process.
HELPER = _Helper()


def prepare_apart(spec_path: str, request: Mapping[str, Any]) -> Prepared | None:
    """An import request validated and parsed in the helper process.

    Returns:
        (light body, rows), or None when the helper is unavailable (handle it in-process).

    Raises:
        MockAPIError: the 400 the request gets (the same as in-process validation).
    """
    answer = HELPER.call(spec_path, request)
    if answer is None:
        return None
    if answer[0] == "error":
        _, status, code, message, metadata = answer
        raise MockAPIError(status, code, message, metadata)
    _, light, rows = answer
    return light, rows


__all__ = ["HELPER", "IDLE_SECONDS", "OFFLOAD_BYTES", "prepare_apart", "prepare_import"]
