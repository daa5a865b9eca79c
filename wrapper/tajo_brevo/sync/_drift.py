"""Drift and reconcile: what changed in Brevo since the state last confirmed it.

An empty room for now: the phase runs between recovery and reading and finds nothing.
"""

from __future__ import annotations

from ._context import RunContext
from ._effects import Plan

__all__ = ["check_account"]


def check_account(ctx: RunContext) -> Plan:
    """Check the account against the state before trusting it (nothing yet)."""
    del ctx
    return
    yield
