"""Helpers for tests that need a provisioned program without a server."""

from __future__ import annotations

from tajo_brevo import DEFAULT_TIER_POLICY, ProvisionResult, Tier

ALL_LIST = 1
TIER_LISTS = {Tier.BRONZE: 2, Tier.SILVER: 3, Tier.GOLD: 4, Tier.PLATINUM: 5}


def fake_provisioning() -> ProvisionResult:
    """A ProvisionResult naming lists 1 (all customers) and 2-5 (Bronze..Platinum)."""
    return ProvisionResult(
        program="Tajo Loyalty",
        policy=DEFAULT_TIER_POLICY,
        folder_id=1,
        all_customers_list_id=ALL_LIST,
        tier_lists=dict(TIER_LISTS),
    )
