"""``tajo-brevo demo``: the integration guide's scenarios and a bulk sync, end to end.

By default against a local mock (``tajo_brevo.mock`` served on 127.0.0.1 in a background
thread, rate limited like a real account). With ``--live --yes-write-to-my-account`` and
``BREVO_API_KEY`` / ``BREVO_BASE_URL`` set, the same demo runs against a real account.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from ._cli_errors import CliError, add_program_option, argument_type, require_api_key
from ._config import parse_fixed_rate

if TYPE_CHECKING:
    from rich.console import Console

    from tajo_brevo import LoyaltyProfile, TajoBrevo

CONFIRM_FLAG = "--yes-write-to-my-account"
DEFAULT_PROGRAM = "Tajo Loyalty Demo"
_FIRST = ["Ada", "Ben", "Chloé", "Dev", "Emma", "Farid", "Gia", "Hugo", "Ines", "Jon", "Kai", "Lea"]
_LAST = ["Martin", "Nguyen", "Okafor", "Perez", "Quinn", "Rossi", "Schmidt", "Tanaka", "Usman"]
_CATEGORIES = ["Electronics", "Fashion", "Home", "Beauty", "Sports", "Books", "Toys"]
#: The integration guide's example customers, as rows of Brevo attributes (the form of a
#: customers file): John and Sarah each alone, John again on his way to Platinum, Alice
#: and Bob in one batch.
_GUIDE_CUSTOMERS: dict[str, dict[str, str]] = {
    "john": {"EMAIL": "john.doe@example.com", "FIRSTNAME": "John", "LASTNAME": "Doe",
             "LOYALTY_ID": "LYL-2024-000", "LOYALTY_POINTS": "1500", "LOYALTY_TIER": "Gold",
             "SIGNUP_DATE": "2024-01-15", "LAST_PURCHASE": "2024-01-20",
             "TOTAL_SPENT": "299.99"},
    "sarah": {"EMAIL": "sarah.johnson@example.com", "FIRSTNAME": "Sarah",
              "LASTNAME": "Johnson", "SMS": "+1234567890", "LOYALTY_ID": "LYL-2024-001",
              "LOYALTY_POINTS": "0", "LOYALTY_TIER": "Bronze", "PREFERRED_REWARDS": "Discounts",
              "BIRTHDAY": "1990-05-15", "SIGNUP_SOURCE": "Website", "REFERRAL_CODE": "REF-12345",
              "COMMUNICATION_PREFERENCES": "Email,SMS",
              "PURCHASE_CATEGORIES": "Electronics,Fashion", "AVERAGE_ORDER_VALUE": "0"},
    "john to platinum": {"EMAIL": "john.doe@example.com", "LOYALTY_ID": "LYL-2024-000",
                         "LOYALTY_POINTS": "2500", "LOYALTY_TIER": "Platinum",
                         "LAST_PURCHASE": "2024-01-25", "TOTAL_SPENT": "1299.99",
                         "RECENT_PURCHASES": "Product A,Product B", "ENGAGEMENT_SCORE": "8.5",
                         "LAST_EMAIL_OPENED": "2024-01-24", "PREFERRED_CONTACT_TIME": "Evening"},
    "alice": {"EMAIL": "alice@example.com", "FIRSTNAME": "Alice", "LOYALTY_ID": "LYL-A",
              "LOYALTY_POINTS": "500", "LOYALTY_TIER": "Bronze"},
    "bob": {"EMAIL": "bob@example.com", "FIRSTNAME": "Bob", "LOYALTY_ID": "LYL-B",
            "LOYALTY_POINTS": "1200", "LOYALTY_TIER": "Silver"},
}  # fmt: skip
DESCRIPTION = (
    "Provision a Brevo account for a loyalty program, run the integration guide's "
    "scenarios (John, Sarah, an upgrade to Platinum, Alice and Bob, the two documented "
    "errors) and sync a batch of generated customers, then print a summary. Against a "
    f"local mock by default; against a real account with --live {CONFIRM_FLAG} and "
    "BREVO_API_KEY / BREVO_BASE_URL set."
)
EPILOG = f"""examples:
  tajo-brevo demo                              # on a local mock, about 20 s
  tajo-brevo demo --customers 300 --rate-limit enterprise
  BREVO_API_KEY=... BREVO_BASE_URL=https://api.brevo.com/v3 \\
    tajo-brevo demo --live {CONFIRM_FLAG}

