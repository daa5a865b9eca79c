"""Loyalty tiers and the policy that maps a points balance to a tier.

The default thresholds (Bronze 0, Silver 1000, Gold 1500, Platinum 2500 points) agree with
every example of the Tajo guide: 0 and 500 points are Bronze, 1200 Silver, 1500 Gold and
2500 Platinum.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Self, TypeVar

from .errors import ValidationError

_E = TypeVar("_E", bound=StrEnum)

__all__ = ["DEFAULT_TIER_POLICY", "NamedChoice", "Tier", "TierPolicy", "TierStatus"]


@functools.cache
def _by_folded_name(enum: type[_E]) -> Mapping[str, _E]:
    # Iterating an Enum is slow, and tiers are parsed on every contact read.
    return {member.value.casefold(): member for member in enum}


class NamedChoice(StrEnum):
    """A ``StrEnum`` whose members are read from their names (:class:`Tier`,
    :class:`~tajo_brevo.PreferredChannel`)."""

    @classmethod
    def parse(cls, value: object) -> Self:
        """Read a member from itself or its name, ignoring case and surrounding spaces.

        Args:
            value: e.g. ``"gold"``, ``" Gold "``, ``Tier.GOLD``, ``"whatsapp"``.

        Returns:
            The member.

        Raises:
            ValidationError: the value names no member (the message lists the valid names).
        """
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            found: Self | None = _by_folded_name(cls).get(value.strip().casefold())
            if found is not None:
                return found
        what = cls.label()
        names = ", ".join(member.value for member in cls)
        raise ValidationError([(what, f"unknown {what} {value!r}; expected one of {names}")])

    @classmethod
    def label(cls) -> str:
        """What a member is called in messages: the class name in lower case."""
        return cls.__name__.lower()


class Tier(NamedChoice):
    """A loyalty tier, lowest first; the value is what Brevo stores in ``LOYALTY_TIER``."""

    BRONZE = "Bronze"
    SILVER = "Silver"
    GOLD = "Gold"
    PLATINUM = "Platinum"


@dataclass(frozen=True)
class TierStatus:
    """Where a points balance stands.

    Attributes:
        tier: the tier the points reach.
        progress: 0-100 % of the way from this tier's threshold to the next one, rounded
            down to 2 decimals (so it shows 100 only at the top tier); 100 at the top.
        next_tier_points: points still needed for the next tier; 0 at the top.
    """

    tier: Tier
    progress: float
    next_tier_points: float


def _number_problem(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return f"must be a number, got {type(value).__name__} {value!r}"
    try:
        finite = math.isfinite(value)
    except ValueError:  # Decimal("sNaN") refuses to convert
        finite = False
    if not finite:
        return f"must be finite, got {value!r}"
    return None


@dataclass(frozen=True, kw_only=True)
class TierPolicy:
    """Minimum points of each tier.

    Args:
        bronze: must be 0, so every balance has a tier.
        silver, gold, platinum: strictly increasing thresholds.

    Raises:
        ValidationError: a threshold is not a finite number, bronze is not 0, or the
            thresholds are not strictly increasing (every problem is reported).
    """

    bronze: float = 0
    silver: float = 1000
    gold: float = 1500
    platinum: float = 2500

    def __post_init__(self) -> None:
        problems: list[tuple[str, str]] = []
        values = {"bronze": self.bronze, "silver": self.silver}
        values |= {"gold": self.gold, "platinum": self.platinum}
        for name, value in values.items():
            if (problem := _number_problem(value)) is not None:
                problems.append((name, problem))
        if problems:
            raise ValidationError(problems)
        if self.bronze != 0:
            problems.append(("bronze", f"must be 0 so every balance has a tier, got {self.bronze}"))
        names = list(values)
        for lower, higher in itertools.pairwise(names):
            if not values[higher] > values[lower]:
                problems.append(
                    (
                        higher,
                        f"must be greater than {lower} ({values[lower]}), got {values[higher]}",
                    )
                )
        if problems:
            raise ValidationError(problems)
        for name, value in values.items():
            object.__setattr__(self, name, float(value))

    @property
    def thresholds(self) -> Mapping[Tier, float]:
        """Minimum points per tier, lowest tier first (read-only)."""
        return MappingProxyType(
            {
                Tier.BRONZE: self.bronze,
                Tier.SILVER: self.silver,
                Tier.GOLD: self.gold,
                Tier.PLATINUM: self.platinum,
            }
        )

    def tier_for(self, points: float) -> Tier:
        """The highest tier whose threshold ``points`` reaches.

        Args:
            points: a points balance (>= 0).

        Returns:
            The tier.

        Raises:
            ValidationError: points is negative, not finite or not a number.
        """
        return self.status(points).tier

    def status(self, points: float) -> TierStatus:
        """Tier, progress toward the next tier and points still needed for it.

        Args:
            points: a points balance (>= 0).

        Returns:
            The status; at the top tier progress is 100 and next_tier_points 0.

        Raises:
            ValidationError: points is negative, not finite or not a number.
        """
        problem = _number_problem(points)
        if problem is None and points < 0:
            problem = f"must be >= 0, got {points}"
        if problem is not None:
            raise ValidationError([("points", problem)])
        balance = float(points)
        ordered = list(self.thresholds.items())
        for (tier, low), (_, high) in itertools.pairwise(ordered):
            if balance < high:
                # Round down: 99.999 % must not read as "100 %", which means the top tier.
                progress = math.floor((balance - low) * 10000 / (high - low)) / 100
                return TierStatus(tier=tier, progress=progress, next_tier_points=high - balance)
        return TierStatus(tier=Tier.PLATINUM, progress=100.0, next_tier_points=0.0)


#: Bronze 0, Silver 1000, Gold 1500, Platinum 2500 points.
DEFAULT_TIER_POLICY = TierPolicy()
