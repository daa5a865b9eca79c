"""Client configuration, resolved once: argument > environment > default.

The API key is held in a :class:`_Secret`, a ``str`` whose ``repr`` is redacted, so the key
never shows up in the repr of the client, of the generated ``AuthenticatedClient`` (an attrs
class that prints its fields) or of anything that formats it with ``!r``.
"""

from __future__ import annotations

import enum
import ipaddress
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import ConfigurationError

DEFAULT_BASE_URL = "https://api.brevo.com/v3"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 3
#: The longest a 429 makes us wait before a retry, whatever x-sib-ratelimit-reset says.
DEFAULT_MAX_RATE_LIMIT_WAIT = 60.0

ENV_API_KEY = "BREVO_API_KEY"
ENV_BASE_URL = "BREVO_BASE_URL"
#: Requests per second, or "auto": read when no ``rate_limit=`` argument is given.
ENV_RATE_LIMIT = "BREVO_RATE_LIMIT"


class PlanRate(enum.IntEnum):
    """Brevo's documented request rates for the contacts endpoints, per plan (requests/s)."""

    GENERAL = 10
    PROFESSIONAL = 20
    ENTERPRISE = 60


class _Secret(str):
    """A string whose repr never shows its value (``str()`` and formatting still do)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'***'"


@dataclass(frozen=True, kw_only=True)
class _Config:
    api_key: _Secret
    base_url: str
    timeout: float
    max_retries: int
    #: Requests per second at most, or None: follow only Brevo's headers ("auto").
    rate_limit: float | None
    max_rate_limit_wait: float

    def __repr__(self) -> str:
        return (
            f"_Config(base_url={self.base_url!r}, timeout={self.timeout}, "
            f"max_retries={self.max_retries}, rate_limit={self.rate_limit})"
        )


_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_base_url(base_url: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"base URL {base_url!r} is not an http(s) URL; "
            f"use e.g. {DEFAULT_BASE_URL!r} (${ENV_BASE_URL}, or the base_url argument)"
        )
    if parts.username or parts.password:
        raise ConfigurationError(
            "base_url must not carry credentials; pass the key as api_key= or $BREVO_API_KEY"
        )
    if parts.query or parts.fragment:
        raise ConfigurationError(f"base_url {base_url!r} must not have a query or fragment")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        # The API key travels in a header: over plain http anyone on the path can read it.
        raise ConfigurationError(
            f"base_url {base_url!r} uses plain http on a non-loopback host, which would send "
            "the API key in clear text; use https (plain http is accepted only for "
            "127.0.0.1, ::1 or localhost, e.g. a local mock)"
        )
    return base_url.rstrip("/")


#: ``rate_limit=AUTO``: no client-side rate; pace by Brevo's x-sib-ratelimit-* headers only.
AUTO = "auto"


def _rate(rate_limit: float | str | None) -> float | None:
    if rate_limit == AUTO:
        return None
    if rate_limit is not None and (
        isinstance(rate_limit, bool) or not isinstance(rate_limit, (int, float))
    ):
        raise ConfigurationError(
            f"rate_limit must be a number of requests per second or {AUTO!r}, got {rate_limit!r}"
        )
    rate = float(PlanRate.GENERAL if rate_limit is None else rate_limit)
    if not (rate > 0 and math.isfinite(rate)):
        raise ConfigurationError(
            f"rate_limit must be > 0 requests per second, got {rate_limit!r} "
            "(e.g. PlanRate.GENERAL, PlanRate.PROFESSIONAL, PlanRate.ENTERPRISE, "
            f"or {AUTO!r} to follow Brevo's headers only)"
        )
    return rate


def parse_rate_limit(text: str, *, source: str = "rate limit") -> float | str:
    """A rate limit as the command line and ``$BREVO_RATE_LIMIT`` write it.

    The one parser of that text (``tajo-brevo sync``, ``demo``, ``mock`` and the
    environment variable all use it): a plan name (``general`` = 10, ``professional``
    = 20, ``enterprise`` = 60 requests per second, any case), a number of requests per
    second (``25``, ``2.5``), or ``auto`` (no client-side rate: follow Brevo's headers).

    Raises:
        ConfigurationError: anything else, or a number that is not > 0.
    """
    value = text.strip().lower()
    if value == AUTO:
        return AUTO
    plans = {plan.name.lower(): float(plan) for plan in PlanRate}
    if value in plans:
        return plans[value]
    forms = (
        f"a plan ({', '.join(f'{name} = {rate:g}/s' for name, rate in plans.items())}), "
        f"a number of requests per second, or {AUTO!r}"
    )
    try:
        rate = float(value)
    except ValueError:
        raise ConfigurationError(f"{source} {text!r}: give {forms}") from None
    if not (rate > 0 and math.isfinite(rate)):
        raise ConfigurationError(f"{source} {text!r}: must be > 0 requests per second")
    return rate


def parse_fixed_rate(text: str, *, needed_by: str) -> float:
    """A rate limit as :func:`parse_rate_limit` reads it, ``auto`` refused.

    For what paces by a number of requests per second and has no Brevo headers to
    follow (``needed_by``: "the demo", "the mock").

    Raises:
        ValueError: ``auto``.
        ConfigurationError: what :func:`parse_rate_limit` refuses.
    """
    rate = parse_rate_limit(text)
    if rate == AUTO:
        raise ValueError(f"{needed_by} needs a rate: general, professional, enterprise or a number")
    assert isinstance(rate, float)
    return rate


def _env_rate(value: str | None) -> float | str | None:
    """``$BREVO_RATE_LIMIT`` (see :func:`parse_rate_limit`); unset or empty: None."""
    if value is None or not value.strip():
        return None
    return parse_rate_limit(value, source=f"${ENV_RATE_LIMIT}")


def resolve_config(
    *,
    api_key: str | None,
    base_url: str | None,
    timeout: float | None,
    max_retries: int | None,
    rate_limit: float | str | None,
    max_rate_limit_wait: float | None,
    environ: Mapping[str, str] | None = None,
) -> _Config:
    env = os.environ if environ is None else environ
    key = api_key if api_key is not None else env.get(ENV_API_KEY)
    if key is None or not key.strip():
        raise ConfigurationError(
            "no Brevo API key: pass api_key=... or set the environment variable "
            f"{ENV_API_KEY} (create a key in Brevo under SMTP & API > API Keys)"
        )
    key = key.strip()
    if any(c in key for c in "\r\n\x00"):
        raise ConfigurationError("the Brevo API key contains control characters")
    url = base_url if base_url is not None else env.get(ENV_BASE_URL) or DEFAULT_BASE_URL
    resolved_timeout = DEFAULT_TIMEOUT if timeout is None else float(timeout)
    if resolved_timeout <= 0:
        raise ConfigurationError(f"timeout must be > 0 seconds, got {timeout!r}")
    retries = DEFAULT_MAX_RETRIES if max_retries is None else max_retries
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise ConfigurationError(f"max_retries must be an int >= 0, got {max_retries!r}")
    rate = _rate(rate_limit if rate_limit is not None else _env_rate(env.get(ENV_RATE_LIMIT)))
    wait = DEFAULT_MAX_RATE_LIMIT_WAIT if max_rate_limit_wait is None else max_rate_limit_wait
    if wait < 0:
        raise ConfigurationError(f"max_rate_limit_wait must be >= 0, got {max_rate_limit_wait!r}")
    return _Config(
        api_key=_Secret(key),
        base_url=_check_base_url(url),
        timeout=resolved_timeout,
        max_retries=retries,
        rate_limit=rate,
        max_rate_limit_wait=float(wait),
    )
