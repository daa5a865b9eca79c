"""tajo_brevo: keep Brevo contacts in step with Tajo loyalty data."""

from __future__ import annotations

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
from .tiers import DEFAULT_TIER_POLICY, Tier, TierPolicy, TierStatus

__all__ = [
    "DEFAULT_TIER_POLICY",
    "TAJO_ATTRIBUTES",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AttributeMismatchError",
    "AttributeSpec",
    "AuthenticationError",
    "BadRequestError",
    "BrevoError",
    "Channel",
    "ConfigurationError",
    "DuplicateContactError",
    "InvalidParameterError",
    "LoyaltyProfile",
    "MethodNotAllowedError",
    "NotFoundError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "ProfileValidationError",
    "RateLimitError",
    "ServerError",
    "Tier",
    "TierPolicy",
    "TierStatus",
    "ValidationError",
]
__version__ = "0.1.0"
