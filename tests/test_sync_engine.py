"""The sync engine end to end over the in-process mock (sync and async clients)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _scenario_support import Driver
from tajo_brevo import LoyaltyProfile, Tier
from tajo_brevo.mock import BrevoMock
from tajo_brevo.sync import SyncState
from tajo_brevo.sync._report import SyncReport

HEADER = "EMAIL,LOYALTY_ID,LOYALTY_POINTS,FIRSTNAME"
WRITES = {"POST", "PUT", "DELETE"}


@pytest.fixture(params=["sync", "async"])
def both(request: pytest.FixtureRequest) -> Iterator[Driver]:
    driver = Driver(request.param, BrevoMock())
    yield driver
    driver.close()


@pytest.fixture
def brevo() -> Iterator[Driver]:
    driver = Driver("sync", BrevoMock())
    yield driver
    driver.close()


def sync(driver: Driver, source: Any, **options: Any) -> SyncReport:
    options.setdefault("program", "Tajo")
    if not hasattr(driver.client, "sync_customers"):  # TODO(phase B): remove
        from tajo_brevo.sync._api import run_async, run_sync

        if driver.mode == "sync":
            return run_sync(driver.client, source, **options)  # type: ignore[arg-type]
        options.setdefault("state", None)
        return driver._runner.run(run_async(driver.client, source, **options))  # type: ignore
    report: SyncReport = driver.sync_customers(source, **options)
    return report


def write_csv(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_text(header + "\n" + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def customers(n: int, points: int = 100, name: str = "Ana") -> list[str]:
    return [f"c{i}@example.com,L{i},{points},{name}{i}" for i in range(n)]


def contact(driver: Driver, email: str) -> Any:
    found = driver.mock.state.contact_by_email(email)
    assert found is not None, email
    return found


def writes_since(driver: Driver, mark: int) -> list[str]:
    return [f"{r.method} {r.path}" for r in list(driver.mock.requests)[mark:] if r.method in WRITES]


def tier_lists(driver: Driver) -> dict[int, Tier]:
    prov = driver.client.provisioning
    assert prov is not None
    return {list_id: tier for tier, list_id in prov.tier_lists.items()}


# -- per-contact path (few changes) --------------------------------------------------------


def test_first_sync_creates_and_an_unchanged_resync_writes_nothing(
    both: Driver, tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "in.csv", customers(5))
    state = tmp_path / "state.db"
    first = sync(both, source, state=state)
    assert first.counts == {"created": 5}
    assert first.exit_code == 0
    assert contact(both, "c3@example.com").attributes["FIRSTNAME"] == "Ana3"
    mark = len(both.mock.requests)
    again = sync(both, source, state=state)
    assert again.counts == {"unchanged": 5}
    assert writes_since(both, mark) == []
    assert again.summary()["writes"] == 0


def test_only_changed_rows_are_sent(brevo: Driver, tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    sync(brevo, write_csv(tmp_path / "in.csv", customers(20)), state=state)
    rows = customers(20)
    rows[7] = "c7@example.com,L7,100,Changed"
    mark = len(brevo.mock.requests)
    report = sync(brevo, write_csv(tmp_path / "in.csv", rows), state=state)
    assert report.counts == {"unchanged": 19, "updated": 1}
    assert writes_since(brevo, mark) == ["PUT /v3/contacts/c7%40example.com"]
    assert contact(brevo, "c7@example.com").attributes["FIRSTNAME"] == "Changed"


def test_an_emptied_cell_clears_the_value_and_an_absent_column_is_untouched(
    both: Driver, tmp_path: Path
) -> None:
    state = tmp_path / "state.db"
    header = HEADER + ",LASTNAME"
    sync(both, write_csv(tmp_path / "a.csv", ["a@example.com,L1,5,Ana,Smith"], header), state=state)
    # FIRSTNAME emptied; LASTNAME column gone: kept.
    report = sync(both, write_csv(tmp_path / "b.csv", ["a@example.com,L1,5,"]), state=state)
    assert report.counts == {"updated": 1}
    attributes = contact(both, "a@example.com").attributes
    assert "FIRSTNAME" not in attributes
    assert attributes["LASTNAME"] == "Smith"


def test_a_tier_move_leaves_exactly_one_tier_list(both: Driver, tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    sync(both, write_csv(tmp_path / "in.csv", customers(3, points=100)), state=state)
    sync(both, write_csv(tmp_path / "in.csv", customers(3, points=2600)), state=state)
    tiers = tier_lists(both)
    for n in range(3):
        lists = [tiers[i] for i in contact(both, f"c{n}@example.com").list_ids if i in tiers]
        assert lists == [Tier.PLATINUM]


def test_invalid_rows_are_reported_and_never_sent(brevo: Driver, tmp_path: Path) -> None:
    rows = ["ok@example.com,L1,5,Ana", "broken-email,L2,5,Ben", "neg@example.com,L3,-1,Cy"]
    report = sync(brevo, write_csv(tmp_path / "in.csv", rows), state=tmp_path / "s.db")
    assert report.counts == {"created": 1, "invalid": 2}
    assert report.exit_code == 1
    reasons = {o.index: o.reason or "" for o in report.problems}
    assert "email" in reasons[1] and "loyalty_points" in reasons[2]
    sent = " ".join(f"{r.path} {r.body!r}" for r in brevo.mock.requests)
    assert "broken-email" not in sent and "neg@example.com" not in sent


def test_emails_are_deduplicated_case_insensitively_last_row_wins(
    brevo: Driver, tmp_path: Path
) -> None:
    rows = [
        "Mixed@Example.com,L1,5,First",
        "other@example.com,L2,5,X",
        "mixed@example.COM,L1,5,Last",
    ]
    report = sync(brevo, write_csv(tmp_path / "in.csv", rows), state=tmp_path / "s.db")
    assert report.counts == {"created": 2, "invalid": 1}
    [dup] = report.problems
    assert dup.index == 0 and "superseded by row 2" in (dup.reason or "")
    assert contact(brevo, "mixed@example.com").attributes["FIRSTNAME"] == "Last"
    creates = [r for r in brevo.mock.requests if r.method == "POST" and r.path == "/v3/contacts"]
    assert len(creates) == 2


def test_update_mode_never_creates(brevo: Driver, tmp_path: Path) -> None:
    state = tmp_path / "s.db"
    sync(brevo, write_csv(tmp_path / "a.csv", customers(1)), state=state)
    rows = [*customers(1, name="New"), "stranger@example.com,L9,5,Zed"]
    report = sync(brevo, write_csv(tmp_path / "b.csv", rows), state=state, mode="update")
    assert report.counts == {"updated": 1, "skipped": 1}
    assert report.exit_code == 0
    assert brevo.mock.state.contact_by_email("stranger@example.com") is None


def test_a_failed_row_is_retried_by_the_next_run(brevo: Driver, tmp_path: Path) -> None:
    state = tmp_path / "s.db"
    source = write_csv(tmp_path / "in.csv", customers(2))
    # Another contact owns the SMS: Brevo refuses the row.
    with brevo.mock.client() as http:
        http.post(
            "/contacts", json={"email": "owner@example.com", "attributes": {"SMS": "+33600000001"}}
        )
    rows = [customers(2)[0] + "", "c1@example.com,L1,100,Ana1"]
    source = write_csv(
        tmp_path / "in.csv", [rows[0] + ",+33600000001", rows[1] + ","], HEADER + ",SMS"
    )
    first = sync(brevo, source, state=state)
    assert first.counts == {"failed": 1, "created": 1}
    assert "SMS" in (first.problems[0].reason or "")
    with brevo.mock.client() as http:
        http.delete("/contacts/owner@example.com")
    second = sync(brevo, source, state=state)
    assert second.counts == {"created": 1, "unchanged": 1}


def test_upsert_customers_profiles_are_the_same_engine(both: Driver) -> None:
    both.provision("Tajo")
    rows = [
        LoyaltyProfile(email="P@example.com", loyalty_id="L1", loyalty_points=5),
        LoyaltyProfile(email="p@example.com", loyalty_id="L1", loyalty_points=2600),
    ]
    report = sync(both, rows)
    assert report.counts == {"created": 1, "invalid": 1}
    assert contact(both, "p@example.com").attributes["LOYALTY_TIER"] == "Platinum"


def test_history_records_every_run(brevo: Driver, tmp_path: Path) -> None:
    state = tmp_path / "s.db"
    source = write_csv(tmp_path / "in.csv", customers(2))
    sync(brevo, source, state=state)
    sync(brevo, source, state=state)
    with SyncState(state, read_only=True) as store:
        runs = store.history()
    assert [(r.id, r.status) for r in runs] == [(2, "ok"), (1, "ok")]
    assert runs[0].summary["counts"] == {"unchanged": 2}
    assert runs[1].summary["counts"] == {"created": 2}


def test_a_dry_run_sends_nothing(brevo: Driver, tmp_path: Path) -> None:
    state = tmp_path / "s.db"
    source = write_csv(tmp_path / "in.csv", customers(3))
    sync(brevo, source, state=state)
    changed = write_csv(tmp_path / "in.csv", customers(3, name="Zoe"))
    mark = len(brevo.mock.requests)
    report = sync(brevo, changed, state=state, dry_run=True)
    assert writes_since(brevo, mark) == []
    assert report.plan["rows_to_send"] == 3 and report.dry_run
