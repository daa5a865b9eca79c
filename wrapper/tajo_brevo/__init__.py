"""tajo_brevo: keep Brevo contacts in step with Tajo loyalty data."""

from __future__ import annotations

from ._client import AsyncTajoBrevo, TajoBrevo
from ._config import RateLimit
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
    ConfigurationError,
    DuplicateContactError,
    InvalidParameterError,
    MethodNotAllowedError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    ProfileValidationError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from .profile import Channel, LoyaltyProfile
from .results import (
    AttributeConflict,
    AttributeInfo,
    BatchResult,
    Contact,
    ContactListInfo,
    FolderInfo,
    MembershipResult,
    ProvisionResult,
    RowOutcome,
    UpsertResult,
)
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
    "Channel",
    "ConfigurationError",
    "Contact",
    "ContactListInfo",
    "DuplicateContactError",
    "FolderInfo",
    "InvalidParameterError",
    "LoyaltyProfile",
    "MembershipResult",
    "MethodNotAllowedError",
    "NotFoundError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "ProfileValidationError",
    "ProvisionResult",
    "RateLimit",
    "RateLimitError",
    "RequestStats",
    "RowOutcome",
    "ServerError",
    "TajoBrevo",
    "Tier",
    "TierPolicy",
    "TierStatus",
    "UpsertResult",
    "ValidationError",
]
__version__ = "0.1.0"
