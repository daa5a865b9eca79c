"""The one exception tree of tajo_brevo.

::

    BrevoError
    ├── ConfigurationError            bad or missing configuration (e.g. no API key)
    ├── ContactWithoutEmailError      the contact exists but has no email (SMS-only):
    │                                 it can't be read as a loyalty profile
    ├── SourceError                   a sync's source can't be read as a whole
    ├── StateError                    a sync's state file can't be used (busy, another
    │                                 version, another account, read-only)
    ├── RemovalLimitError             a mirror sync would remove more customers than
    │                                 ``max_removals`` allows (nothing was sent)
    ├── ValidationError               bad input caught before anything is sent
    │   ├── ProfileValidationError    a LoyaltyProfile field is invalid
    │   └── AttributeMismatchError    a value does not fit the account's attribute
    │                                 (Brevo would refuse it or silently drop it)
    └── CommunicationError            anything that went wrong talking to Brevo
        ├── APIError                  Brevo answered with an error status
        │   ├── BadRequestError           400
        │   │   ├── InvalidParameterError     400 invalid_parameter / missing_parameter /
        │   │   │                             out_of_range
        │   │   └── DuplicateContactError     400 duplicate_parameter (or the same message
        │   │                                 under another code), with the existing id
        │   ├── AuthenticationError       401
        │   ├── PaymentRequiredError      402 not_enough_credits
        │   ├── PermissionDeniedError     403
        │   ├── NotFoundError             404
        │   ├── MethodNotAllowedError     405 (e.g. deleting the account's own email)
        │   ├── RateLimitError            429, with ``reset_after`` seconds
        │   └── ServerError               5xx
        ├── APIConnectionError        no answer: connection failed or dropped
        │   └── APITimeoutError       no answer in time
        └── ExportError               a contact export failed, was cancelled, or was
                                      not ready in time (its process id and status)

Every ``CommunicationError`` keeps its evidence: ``request`` (the ``httpx.Request`` sent)
and, for an ``APIError``, ``response`` (the ``httpx.Response``, body read), both with the
API key blanked.

The API key never appears in a message or repr of these exceptions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AttributeMismatchError",
    "AuthenticationError",
    "BadRequestError",
    "BrevoError",
    "CommunicationError",
    "ConfigurationError",
    "ContactWithoutEmailError",
    "DuplicateContactError",
    "ExportError",
    "InvalidParameterError",
    "MethodNotAllowedError",
    "NotFoundError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "ProfileValidationError",
    "RateLimitError",
    "RemovalLimitError",
    "ServerError",
    "SourceError",
    "SourceUnavailableError",
    "StateBusyError",
    "StateError",
    "StateUnavailableError",
    "ValidationError",
]


def _rebuild(cls: type[BrevoError], args: tuple[Any, ...], state: dict[str, Any]) -> BrevoError:
    """Unpickle a tajo_brevo exception: its attributes as they were, no constructor run."""
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class BrevoError(Exception):
    """Base of every exception raised by tajo_brevo.

    Every one pickles (multiprocessing, task queues): its attributes travel as they are,
    the evidence of a :class:`CommunicationError` included (``httpx`` requests and
    responses pickle with their body, headers and status, without their stream).
    """

    def __reduce__(self) -> tuple[Any, ...]:
        # The default re-runs ``cls(*self.args)``, which the keyword-only constructors of
        # this tree refuse (and ValidationError would misread).
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


class ConfigurationError(BrevoError):
    """The client is misconfigured (missing API key, refused base URL, ...)."""


class ContactWithoutEmailError(BrevoError):
    """The contact exists in Brevo but has no email (e.g. an SMS-only contact).

    A loyalty profile is keyed by its email, so :meth:`TajoBrevo.get_customer` can't
    return one; the request succeeded and the caller's input was valid.

    Attributes:
        identifier: what the contact was asked for by (email, id or SMS number).
        contact_id: Brevo's id of the contact, when the answer gives it.
        contact: the contact as Brevo returned it (attributes, lists, blacklist flags).
    """

    def __init__(
        self,
        *,
        identifier: str | int,
        contact_id: int | None,
        contact: Mapping[str, Any],
    ) -> None:
        self.identifier = identifier
        self.contact_id = contact_id
        self.contact: Mapping[str, Any] = dict(contact)
        super().__init__(
            f"contact {identifier!r} (id {contact_id}) has no email: it is not a loyalty "
            "profile (an SMS-only contact?)"
        )


class SourceError(BrevoError):
    """A sync's source can't be read as a whole (unknown column, bad format): nothing is sent."""


class SourceUnavailableError(SourceError):
    """A sync's source can't be reached right now (its database is down): try again later."""


class StateError(BrevoError):
    """A sync's state file can't be used: busy, unreadable, or from another version."""


class StateBusyError(StateError):
    """Another sync holds the state's lock: not a fault, try again once it has finished."""


class StateUnavailableError(StateError):
    """A sync's state database can't be reached right now (PostgreSQL down or the
    connection lost): try again later; the next run resumes."""


