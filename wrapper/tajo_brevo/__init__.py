"""tajo_brevo: keep Brevo contacts in step with Tajo loyalty data."""

from __future__ import annotations

import warnings

from ._client import AsyncTajoBrevo, TajoBrevo
from ._config import PlanRate
from ._pacing import RequestStats
from .attributes import TAJO_ATTRIBUTES, AttributeSpec
from .errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AttributeMismatchError,
    AuthenticationError,
    BadRequestError,
    BrevoError,
    CommunicationError,
    ConfigurationError,
    ContactWithoutEmailError,
    DuplicateContactError,
    ExportError,
    InvalidParameterError,
    MethodNotAllowedError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    ProfileValidationError,
    RateLimitError,
    RemovalLimitError,
    ServerError,
    SourceError,
    SourceUnavailableError,
    StateBusyError,
    StateError,
    StateUnavailableError,
    ValidationError,
)
from .profile import LoyaltyProfile, PreferredChannel
from .results import (
    AttributeConflict,
    AttributeInfo,
    BatchResult,
    Contact,
    ContactListInfo,
    ExportedContact,
    FolderInfo,
    MembershipResult,
    ProvisionResult,
    RowOutcome,
    UpsertResult,
)
from .sync import SqlSource
from .sync._progress import SyncProgress
from .sync._report import SyncOutcome, SyncReport, SyncStatus
from .tiers import DEFAULT_TIER_POLICY, Tier, TierPolicy, TierStatus

__all__ = [
    "DEFAULT_TIER_POLICY",
    "TAJO_ATTRIBUTES",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AsyncTajoBrevo",
    "AttributeConflict",
    "AttributeInfo",
    "AttributeMismatchError",
    "AttributeSpec",
    "AuthenticationError",
    "BadRequestError",
    "BatchResult",
    "BrevoError",
    "CommunicationError",
    "ConfigurationError",
    "Contact",
    "ContactListInfo",
    "ContactWithoutEmailError",
    "DuplicateContactError",
    "ExportError",
    "ExportedContact",
    "FolderInfo",
    "InvalidParameterError",
    "LoyaltyProfile",
    "MembershipResult",
    "MethodNotAllowedError",
    "NotFoundError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "PlanRate",
    "PreferredChannel",
    "ProfileValidationError",
    "ProvisionResult",
    "RateLimitError",
    "RemovalLimitError",
    "RequestStats",
    "RowOutcome",
    "ServerError",
    "SourceError",
    "SourceUnavailableError",
    "SqlSource",
    "StateBusyError",
    "StateError",
    "StateUnavailableError",
    "SyncOutcome",
    "SyncProgress",
    "SyncReport",
    "SyncStatus",
    "TajoBrevo",
    "Tier",
    "TierPolicy",
    "TierStatus",
    "UpsertResult",
    "ValidationError",
]
__version__ = "0.1.0"

#: Old names kept working for a while: name -> (new name, object).
_DEPRECATED: dict[str, tuple[str, object]] = {
    # Read next to RateLimitError it looked like an exception or a limiter object.
    "RateLimit": ("PlanRate", PlanRate),
    # Said nothing of what channel: it is the customer's preferred one.
    "Channel": ("PreferredChannel", PreferredChannel),
}


def __getattr__(name: str) -> object:
    if name in _DEPRECATED:
        new, value = _DEPRECATED[name]
        warnings.warn(
            f"tajo_brevo.{name} is deprecated; use tajo_brevo.{new} (same values)",
            DeprecationWarning,
            stacklevel=2,
        )
        return value
    raise AttributeError(f"module 'tajo_brevo' has no attribute {name!r}")
