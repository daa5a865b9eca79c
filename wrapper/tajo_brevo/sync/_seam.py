"""The seam between a client and the sync: what a sync needs of ``TajoBrevo``.

The client builds one of these and hands it to ``run_sync`` / ``run_async``; nothing in
``sync`` reaches into the client's private attributes. The sync's plan runs on the
client's own driver (``_plans.driving``), the one its methods use.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Generic, TypeVar

import httpx

from .._plans import AccountCache, AsyncDriver, BlockingDriver
from ..errors import APIConnectionError

__all__ = [
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


D = TypeVar("D", BlockingDriver, AsyncDriver)


@dataclass(frozen=True)
class ClientSeam(Generic[D]):
    """A client as the sync sees it (``ClientSeam[BlockingDriver]`` for ``TajoBrevo``,
    ``ClientSeam[AsyncDriver]`` for ``AsyncTajoBrevo``).

    Attributes:
        base_url: the API's base URL.
        account: the client's cache of the account (attribute types, provisioning).
        key_id: :func:`key_id` of the client's API key.
        driver: the client's driver: it sends calls (paced, retried), sleeps, fetches
            import reports and export files.
    """

    base_url: str
    account: AccountCache
    key_id: str
    driver: D


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