class RemovalLimitError(BrevoError):
    """A mirror sync would unlist or blacklist more customers than ``max_removals`` allows.

    Raised before anything is sent. Attributes:
        leaving: customers the state knows that the source no longer has.
        known: customers the state knows.
        limit: the most the run may remove.
    """

    def __init__(self, message: str, *, leaving: int, known: int, limit: int) -> None:
        super().__init__(message)
        self.leaving = leaving
        self.known = known
        self.limit = limit


class ValidationError(BrevoError):
    """Input was rejected before any request was sent.

    Attributes:
        errors: ``(field, message)`` pairs, one per problem found.
    """

    def __init__(self, errors: Sequence[tuple[str, str]]) -> None:
        self.errors: list[tuple[str, str]] = list(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.errors))


class ProfileValidationError(ValidationError):
    """A LoyaltyProfile field is invalid (bad email, negative points, unknown tier, ...)."""


class AttributeMismatchError(ValidationError):
    """A value does not match the Brevo attribute it is sent to.

    Brevo accepts such a request and silently drops the value, so the wrapper refuses to
    send it. ``errors`` names each attribute with the expected and the given type.
    """


class CommunicationError(BrevoError):
    """Anything that went wrong talking to Brevo: an error answer or no answer at all.

    Attributes:
        method: the request method.
        path: the request path (no query string, no host).
        request: the ``httpx.Request`` sent (API key blanked), when known.
    """

    method: str
    path: str
    request: httpx.Request | None


class APIError(CommunicationError):
    """Brevo answered with an error status.

    Attributes:
        status_code: the HTTP status.
        code: Brevo's error code (``invalid_parameter``, ``document_not_found``, ...), if any.
        message: Brevo's message, if any.
        metadata: Brevo's ``metadata`` object, if any.
        method: the request method.
        path: the request path (no query string, no host).
        body: the decoded JSON body, or None.
        request: the ``httpx.Request`` that was answered (API key blanked), or None.
        response: the ``httpx.Response`` (body read; API key blanked), or None.
    """

    def __init__(
        self,
        *,
        status_code: int,
        code: str | None,
        message: str | None,
        method: str,
        path: str,
        metadata: Mapping[str, Any] | None = None,
        body: Any = None,
        request: httpx.Request | None = None,
        response: httpx.Response | None = None,
    ) -> None:
        self.request = request
        self.response = response
        self.status_code = status_code
        self.code = code
        self.message = message
        self.metadata: Mapping[str, Any] = metadata or {}
        self.method = method
        self.path = path
        self.body = body
        detail = f"{code}: {message}" if code else (message or "no error body")
        super().__init__(f"{method} {path} -> {status_code} ({detail})")

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code}, code={self.code!r}, "
            f"message={self.message!r}, method={self.method!r}, path={self.path!r})"
        )


class BadRequestError(APIError):
    """400 that is neither an invalid parameter nor a duplicate."""


class InvalidParameterError(BadRequestError):
    """400 ``invalid_parameter`` / ``missing_parameter`` / ``out_of_range``.

    Attributes:
        values: the offending values when Brevo names them (e.g. unknown list ids).
    """

    def __init__(self, *, values: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.values: list[Any] = list(values)


class DuplicateContactError(BadRequestError):
    """The contact already exists (create without ``updateEnabled``).

    Attributes:
        existing_id: the existing contact's id when Brevo gives it, else None.
    """

    def __init__(self, *, existing_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.existing_id = existing_id


class AuthenticationError(APIError):
    """401: the API key is missing or unknown."""


class PaymentRequiredError(APIError):
    """402: the account has not enough credits."""


class PermissionDeniedError(APIError):
    """403: the key may not do this (e.g. IP not authorised)."""


class NotFoundError(APIError):
    """404: the contact, list or attribute does not exist."""


class MethodNotAllowedError(APIError):
    """405: e.g. deleting the account's own registered email."""


class RateLimitError(APIError):
    """429: too many requests.

    Attributes:
        reset_after: seconds until the window resets (``x-sib-ratelimit-reset``), if sent.
    """

    def __init__(self, *, reset_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.reset_after = reset_after


class ServerError(APIError):
    """5xx from Brevo."""


class APIConnectionError(CommunicationError):
    """No answer from Brevo: the connection failed or was dropped."""

    def __init__(
        self, message: str, *, method: str, path: str, request: httpx.Request | None = None
    ) -> None:
        self.request = request
        self.method = method
        self.path = path
        super().__init__(f"{method} {path}: {message}")


class APITimeoutError(APIConnectionError):
    """No answer from Brevo in time."""


class ExportError(CommunicationError):
    """A contact export did not give a file: its process failed, was cancelled, was
    unknown to Brevo, or was not completed before the caller's timeout.

    Attributes:
        process_id: the export's process id.
        status: the process's last status (``failed``, ``cancelled``, ``queued``, ...).
    """

    def __init__(self, message: str, *, process_id: int, status: str) -> None:
        self.process_id = process_id
        self.status = status
        self.method = "GET"
        self.path = f"/processes/{process_id}"
        self.request = None
        super().__init__(f"export process {process_id}: {message}")
