"""``verify``: read back the contacts this run touched and compare values and lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .. import _adapter as calls
from ..profile import LoyaltyProfile
from ._context import RunContext
from ._effects import Plan
from ._program import Program
from ._validation import Row

__all__ = ["compare", "verify"]


def verify(ctx: RunContext) -> Plan:
    """Read back the contacts this run touched and compare values and lists."""
    program = ctx.program
    checked = 0
    mismatches: list[dict[str, Any]] = []
    if not ctx.touched:
        ctx.report.verify = {"checked": 0, "mismatches": 0, "examples": []}
        return
    ctx.progress("verifying", 0, len(ctx.touched), "contacts")
    found: dict[str, Mapping[str, Any]] = {}
    offset = 0
    since = dt.datetime.fromtimestamp(ctx.state.run_started(ctx.run).timestamp() - 1, dt.UTC)
    for _ in range(100_000):  # bounded by the pages of contacts modified in this run
        page = yield from ctx.call(
            calls.list_contacts_call(limit=1000, offset=offset, modified_since=since)
        )
        body = page.body if isinstance(page.body, dict) else {}
        contacts = [c for c in body.get("contacts") or [] if isinstance(c, dict)]
        for contact in contacts:
            email = contact.get("email")
            if isinstance(email, str) and email.lower() in ctx.touched:
                found[email.lower()] = contact
        offset += len(contacts)
        if len(contacts) < 1000:
            break
    normalizer = ctx.normalizer()
    for raw in ctx.source.rows():
        key = ctx.key_of(raw)
        if key is None or key not in ctx.touched:
            continue
        item = (
            normalizer.from_profile(raw.index, raw.cells)
            if isinstance(raw.cells, LoyaltyProfile)
            else normalizer.normalize(raw)
        )
        if not isinstance(item, Row):
            continue
        checked += 1
        problem = compare(item, found.get(key), program)
        if problem is not None:
            mismatches.append({"row": item.index, "email": item.email, "problem": problem})
    if mismatches:
        ctx.state.invalidate(m["email"].lower() for m in mismatches)
    ctx.report.verify = {
        "checked": checked,
        "mismatches": len(mismatches),
        "examples": mismatches[:20],
    }
    ctx.progress("verifying", len(ctx.touched), len(ctx.touched), "contacts")


def _same(expected: Any, actual: Any) -> bool:
    if expected is None:
        return actual is None or actual == ""
    if isinstance(expected, bool):
        return actual is expected or str(actual).lower() == str(expected).lower()
    if isinstance(expected, int | float):
        try:
            return bool(float(actual) == float(expected))
        except (TypeError, ValueError):
            return False
    if isinstance(actual, str) and len(expected) == 10 and expected[4:5] == "-":
        return bool(actual[:10] == expected)
    return bool(actual == expected)


def compare(row: Row, contact: Mapping[str, Any] | None, program: Program) -> str | None:
    """What differs between a source row and the contact Brevo holds (None: equal)."""
    if contact is None:
        return "not found among the contacts modified by this run"
    attributes = contact.get("attributes") if isinstance(contact.get("attributes"), dict) else {}
    for name, expected in row.values.items():
        actual = attributes.get(name) if isinstance(attributes, dict) else None
        if not _same(expected, actual):
            return f"{name}: Brevo has {actual!r}, the source {expected!r}"
    lists = set(contact.get("listIds") or []) & set(program.list_ids)
    wanted = set(program.lists_for(row.tier))
    if lists != wanted:
        return f"lists: Brevo has {sorted(lists)}, expected {sorted(wanted)}"
    return None
