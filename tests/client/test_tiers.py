"""Tiers and the tier policy."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tajo_brevo import DEFAULT_TIER_POLICY, Tier, TierPolicy, TierStatus, ValidationError


@pytest.mark.parametrize(
    ("who", "points", "tier"),
    [
        ("John, quick start", 1500, Tier.GOLD),
        ("Sarah, new customer", 0, Tier.BRONZE),
        ("existing customer update", 2500, Tier.PLATINUM),
        ("Alice, batch", 500, Tier.BRONZE),
        ("Bob, batch", 1200, Tier.SILVER),
    ],
)
def test_default_policy_agrees_with_every_guide_example(who: str, points: int, tier: Tier) -> None:
    assert DEFAULT_TIER_POLICY.tier_for(points) is tier, who


@pytest.mark.parametrize(
    ("points", "tier"),
    [
        (0, Tier.BRONZE),
        (999.99, Tier.BRONZE),
        (1000, Tier.SILVER),
        (1499, Tier.SILVER),
        (1500, Tier.GOLD),
        (2499.5, Tier.GOLD),
        (2500, Tier.PLATINUM),
        (10**9, Tier.PLATINUM),
    ],
)
def test_a_threshold_belongs_to_the_tier_it_opens(points: float, tier: Tier) -> None:
    assert DEFAULT_TIER_POLICY.tier_for(points) is tier


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        (0, TierStatus(Tier.BRONZE, 0.0, 1000.0)),
        (500, TierStatus(Tier.BRONZE, 50.0, 500.0)),
        (1000, TierStatus(Tier.SILVER, 0.0, 500.0)),
        (1200, TierStatus(Tier.SILVER, 40.0, 300.0)),
        (1500, TierStatus(Tier.GOLD, 0.0, 1000.0)),
        (2000, TierStatus(Tier.GOLD, 50.0, 500.0)),
        (2500, TierStatus(Tier.PLATINUM, 100.0, 0.0)),
        (9000, TierStatus(Tier.PLATINUM, 100.0, 0.0)),
    ],
)
def test_status_gives_progress_and_points_to_the_next_tier(
    points: float, expected: TierStatus
) -> None:
    assert DEFAULT_TIER_POLICY.status(points) == expected


def test_progress_just_below_a_threshold_rounds_down_not_to_100() -> None:
    status = DEFAULT_TIER_POLICY.status(2499.9999)
    assert status.tier is Tier.GOLD
    assert status.progress == 99.99
    assert status.next_tier_points == pytest.approx(0.0001)


def test_progress_is_rounded_down_to_two_decimals() -> None:
    # 1/3 of the way from Silver (1000) to Gold (1500)
    assert DEFAULT_TIER_POLICY.status(1000 + 500 / 3).progress == 33.33


@given(st.floats(min_value=0, max_value=1e7, allow_nan=False))
def test_status_is_consistent_for_any_balance(points: float) -> None:
    status = DEFAULT_TIER_POLICY.status(points)
    thresholds = DEFAULT_TIER_POLICY.thresholds
    assert thresholds[status.tier] <= points
    assert 0 <= status.progress <= 100
    if status.tier is Tier.PLATINUM:
        assert (status.progress, status.next_tier_points) == (100.0, 0.0)
    else:
        assert status.progress < 100
        assert status.next_tier_points > 0
        assert math.isclose(points + status.next_tier_points, _next_threshold(status.tier))


def _next_threshold(tier: Tier) -> float:
    tiers = list(Tier)
    return DEFAULT_TIER_POLICY.thresholds[tiers[tiers.index(tier) + 1]]


def test_custom_policy_moves_the_boundaries() -> None:
    policy = TierPolicy(silver=100, gold=200, platinum=300)
    assert [policy.tier_for(p) for p in (99, 100, 200, 300)] == list(Tier)
    assert policy.status(150) == TierStatus(Tier.SILVER, 50.0, 50.0)
    assert policy.thresholds == {
        Tier.BRONZE: 0.0,
        Tier.SILVER: 100.0,
        Tier.GOLD: 200.0,
        Tier.PLATINUM: 300.0,
    }


def test_default_policy_has_the_documented_thresholds() -> None:
    assert TierPolicy() == DEFAULT_TIER_POLICY
    assert list(DEFAULT_TIER_POLICY.thresholds.values()) == [0, 1000, 1500, 2500]


def test_policy_refuses_a_bronze_threshold_other_than_zero() -> None:
    with pytest.raises(ValidationError) as info:
        TierPolicy(bronze=10)
    assert [field for field, _ in info.value.errors] == ["bronze"]


def test_policy_refuses_thresholds_that_do_not_increase_and_names_each() -> None:
    with pytest.raises(ValidationError) as info:
        TierPolicy(silver=1500, gold=1500, platinum=1000)
    assert [field for field, _ in info.value.errors] == ["gold", "platinum"]
    assert "greater than silver" in info.value.errors[0][1]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "1000", True, None])
def test_policy_refuses_non_numeric_thresholds(bad: object) -> None:
    with pytest.raises(ValidationError) as info:
        TierPolicy(silver=bad)  # type: ignore[arg-type]
    assert info.value.errors[0][0] == "silver"


def test_policy_keyword_arguments_only() -> None:
    with pytest.raises(TypeError):
        TierPolicy(0, 10, 20, 30)  # type: ignore[misc]


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf"), "100", True])
def test_status_refuses_invalid_points(bad: object) -> None:
    with pytest.raises(ValidationError) as info:
        DEFAULT_TIER_POLICY.status(bad)  # type: ignore[arg-type]
    assert info.value.errors[0][0] == "points"


@pytest.mark.parametrize(
    ("text", "tier"),
    [("gold", Tier.GOLD), (" PLATINUM ", Tier.PLATINUM), ("Bronze", Tier.BRONZE)],
)
def test_tier_parse_ignores_case_and_spaces(text: str, tier: Tier) -> None:
    assert Tier.parse(text) is tier
    assert Tier.parse(tier) is tier


@pytest.mark.parametrize("bad", ["Diamond", "", None, 3])
def test_tier_parse_names_the_valid_tiers_when_it_fails(bad: object) -> None:
    with pytest.raises(ValidationError, match="expected one of Bronze, Silver, Gold, Platinum"):
        Tier.parse(bad)


def test_tier_value_is_the_name_brevo_stores() -> None:
    assert [t.value for t in Tier] == ["Bronze", "Silver", "Gold", "Platinum"]
    assert f"{Tier.GOLD}" == "Gold"
