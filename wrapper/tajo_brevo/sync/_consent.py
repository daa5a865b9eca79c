"""Consent stays Brevo's: a sync never sets a blacklist flag, and reports those that moved.

A run never sends ``emailBlacklisted`` / ``smsBlacklisted`` for a row, nor an import's
``emailBlacklist`` / ``smsBlacklist``: the source has no column for them, and an
unsubscribe or a bounce recorded in Brevo must survive every sync. (Mirror mode's
``--on-missing blacklist`` is the one exception, asked for by name.)

Customers whose flags changed in Brevo since the last run (they unsubscribed, bounced,
or re-subscribed) are found in the contacts modified since then (``_reads``: the read the
drift checks use too, so no extra request), compared with the flags the state last saw,
and listed in the report (``consent_changes``), for the platform to read back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._context import RunContext
from ._reads import Observer

__all__ = ["observer"]


def observer(ctx: RunContext) -> Observer:
    """An observer of modified contacts that records the blacklist flags that moved."""
    report = ctx.report

    def observe(contacts: Sequence[Mapping[str, Any]]) -> None:
        read: dict[str, tuple[bool, bool, Mapping[str, Any]]] = {}
        for contact in contacts:
            email = contact.get("email")
            if isinstance(email, str) and email:
                flags = (
                    contact.get("emailBlacklisted") is True,
                    contact.get("smsBlacklisted") is True,
                )
                read[email.lower()] = (*flags, contact)
        if not read:
            return
        keys = list(read)
        # Only the program's customers: contacts the state knows.
        known = ctx.state.lookup(keys)
        before = ctx.state.consent(keys)
        moved: list[tuple[str, bool, bool]] = []
        for key, (email_bl, sms_bl, contact) in read.items():
            if key not in known:
                continue
            was = before.get(key, (False, False))
            if was == (email_bl, sms_bl):
                continue
            moved.append((key, email_bl, sms_bl))
            attributes = contact.get("attributes")
            loyalty_id = attributes.get("LOYALTY_ID") if isinstance(attributes, dict) else None
            report.consent_changes.append(
                {
                    "email": key,
                    "loyalty_id": loyalty_id if isinstance(loyalty_id, str) else None,
                    "email_blacklisted": email_bl,
                    "sms_blacklisted": sms_bl,
                    "was_email_blacklisted": was[0],
                    "was_sms_blacklisted": was[1],
                }
            )
        if moved and not ctx.options.dry_run:
            ctx.state.set_consent(moved)

    return observe
