"""A tiny loyalty service: signs customers up, awards points, keeps Brevo in step.

Its own code knows nothing about tests: it takes a client, or builds ``TajoBrevo()`` from
``BREVO_API_KEY`` / ``BREVO_BASE_URL`` like any deployed service.
"""

from __future__ import annotations

from collections.abc import Iterable

from tajo_brevo import AsyncTajoBrevo, LoyaltyProfile, TajoBrevo, Tier

PROGRAM = "Shop"


class LoyaltyService:
    """Customers and their points, mirrored to Brevo.

    Args:
        brevo: the Brevo client; default: one configured from the environment.
        program: the loyalty program's name in Brevo.
    """

    def __init__(self, brevo: TajoBrevo | None = None, *, program: str = PROGRAM) -> None:
        self._brevo = brevo if brevo is not None else TajoBrevo()
        self._owns_client = brevo is None
        self._program = program
        self._points: dict[str, tuple[str, int]] = {}  # email -> (loyalty id, points)
        self._ready = False

    def close(self) -> None:
        if self._owns_client:
            self._brevo.close()

    def _setup(self) -> None:
        if not self._ready:
            self._brevo.provision(self._program)  # idempotent: reads only once set up
            self._ready = True

    def sign_up(self, email: str, first_name: str, loyalty_id: str) -> None:
        """A new member, with no points yet."""
        self._setup()
        self._points[email] = (loyalty_id, 0)
        self._brevo.upsert_customer(
            LoyaltyProfile(
                email=email, first_name=first_name, loyalty_id=loyalty_id, loyalty_points=0
            )
        )

    def award_points(self, email: str, points: int) -> Tier:
        """Add points after a purchase; returns the member's tier as Brevo now has it."""
        self._setup()
        loyalty_id, total = self._points[email]
        total += points
        self._points[email] = (loyalty_id, total)
        result = self._brevo.upsert_customer(
            LoyaltyProfile(email=email, loyalty_id=loyalty_id, loyalty_points=total)
        )
        return result.tier


async def nightly_sync(brevo: AsyncTajoBrevo, members: Iterable[tuple[str, str, int]]) -> int:
    """Push every member's points (email, loyalty id, points); returns how many changed."""
    await brevo.provision(PROGRAM)
    result = await brevo.upsert_customers(
        LoyaltyProfile(email=email, loyalty_id=loyalty_id, loyalty_points=points)
        for email, loyalty_id, points in members
    )
    return sum(result.counts.get(k, 0) for k in ("created", "updated", "imported"))