--rate-limit takes the forms of sync and $BREVO_RATE_LIMIT: general (10/s), professional
(20/s), enterprise (60/s) or a number of requests per second.
"""


def _demo_rate(text: str) -> float:
    return parse_fixed_rate(text, needed_by="the demo")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``demo`` command's options."""
    parser.add_argument("--customers", type=int, default=3000, help="generated customers")
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated data")
    parser.add_argument(
        "--rate-limit",
        type=argument_type(_demo_rate),
        default=10.0,
        metavar="RATE",
        help="requests per second, for the client and the mock: general, professional, "
        "enterprise or a number (default: general = 10/s)",
    )
    add_program_option(parser, DEFAULT_PROGRAM)
    parser.add_argument(
        "--live", action="store_true", help="use the real account of BREVO_BASE_URL/BREVO_API_KEY"
    )
    parser.add_argument(
        CONFIRM_FLAG,
        dest="confirmed",
        action="store_true",
        help="confirm that --live may create attributes, lists and contacts in that account",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run the demo; returns the process exit code."""
    if args.customers < 0:
        raise CliError("--customers must be 0 or more")
    if args.live:
        missing = [name for name in ("BREVO_API_KEY", "BREVO_BASE_URL") if not os.environ.get(name)]
        if missing or not args.confirmed:
            needs = [f"set {' and '.join(missing)}"] if missing else []
            if not args.confirmed:
                needs.append(f"pass {CONFIRM_FLAG} to confirm")
            raise CliError(
                "--live writes to a real Brevo account (attributes, a folder, lists and "
                f"{args.customers + 4} contacts @example.com); refusing: " + " and ".join(needs)
            )
    try:
        from rich.console import Console
    except ImportError as exc:
        raise CliError("needs rich: pip install 'tajo-brevo[demo]'") from exc

    from tajo_brevo import PlanRate, TajoBrevo

    console = Console(highlight=False)
    with ExitStack() as stack:
        if args.live:
            require_api_key()
            client = stack.enter_context(TajoBrevo(rate_limit=args.rate_limit))
            where = f"the Brevo account at {client.base_url}"
        else:
            from tajo_brevo.mock import BrevoMock

            mock = BrevoMock(rate_limit=max(1, int(args.rate_limit)))
            server = stack.enter_context(mock.serve())
            client = stack.enter_context(
                TajoBrevo(
                    api_key=mock.api_key, base_url=server.base_url, rate_limit=args.rate_limit
                )
            )
            where = f"a local Brevo mock at {server.base_url} ({int(args.rate_limit)} req/s)"
        plan = "general" if args.rate_limit == PlanRate.GENERAL else f"{args.rate_limit:g} req/s"
        console.print(f"[bold]tajo-brevo demo[/bold] against {where}, client paced at {plan}\n")
        return _demo(client, console, args)


def _demo(client: TajoBrevo, console: Console, args: argparse.Namespace) -> int:
    from rich.table import Table

    from tajo_brevo import (
        DuplicateContactError,
        InvalidParameterError,
        LoyaltyProfile,
        Tier,
    )

    from ._cli_progress import progress_view
    from ._cli_sync import APPLIED_MEANS

    started = time.monotonic()

    # 1. Provisioning, twice: the second run only reads.
    program = client.provision(args.program)
    console.print(
        f"[bold]1. provision[/bold] {program.program!r}: "
        f"{len(program.attributes_created)} attributes created, "
        f"{len(program.attributes_present)} present, "
        f"{len(program.attributes_builtin)} built in, "
        f"{len(program.attribute_conflicts)} conflicts; folder {program.folder_id}"
        f"{' (created)' if program.folder_created else ''}; "
        f"{len(program.lists_created)} lists created"
    )
    writes_before = client.stats.writes
    again = client.provision(args.program)
    console.print(
        f"   second run: changed={again.changed}, "
        f"{client.stats.writes - writes_before} write requests"
    )
    tier_list = {tier: program.tier_lists[tier] for tier in Tier}

    # 2. The guide's scenarios.
    console.print("[bold]2. the integration guide's scenarios[/bold]")
    john = LoyaltyProfile.from_row(_GUIDE_CUSTOMERS["john"])
    done = client.upsert_customer(john)
    console.print(
        f"   John, basic upsert: {'created' if done.created else 'updated'} "
        f"(id {done.contact_id}), tier {done.tier.value}, lists {list(done.list_ids)}"
    )
    sarah = LoyaltyProfile.from_row(_GUIDE_CUSTOMERS["sarah"])
    done = client.upsert_customer(sarah)
    console.print(
        f"   Sarah, new customer with loyalty attributes: "
        f"{'created' if done.created else 'updated'} (id {done.contact_id}), "
        f"tier {done.tier.value}"
    )
    upgrade = LoyaltyProfile.from_row(_GUIDE_CUSTOMERS["john to platinum"])
    requests_before = client.stats.requests
    done = client.upsert_customer(upgrade)
    spent = client.stats.requests - requests_before
    now_in = client.get_customer("john.doe@example.com")
    console.print(
        f"   John, existing customer to Platinum: {'created' if done.created else 'updated'} "
        f"in {spent} request{'s' if spent != 1 else ''}; added to list "
        f"{tier_list[Tier.PLATINUM]}, unlinked from {list(done.unlinked_list_ids)}; "
        f"reads back as {now_in.loyalty_tier.value if now_in.loyalty_tier else None}"
    )
    pair = client.upsert_customers([_GUIDE_CUSTOMERS["alice"], _GUIDE_CUSTOMERS["bob"]])
    console.print(
        "   Alice and Bob, one batch: "
        + ", ".join(
            f"{o.email} {o.status} ({o.tier.value if o.tier else '-'})" for o in pair.outcomes
        )
    )
    try:
        client.create_customer(john)
    except DuplicateContactError as exc:
        console.print(
            f"   documented error 1, duplicate contact: {type(exc).__name__} "
            f"code={exc.code!r}, existing id {exc.existing_id}"
        )
    else:
        console.print("   [red]documented error 1: expected DuplicateContactError[/red]")
        return 1
    known = [info.id for info in client.iter_lists()]
    missing_list = 999 if 999 not in known else max(known) + 1000
    try:
        client.upsert_customer(
            LoyaltyProfile(email="nobody.yet@example.com", loyalty_id="LYL-X", loyalty_points=1),
            list_ids=[missing_list],
        )
    except InvalidParameterError as exc:
        console.print(
            f"   documented error 2, invalid list id: {type(exc).__name__} "
            f"code={exc.code!r}, values {exc.values}"
        )
    else:
        console.print("   [red]documented error 2: expected InvalidParameterError[/red]")
        return 1

    # 3. A bulk sync of generated customers, with a few bad rows on purpose.
    rows: list[LoyaltyProfile | dict[str, Any]] = list(_generated(args.customers, args.seed))
    rows[1:1] = [
        {"EMAIL": "broken-address", "LOYALTY_ID": "LYL-BAD-1", "LOYALTY_POINTS": "10"},
        {"EMAIL": "negative@example.com", "LOYALTY_ID": "LYL-BAD-2", "LOYALTY_POINTS": "-5"},
    ]
    console.print(f"[bold]3. bulk sync[/bold] of {len(rows)} rows (2 invalid on purpose)")
    requests_before = client.stats.requests
    sync_started = time.monotonic()
    view = progress_view(json=False, stream=console.file, interval=2.0, indent="   ")
    try:
        report = client.sync_customers(
            rows, program=args.program, keep_outcomes=True, progress=view
        )
    except BaseException:
        view.close(ok=False)  # the phase's line says the run stopped there
        raise
    view.close()
    sync_seconds = time.monotonic() - sync_started
    plan = report.plan
    console.print(
        f"   {plan['rows_to_send']} rows sent in {plan['import_chunks']} import(s) and "
        f"{plan['upserts']} upsert(s), confirmed by Brevo; "
        f"{client.stats.requests - requests_before} requests in all, {sync_seconds:.1f} s"
    )
    for outcome in [o for o in report.problems if o.status == "invalid"][:3]:
        console.print(f"   invalid row {outcome.index}: {outcome.reason}")

    # 4. Read back what Brevo has.
    contacts = sum(1 for _ in client.iter_contacts())
    lists = {info.id: info for info in client.iter_lists()}

    table = Table(title="summary", show_header=True, header_style="bold")
    table.add_column("what")
    table.add_column("count", justify="right")
    counts = report.counts
    for status in ("created", "updated", "applied", "invalid", "failed"):
        table.add_row(f"bulk rows {status}", str(counts.get(status, 0)))
    tiers = Counter(o.tier for o in report.outcomes or () if o.status not in ("invalid", "failed"))
    for tier in Tier:
        table.add_row(f"bulk rows in {tier.value}", str(tiers.get(tier.value, 0)))
    for list_id in [program.all_customers_list_id, *tier_list.values()]:
        info = lists.get(list_id)
        name = info.name if info else f"list {list_id}"
        subscribers = info.total_subscribers if info and info.total_subscribers is not None else "?"
        table.add_row(f"list {name!r} ({list_id})", str(subscribers))
    table.add_row("contacts in the account", str(contacts))
    stats = client.stats
    by_method = ", ".join(f"{m} {n}" for m, n in sorted(stats.by_method.items()))
    table.add_row("requests sent", f"{stats.requests} ({by_method})")
    table.add_row("retries (of which 429)", f"{stats.retries} ({stats.rate_limited})")
    # Up to 8 requests wait at once, each for its own slot: their waits add up to more
    # than the wall time. Said as what it is, next to the wall time.
    table.add_row(
        "waiting for a pacing slot, added up over concurrent requests", f"{stats.waited:.1f} s"
    )
    table.add_row("total time (wall clock)", f"{time.monotonic() - started:.1f} s")
    console.print(table)
    if counts.get("applied"):
        console.print(f"({APPLIED_MEANS})")
    ok = counts.get("invalid", 0) == 2 and counts.get("failed", 0) == 0
    return 0 if ok else 1


def _generated(count: int, seed: int) -> Iterator[LoyaltyProfile]:
    from tajo_brevo import LoyaltyProfile, PreferredChannel

    rng = random.Random(seed)
    start = dt.date(2023, 1, 1)
    for i in range(count):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        points = int(rng.expovariate(1 / 1100))
        orders = rng.randint(1, 40)
        spent = round(rng.uniform(15, 180) * orders, 2)
        signup = start + dt.timedelta(days=rng.randint(0, 600))
        yield LoyaltyProfile(
            email=f"{first}.{last}.{i:05d}@example.com".lower().replace("é", "e"),
            first_name=first,
            last_name=last,
            loyalty_id=f"LYL-{seed}-{i:05d}",
            loyalty_points=points,
            points_earned_ytd=points + rng.randint(0, 300),
            total_spent=spent,
            average_order_value=round(spent / orders, 2),
            signup_date=signup,
            last_purchase=signup + dt.timedelta(days=rng.randint(0, 300)),
            favorite_categories=tuple(rng.sample(_CATEGORIES, rng.randint(1, 3))),
            seasonal_buyer=rng.random() < 0.3,
            engagement_score=round(rng.uniform(1, 10), 1),
            preferred_channel=rng.choice(list(PreferredChannel)),
        )
