"""What a Brevo account holds for a loyalty program, read over HTTP, and what it should hold.

Used by tests whose mock runs in another process (or is served): the account is read
through the public client (``iter_contacts``, ``iter_lists``), never through the mock's
Python object, and compared with the source rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tajo_brevo import DEFAULT_TIER_POLICY, LoyaltyProfile, TajoBrevo
from tajo_brevo._plans.provisioning import list_names
from tajo_brevo.sync import Normalizer, Row, Source
from tajo_brevo.sync._program import Program
from tajo_brevo.sync._verify import compare

#: Per contact (lower-cased email): the fields compared, and the program's lists it is in.
View = dict[str, tuple[tuple[Any, ...], frozenset[str]]]
FIELDS = (
    "loyalty_id",
    "loyalty_points",
    "first_name",
    "last_purchase",
    "favorite_categories",
    "seasonal_buyer",
)


def _fields(profile: LoyaltyProfile) -> tuple[Any, ...]:
    values = []
    for name in FIELDS:
        value = getattr(profile, name)
        if name == "loyalty_points" and value is not None:
            value = float(value)
        if name == "favorite_categories":
            value = tuple(value or ())
        values.append(value)
    return tuple(values)


def account_view(client: TajoBrevo, program: str) -> View:
    """Every contact of the account with its fields and its lists of this program."""
    names = {info.id: info.name for info in client.iter_lists()}
    all_name, tier_names = list_names(program)
    ours = {all_name, *tier_names.values()}
    view: View = {}
    for contact in client.iter_contacts():
        assert contact.email is not None
        profile = LoyaltyProfile.from_contact(contact.raw)
        lists = frozenset(names[i] for i in contact.list_ids if names.get(i) in ours)
        view[contact.email.lower()] = (_fields(profile), lists)
    return view


def expected_view(rows: Iterable[Mapping[str, Any]], program: str) -> View:
    """What the account should hold for these source rows (one per email)."""
    all_name, tier_names = list_names(program)
    view: View = {}
    for row in rows:
        points = float(row["loyalty_points"])
        tier = DEFAULT_TIER_POLICY.tier_for(points)
        last = row.get("last_purchase")
        if isinstance(last, dt.datetime):
            last = last.date()
        fields = (
            str(row["loyalty_id"]),
            points,
            row.get("first_name") or None,
            last,
            tuple(row.get("favorite_categories") or ()),
            row.get("seasonal_buyer"),
        )
        view[str(row["email"]).lower()] = (fields, frozenset({all_name, tier_names[tier]}))
    return view


@dataclass(frozen=True)
class ReadBack:
    """A sync's source file compared, row by row, with the account read back over HTTP."""

    #: The source's valid rows, and how many rows were invalid.
    rows: list[Row]
    invalid: int
    #: Every contact of the account (raw, by email: None for one without) and the
    #: program's lists.
    contacts: dict[str | None, dict[str, Any]]
    program: Program
    #: ``email: problem`` for every valid row whose contact differs from it.
    problems: list[str]


def read_back(api_key: str, base_url: str, program: str, source: Path) -> ReadBack:
    """Read the account and compare each valid row of ``source`` with its contact."""
    with TajoBrevo(api_key=api_key, base_url=base_url, rate_limit=1000) as brevo:
        prov = brevo.provision(program)
        contacts = {c.email: c.raw for c in brevo.iter_contacts()}
    lists = Program(prov.all_customers_list_id, dict(prov.tier_lists))
    src = Source(source)
    normalizer = Normalizer(columns=src.columns)
    items = [normalizer.normalize(raw) for raw in src.rows()]
    rows = [item for item in items if isinstance(item, Row)]
    problems = [
        f"{row.email}: {problem}"
        for row in rows
        if (problem := compare(row, contacts.get(row.key), lists)) is not None
    ]
    return ReadBack(rows, len(items) - len(rows), contacts, lists, problems)
