"""Interpreting Brevo responses (sans-IO): the ONE place an error response becomes an exception.

:func:`error_from_response` is used for every call the wrapper makes, whatever the
operation, so the same status and body always give the same exception.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

import httpx

from .errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    DuplicateContactError,
    InvalidParameterError,
    MethodNotAllowedError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)

#: Brevo codes that mean "a parameter is wrong"; the offending values are extracted.
_INVALID_CODES = frozenset({"invalid_parameter", "missing_parameter", "out_of_range"})
#: Path segments after /contacts/ that are collections, not a contact identifier.
_NON_CONTACT_SEGMENTS = frozenset({"lists", "attributes", "folders", "import"})
#: "Contact already exists", "Unable to create contact, email is already associated with
#: another Contact", "duplicate email": the wording has varied across Brevo versions.
_DUPLICATE_MESSAGE = re.compile(r"already (exists?|associated)|duplicate", re.IGNORECASE)
_MAX_TEXT = 300


_REDACTED = "***"
#: Request headers that carry the credential itself.
_SECRET_HEADERS = frozenset({"api-key", "authorization"})


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret (the API key) replaced by ``***``: the one redaction."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, _REDACTED)
    return text


def _redact_bytes(content: bytes, secrets: Iterable[str]) -> bytes:
    for secret in secrets:
        if secret:
            content = content.replace(secret.encode("utf-8"), _REDACTED.encode("utf-8"))
    return content


def _redact_headers(headers: httpx.Headers, secrets: Iterable[str]) -> list[tuple[str, str]]:
    secrets = tuple(secrets)
    return [
        (name, _REDACTED if name.lower() in _SECRET_HEADERS else redact(value, secrets))
        for name, value in headers.multi_items()
    ]


def redacted_request(request: httpx.Request, secrets: Iterable[str]) -> httpx.Request:
    """A copy of ``request`` safe to keep in an exception: the key header blanked."""
    secrets = tuple(secrets)
    try:
        content = request.content
    except httpx.RequestNotRead:
        content = b""
    return httpx.Request(
        request.method,
        redact(str(request.url), secrets),
        headers=_redact_headers(request.headers, secrets),
        content=_redact_bytes(content, secrets),
    )


def redacted_response(response: httpx.Response, secrets: Iterable[str]) -> httpx.Response:
    """A copy of a read ``response`` (and its request) with the key blanked everywhere."""
    secrets = tuple(secrets)
    try:
        request: httpx.Request | None = redacted_request(response.request, secrets)
    except RuntimeError:  # a response built without a request
        request = None
    return httpx.Response(
        response.status_code,
        headers=_redact_headers(response.headers, secrets),
        content=_redact_bytes(response.content, secrets),
        request=request,
    )


def _decode(content: bytes, secrets: Iterable[str]) -> tuple[Any, str]:
    text = redact(content.decode("utf-8", errors="replace"), secrets)
    try:
        return json.loads(text), text
    except ValueError:
        return None, text


def _is_contact_path(path: str) -> bool:
    parts = [p for p in path.split("/") if p]
    # The base URL may carry a prefix (/v3): look at what follows the "contacts" segment.
    if "contacts" not in parts:
        return False
    rest = parts[parts.index("contacts") + 1 :]
    return not rest or (len(rest) == 1 and rest[0] not in _NON_CONTACT_SEGMENTS)


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _existing_id(sources: Iterable[Mapping[str, Any]]) -> int | None:
    for source in sources:
        for key in ("existingId", "existing_id", "existingContactId", "contactId", "id"):
            found = _as_int(source.get(key))
            if found is not None:
                return found
    return None


def _offending_values(sources: Iterable[Mapping[str, Any]], message: str | None) -> list[Any]:
    values: list[Any] = []
    for source in sources:
        for key, value in source.items():
            if key in ("email",):
                continue
            if isinstance(value, list):
                values.extend(value)
            elif isinstance(value, (int, float, str)) and not isinstance(value, bool):
                values.append(value)
    if not values and message:
        # e.g. "List ID(s) 999, 1000 not found": numbers named in the message.
        values.extend(int(n) for n in re.findall(r"\b\d+\b", message))
    return values


def _number(raw: str | None) -> float | None:
    """The one parser of numeric headers: None unless finite and >= 0.

    Brevo's ``x-sib-ratelimit-*`` and ``Retry-After`` are never negative, so a negative
    or non-numeric value is treated as absent.
    """
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def header_number(headers: Mapping[str, str], name: str) -> float | None:
    """A header holding a count or a number of seconds (see :func:`_number`)."""
    return _number(headers.get(name))


def reset_after(headers: Mapping[str, str]) -> float | None:
    """Seconds until Brevo's rate-limit window resets, from a response's headers.

    ``x-sib-ratelimit-reset`` is a number of seconds (not an epoch); ``Retry-After`` in
    seconds is used when Brevo's header is absent.
    """
    value = header_number(headers, "x-sib-ratelimit-reset")
    return value if value is not None else header_number(headers, "retry-after")


_RATE_LIMIT_HEADERS = frozenset(
    {"x-sib-ratelimit-limit", "x-sib-ratelimit-remaining", "x-sib-ratelimit-reset", "retry-after"}
)


def rate_limit_numbers(
    headers: Mapping[str, str],
) -> tuple[float | None, float | None, float | None]:
    """``(limit, remaining, reset_after)`` of a response, read in one pass over its headers.

    Every answer carries them, and each ``httpx.Headers`` lookup scans all headers:
    one pass instead of four.
    """
    if isinstance(headers, httpx.Headers):
        items = headers.multi_items()  # names already lower case
    else:
        items = [(key.lower(), value) for key, value in headers.items()]
    found = {key: value for key, value in items if key in _RATE_LIMIT_HEADERS}
    reset = _number(found.get("x-sib-ratelimit-reset"))
    if reset is None:
        reset = _number(found.get("retry-after"))
    return (
        _number(found.get("x-sib-ratelimit-limit")),
        _number(found.get("x-sib-ratelimit-remaining")),
        reset,
    )


def error_from_response(
    *,
    status_code: int,
    content: bytes,
    headers: Mapping[str, str],
    method: str,
    path: str,
    secrets: Iterable[str] = (),
    response: httpx.Response | None = None,
) -> APIError:
    """Map an error response to the exception of its meaning.

    Args:
        status_code: the HTTP status (>= 400).
        content: the raw body.
        headers: the response headers (case-insensitive mapping).
        method: the request method.
        path: the request path, without query string.
        secrets: strings to blank out of anything kept (the API key).
        response: the response itself (read), kept redacted as the error's evidence
            together with its request.

    Returns:
        The :class:`~tajo_brevo.errors.APIError` subclass for this status and Brevo code.
    """
    secrets = tuple(secrets)
    body, text = _decode(content, secrets)
    evidence = redacted_response(response, secrets) if response is not None else None
    code: str | None = None
    message: str | None = None
    metadata: dict[str, Any] = {}
    details: dict[str, Any] = {}
    if isinstance(body, Mapping):
        raw_code = body.get("code")
        code = raw_code if isinstance(raw_code, str) else None
        raw_message = body.get("message")
        message = raw_message if isinstance(raw_message, str) else None
        if isinstance(body.get("metadata"), Mapping):
            metadata = dict(body["metadata"])
        # The integration guide documents `details` (existingId, listIds).
        if isinstance(body.get("details"), Mapping):
            details = dict(body["details"])
    elif text.strip():
        message = text.strip()[:_MAX_TEXT]
    message = redact(message, secrets) if message is not None else None
    common: dict[str, Any] = {
        "status_code": status_code,
        "code": code,
        "message": message,
        "method": method.upper(),
        "path": path,
        "metadata": {**details, **metadata} or None,
        "body": body,
        "response": evidence,
        "request": evidence.request if evidence is not None else None,
    }
    sources = (details, metadata)

    if status_code == 400 or (status_code in (409, 422) and _is_contact_path(path)):
        duplicate = (
            code == "duplicate_parameter"
            or "duplicate_identifiers" in metadata
            or bool(message and _DUPLICATE_MESSAGE.search(message))
        )
        if duplicate and _is_contact_path(path):
            return DuplicateContactError(existing_id=_existing_id(sources), **common)
        if status_code == 400:
            if code in _INVALID_CODES:
                return InvalidParameterError(values=_offending_values(sources, message), **common)
            return BadRequestError(**common)
    if status_code == 401:
        return AuthenticationError(**common)
    if status_code == 402:
        return PaymentRequiredError(**common)
    if status_code == 403:
        return PermissionDeniedError(**common)
    if status_code == 404:
        return NotFoundError(**common)
    if status_code == 405:
        return MethodNotAllowedError(**common)
    if status_code == 429:
        return RateLimitError(reset_after=reset_after(headers), **common)
    if status_code >= 500:
        return ServerError(**common)
    return APIError(**common)
