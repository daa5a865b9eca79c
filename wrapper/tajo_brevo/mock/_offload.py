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

The helper is one process (``python -c "...; _offload.main()"``, talking pickles over
its stdin/stdout), shared by every mock in the Python process, started on the first
large import and stopped after :data:`IDLE_SECONDS` without work, or at interpreter
exit; it also ends by itself when its stdin closes (the mock's process ended, however).
Not ``multiprocessing``: its ``spawn`` re-imports the caller's ``__main__`` in the child
(a script without a main guard would run twice) and ``fork`` copies a threaded server.
If the helper can't be started, breaks or takes too long, the request is handled
in-process.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import struct
import subprocess
import sys
import threading
from collections.abc import Mapping
from typing import IO, Any

from ._state import MockAPIError, PreparedRows, prepare_rows
from ._validation import load_validator

#: Bodies from this size on are parsed in the helper process (1 MiB parses in-process in
#: a few milliseconds; 8 MiB took 200-400 ms).
OFFLOAD_BYTES = 1024 * 1024
#: The helper process stops after this long without work.
IDLE_SECONDS = 10.0
#: Longest wait for the helper's answer before handling the request in-process.
_TIMEOUT = 120.0
_HEAD = struct.Struct(">Q")

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


def _send(stream: IO[bytes], value: Any) -> None:
    data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    stream.write(_HEAD.pack(len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    head = stream.read(_HEAD.size)
    if len(head) < _HEAD.size:
        raise EOFError("the helper closed its pipe")
    (size,) = _HEAD.unpack(head)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("the helper closed its pipe")
    return pickle.loads(data)


def main() -> None:
    """The helper process: answer requests from stdin until it closes."""
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # stdout carries answers only: a stray print can't corrupt them
    # Parsing is never what a client waits on while other requests are: on a busy
    # machine the mock's own process (its worker and the requests it answers) goes first.
    with contextlib.suppress(OSError, AttributeError):
        os.nice(10)
    while True:
        try:
            spec_path, request = _receive(requests)
        except EOFError:
            return
        try:
            answer = prepare_import(spec_path, request)
        except Exception as exc:  # a bug: the mock handles the request in-process
            answer = ("crash", f"{type(exc).__name__}: {exc}")
        _send(answers, answer)


class _Helper:
    """The shared helper process: started on demand, stopped when idle."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        #: One request at a time on the pipe.
        self._call_lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._busy = 0
        self._timer: threading.Timer | None = None
        #: How many times a helper process was started (tests read it).
        self.starts = 0

    @property
    def running(self) -> bool:
        """Whether a helper process is up."""
        with self._lock:
            return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        """The helper's process id, or None when it is not running."""
        with self._lock:
            return self._process.pid if self._process is not None else None

    def _start(self) -> subprocess.Popen[bytes]:
        env = dict(os.environ)
        # The child imports this package from wherever the parent did.
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        process = subprocess.Popen(
            [sys.executable, "-c", "from tajo_brevo.mock._offload import main; main()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        self.starts += 1
        return process

    def call(self, spec_path: str, request: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """Run :func:`prepare_import` in the helper; None when the helper failed."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._busy += 1
        try:
            with self._call_lock:
                return self._exchange(spec_path, request)
        finally:
            with self._lock:
                self._busy -= 1
                if self._busy == 0 and self._process is not None:
                    self._timer = threading.Timer(IDLE_SECONDS, self._stop_if_idle)
                    self._timer.daemon = True
                    self._timer.start()

    def _exchange(self, spec_path: str, request: Mapping[str, Any]) -> tuple[Any, ...] | None:
        with self._lock:
            process = self._process
            if process is None or process.poll() is not None:
                try:
                    process = self._process = self._start()
                except OSError:
                    return None
        assert process.stdin is not None and process.stdout is not None
        # Bounded: a helper that does not answer in time is killed (the read then ends).
        watchdog = threading.Timer(_TIMEOUT, process.kill)
        watchdog.daemon = True
        watchdog.start()
        try:
            _send(process.stdin, (spec_path, dict(request)))
            answer: tuple[Any, ...] = _receive(process.stdout)
        except (OSError, EOFError, pickle.UnpicklingError, struct.error):
            answer = ("crash", "the helper process failed")
        finally:
            watchdog.cancel()
        if answer[0] == "crash":
            self._end(process)
            return None
        return answer

    def _end(self, process: subprocess.Popen[bytes]) -> None:
        """Stop one helper process (closing its stdin ends it) and reap it."""
        with contextlib.suppress(OSError):
            if process.stdin is not None:
                process.stdin.close()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        if process.stdout is not None:
            process.stdout.close()
        with self._lock:  # forgotten once reaped: no pid of ours is left behind
            if self._process is process:
                self._process = None

    def _stop_if_idle(self) -> None:
        with self._lock:
            process = self._process
            if self._busy or process is None:
                return
            self._timer = None
        with self._call_lock:  # not while a call is on the pipe
            self._end(process)

    def stop(self) -> None:
        """Stop the helper now (waits for it to end); the next large import restarts it."""
        with self._lock:
            process = self._process
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        if process is not None:
            with self._call_lock:
                self._end(process)


#: The helper of this Python process.
HELPER = _Helper()
atexit.register(HELPER.stop)


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


__all__ = ["HELPER", "IDLE_SECONDS", "OFFLOAD_BYTES", "main", "prepare_apart", "prepare_import"]
