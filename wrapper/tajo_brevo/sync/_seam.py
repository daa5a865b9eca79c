"""The seam between a client and the sync: what a sync needs of ``TajoBrevo``.

The client builds one of these and hands it to ``run_sync`` / ``run_async``; nothing in
``sync`` reaches into the client's private attributes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from .._adapter import Call, Result
from .._plans import AccountCache
from ..errors import APIConnectionError

__all__ = [
    "AsyncClientSeam",
    "ClientSeam",
    "download_report",
    "download_report_async",
    "key_id",
]

#: Seconds to fetch one import report file.
DOWNLOAD_TIMEOUT = 60.0


def key_id(api_key: str) -> str:
    """A short, one-way id of an API key: tells two keys apart (a state remembers which
    key it was synced with), never gives the key away."""
    return hashlib.blake2b(api_key.encode(), digest_size=8, person=b"tajo-brevo-key").hexdigest()


@dataclass(frozen=True)
class ClientSeam:
    """A blocking client as the sync sees it.

    Attributes:
        base_url: the API's base URL.
        account: the client's cache of the account (attribute types, provisioning).
        execute: sends one call (paced, retried) and returns its result.
        download: fetches an import report file's text.
        key_id: :func:`key_id` of the client's API key.
        save_file: fetches a contact export's file onto disk (streamed), returns its path.
    """

    base_url: str
    account: AccountCache
    execute: Callable[[Call], Result]
    download: Callable[[str], str]
    key_id: str = ""
    save_file: Callable[[str], Path] | None = None


@dataclass(frozen=True)
class AsyncClientSeam:
    """An async client as the sync sees it (see :class:`ClientSeam`)."""

    base_url: str
    account: AccountCache
    execute: Callable[[Call], Awaitable[Result]]
    download: Callable[[str], Awaitable[str]]
    key_id: str = ""
    save_file: Callable[[str], Awaitable[Path]] | None = None


def _same_origin(url: str, base_url: str) -> bool:
    target, base = httpx.URL(url), httpx.URL(base_url)
    return (target.scheme, target.host, target.port) == (base.scheme, base.host, base.port)


def download_report(http: httpx.Client, base_url: str, url: str) -> str:
    """An import report file: on the API host through ``http``, elsewhere without the key.

    Raises:
        APIConnectionError: the file could not be fetched.
    """
    try:
        if _same_origin(url, base_url):
            # The report is on the API host (the mock): the client's connection.
            response = http.get(url)
        else:
            # Elsewhere (Brevo's storage): never send the API key there.
            response = httpx.get(url, timeout=DOWNLOAD_TIMEOUT, follow_redirects=True)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise APIConnectionError(f"report file: {exc}", method="GET", path=url) from None
    return response.text


async def download_report_async(http: httpx.AsyncClient, base_url: str, url: str) -> str:
    """See :func:`download_report`."""
    try:
        if _same_origin(url, base_url):
            response = await http.get(url)
        else:
            async with httpx.AsyncClient(timeout=DOWNLOAD_TIMEOUT) as plain:
                response = await plain.get(url, follow_redirects=True)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise APIConnectionError(f"report file: {exc}", method="GET", path=url) from None
    return response.text
