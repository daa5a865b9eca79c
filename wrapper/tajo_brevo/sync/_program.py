"""The lists a sync places contacts in (shared by the plan and the state)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..tiers import Tier

__all__ = ["Program"]


@dataclass(frozen=True)
class Program:
    """The lists a sync places contacts in."""

    all_customers: int
    tier_lists: Mapping[Tier, int]

    def lists_for(self, tier: Tier) -> tuple[int, ...]:
        """All-customers, then the tier's list."""
        return (self.all_customers, self.tier_lists[tier])

    @property
    def list_ids(self) -> tuple[int, ...]:
        """Every list of the program."""
        return (self.all_customers, *self.tier_lists.values())
