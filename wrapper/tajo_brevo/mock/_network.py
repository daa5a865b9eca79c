"""The mock's own network I/O: fetching an import's ``fileUrl``, posting its ``notifyUrl``.

The account state (``_state``) is plain Python; :class:`~tajo_brevo.mock.BrevoMock` hands
it these two functions. Both reach loopback addresses only (the state checks the URL
first), so nothing leaves the machine.
"""

from __future__ import annotations

import contextlib
from typing import Any

import httpx

from ._state import ImportFileError

__all__ = ["MAX_FETCH", "NOTIFY_TIMEOUT", "fetch_file", "post_notification"]

#: Largest file a fileUrl import fetches (Brevo's import limit).
MAX_FETCH = 10 * 1024 * 1024
#: Seconds a notifyUrl POST may take.
NOTIFY_TIMEOUT = 5.0


def fetch_file(url: str) -> str:
    """The text at ``url`` (a CSV file).

    Raises:
        ImportFileError: not a 200, larger than :data:`MAX_FETCH`, or no answer.
    """
    try:
        with httpx.stream("GET", url, timeout=10.0) as response:
            if response.status_code != 200:
                raise ImportFileError(f"HTTP {response.status_code}")
            data = b""
            for part in response.iter_bytes():
                data += part
                if len(data) > MAX_FETCH:
                    raise ImportFileError("larger than 10 MB")
    except httpx.HTTPError as exc:
        raise ImportFileError(type(exc).__name__) from None
    return data.decode("utf-8", "replace")


def post_notification(url: str, payload: dict[str, Any]) -> None:
    """POST a finished process to ``url``; a failure changes nothing."""
    with contextlib.suppress(httpx.HTTPError):
        httpx.post(url, json=payload, timeout=NOTIFY_TIMEOUT)
