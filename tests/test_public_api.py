"""The public surface of tajo_brevo is curated: this test pins it."""

from __future__ import annotations

import pytest
import tajo_brevo

EXPECTED = {
    # clients and configuration
    "TajoBrevo",
    "AsyncTajoBrevo",
    "PlanRate",
    "RequestStats",
    # sync sources
    "SqlSource",
    # loyalty model
    "DEFAULT_TIER_POLICY",
    "TAJO_ATTRIBUTES",
    "AttributeSpec",
    "PreferredChannel",
    "LoyaltyProfile",
    "Tier",
    "TierPolicy",
    "TierStatus",
    # results
    "AttributeConflict",
    "AttributeInfo",
    "BatchResult",
    "Contact",
    "ContactListInfo",
    "ExportedContact",
    "FolderInfo",
    "MembershipResult",
    "ProvisionResult",
    "RowOutcome",
    "UpsertResult",
    # sync
    "SyncOutcome",
    "SyncProgress",
    "SyncReport",
    "SyncStatus",
    # errors
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
    "StateError",
    "StateBusyError",
    "StateUnavailableError",
    "ValidationError",
}


def test_all_is_exactly_the_curated_surface() -> None:
    assert set(tajo_brevo.__all__) == EXPECTED
    assert len(tajo_brevo.__all__) == len(EXPECTED)  # no duplicates


def test_every_public_name_exists_and_nothing_private_is_exported() -> None:
    for name in tajo_brevo.__all__:
        assert hasattr(tajo_brevo, name), name
        assert not name.startswith("_")


def test_clients_have_the_same_public_methods() -> None:
    def public(cls: type) -> set[str]:
        return {n for n in dir(cls) if not n.startswith("_")}

    sync_only = {"close"}
    async_only = {"aclose"}
    assert (
        public(tajo_brevo.TajoBrevo) - sync_only == public(tajo_brevo.AsyncTajoBrevo) - async_only
    )


@pytest.mark.parametrize(
    ("old", "new"), [("RateLimit", "PlanRate"), ("Channel", "PreferredChannel")]
)
def test_renamed_names_still_work_with_a_deprecation_warning(old: str, new: str) -> None:
    with pytest.warns(DeprecationWarning, match=new):
        value = getattr(tajo_brevo, old)
    assert value is getattr(tajo_brevo, new)
    assert old not in tajo_brevo.__all__


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        tajo_brevo.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018
