"""The sync engine end to end over the in-process mock (sync and async clients)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _scenario_support import Driver, sync
from tajo_brevo import LoyaltyProfile, Tier
from tajo_brevo.mock import BrevoMock
from tajo_brevo.sync import SyncState, _imports, _planning

HEADER = "EMAIL,LOYALTY_ID,LOYALTY_POINTS,FIRSTNAME"
WRITES = {"POST", "PUT", "DELETE"}


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


def test_rows_with_one_email_in_any_case_are_all_invalid_and_never_sent(
    brevo: Driver, tmp_path: Path
) -> None:
    rows = [
        "Mixed@Example.com,L1,5,First",
        "other@example.com,L2,5,X",
        "mixed@example.COM,L3,5,Last",
    ]
    report = sync(brevo, write_csv(tmp_path / "in.csv", rows), state=tmp_path / "s.db")
    assert report.counts == {"created": 1, "invalid": 2}
    assert [(p.index, p.line) for p in report.problems] == [(0, 2), (2, 4)]
    for problem in report.problems:
        assert "the email mixed@example.com is on lines 2, 4" in (problem.reason or "")
    assert brevo.mock.state.contact_by_email("mixed@example.com") is None
    creates = [r for r in brevo.mock.requests if r.method == "POST" and r.path == "/v3/contacts"]
    assert len(creates) == 1


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
        LoyaltyProfile(email="q@example.com", loyalty_id="L2", loyalty_points=2600),
        LoyaltyProfile(email="r@example.com", loyalty_id="L2", loyalty_points=5),
    ]
    report = sync(both, rows)
    assert report.counts == {"created": 1, "invalid": 2}
    assert [(p.index, p.line) for p in report.problems] == [(1, None), (2, None)]
    assert "LOYALTY_ID 'L2' is on rows 1, 2" in (report.problems[0].reason or "")
    assert contact(both, "p@example.com").attributes["LOYALTY_TIER"] == "Bronze"
    assert both.mock.state.contact_by_email("q@example.com") is None


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


# -- import path (many changes) ------------------------------------------------------------

FAST = {"poll_interval": 0.01, "max_poll_interval": 0.05}


def imports(driver: Driver, mark: int = 0) -> list[dict[str, Any]]:
    import json

    return [
        json.loads(r.body)
        for r in list(driver.mock.requests)[mark:]
        if r.method == "POST" and r.path == "/v3/contacts/import"
    ]


def test_a_large_first_sync_is_imported_and_confirmed(both: Driver, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", customers(120))
    state = tmp_path / "s.db"
    report = sync(both, source, state=state, **FAST)
    assert report.counts == {"applied": 120}
    assert report.requests["importContacts"] == 1
    assert report.requests["getProcess"] >= 1
    assert len(both.mock.state.contacts) == 120
    mark = len(both.mock.requests)
    again = sync(both, source, state=state, **FAST)
    assert again.counts == {"unchanged": 120}
    assert writes_since(both, mark) == []


def test_one_percent_changed_sends_only_those(brevo: Driver, tmp_path: Path) -> None:
    state = tmp_path / "s.db"
    sync(brevo, write_csv(tmp_path / "in.csv", customers(300)), state=state, **FAST)
    rows = customers(300)
    for n in (5, 150, 299):
        rows[n] = f"c{n}@example.com,L{n},100,Changed{n}"
    mark = len(brevo.mock.requests)
    report = sync(
        brevo, write_csv(tmp_path / "in.csv", rows), state=state, import_threshold=2, **FAST
    )
    assert report.counts == {"unchanged": 297, "updated": 3}
    [body] = imports(brevo, mark)
    lines = body["fileBody"].splitlines()
    assert sorted(line.split(";")[0] for line in lines[1:]) == [
        "c150@example.com",
        "c299@example.com",
        "c5@example.com",
    ]
    assert [w for w in writes_since(brevo, mark) if "import" not in w] == []


def test_import_tier_moves_unlink_exactly_the_old_tier_list(brevo: Driver, tmp_path: Path) -> None:
    state = tmp_path / "s.db"
    sync(brevo, write_csv(tmp_path / "in.csv", customers(100, points=100)), state=state, **FAST)
    rows = customers(100, points=100)
    movers = [f"c{n}@example.com" for n in range(0, 100, 2)]
    for n in range(0, 100, 2):
        rows[n] = f"c{n}@example.com,L{n},1600,Ana{n}"
    mark = len(brevo.mock.requests)
    report = sync(brevo, write_csv(tmp_path / "in.csv", rows), state=state, **FAST)
    assert report.counts == {"unchanged": 50, "updated": 50}
    prov = brevo.client.provisioning
    assert prov is not None
    removes = [r for r in list(brevo.mock.requests)[mark:] if r.path.endswith("/contacts/remove")]
    bronze = prov.tier_lists[Tier.BRONZE]
    assert {r.path for r in removes} == {f"/v3/contacts/lists/{bronze}/contacts/remove"}
    import json

    removed = sorted(e for r in removes for e in json.loads(r.body)["emails"])
    assert removed == sorted(movers)
    tiers = tier_lists(brevo)
    for n in range(100):
        lists = [tiers[i] for i in contact(brevo, f"c{n}@example.com").list_ids if i in tiers]
        assert lists == [Tier.GOLD if n % 2 == 0 else Tier.BRONZE]
    # Nothing left to unlink on the next run.
    again = sync(brevo, write_csv(tmp_path / "in.csv", rows), state=state, **FAST)
    assert again.plan["unlink_requests"] == 0 and again.counts == {"unchanged": 100}


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_an_unlink_answered_as_a_process_counts_once_the_process_completed(
    mode: str, tmp_path: Path
) -> None:
    # Production may answer a removal with {"contacts": {"processId": ...}}: the state
    # forgets the old tier list only once that process has completed.
    driver = Driver(mode, BrevoMock(membership_process_above=0))
    try:
        state = tmp_path / "s.db"
        sync(driver, write_csv(tmp_path / "in.csv", customers(60)), state=state, **FAST)
        rows = customers(60)
        for n in range(0, 60, 2):
            rows[n] = f"c{n}@example.com,L{n},1600,Ana{n}"
        mark = len(driver.mock.requests)
        report = sync(
            driver, write_csv(tmp_path / "in.csv", rows), state=state, import_threshold=2, **FAST
        )
        exchanges = list(driver.mock.requests)[mark:]
        removes = [r for r in exchanges if r.path.endswith("/remove")]
        assert removes and report.plan.get("unlink_failed", 0) == 0
        processes = {json.loads(r.response_body)["contacts"]["processId"] for r in removes}
        polled = {int(r.path.rsplit("/", 1)[1]) for r in exchanges if "/processes/" in r.path}
        assert processes <= polled  # every removal's process was followed
        tiers = tier_lists(driver)
        for n in range(60):
            lists = [tiers[i] for i in contact(driver, f"c{n}@example.com").list_ids if i in tiers]
            assert lists == [Tier.GOLD if n % 2 == 0 else Tier.BRONZE]
        again = sync(driver, write_csv(tmp_path / "in.csv", rows), state=state, **FAST)
        assert again.plan["unlink_requests"] == 0
    finally:
        driver.close()


def test_an_emptied_cell_clears_through_an_import(both: Driver, tmp_path: Path) -> None:
    state = tmp_path / "s.db"
    header = HEADER + ",FAVORITE_CATEGORIES"
    full = [r + ',"Home,Books"' for r in customers(60)]
    sync(both, write_csv(tmp_path / "in.csv", full, header), state=state, **FAST)
    assert contact(both, "c1@example.com").attributes["FAVORITE_CATEGORIES"] == "Home,Books"
    emptied = [f"c{i}@example.com,L{i},100,," for i in range(60)]
    mark = len(both.mock.requests)
    report = sync(both, write_csv(tmp_path / "in.csv", emptied, header), state=state, **FAST)
    assert report.counts == {"updated": 60}
    [body] = imports(both, mark)
    assert body["emptyContactsAttributes"] is True
    attributes = contact(both, "c1@example.com").attributes
    assert "FAVORITE_CATEGORIES" not in attributes and "FIRSTNAME" not in attributes


def test_an_import_that_clears_nothing_asks_brevo_to_keep_empty_cells(
    brevo: Driver, tmp_path: Path
) -> None:
    # Profiles touch different attributes: one chunk per set, none clears anything.
    brevo.provision("Tajo")
    with brevo.mock.client() as http:
        http.post("/contacts", json={"email": "c0@example.com", "attributes": {"LASTNAME": "Keep"}})
    rows = [
        LoyaltyProfile(email=f"c{n}@example.com", loyalty_id=f"L{n}", loyalty_points=5)
        if n % 2 == 0
        else LoyaltyProfile(
            email=f"c{n}@example.com", loyalty_id=f"L{n}", loyalty_points=5, last_name="New"
        )
        for n in range(60)
    ]
    report = sync(brevo, rows, **FAST)
    assert report.counts == {"applied": 60}
    bodies = imports(brevo)
    assert len(bodies) == 2
    assert [b["emptyContactsAttributes"] for b in bodies] == [False, False]
    assert contact(brevo, "c0@example.com").attributes["LASTNAME"] == "Keep"
    assert contact(brevo, "c1@example.com").attributes["LASTNAME"] == "New"


def test_rows_the_import_report_rejects_come_back_failed(brevo: Driver, tmp_path: Path) -> None:
    with brevo.mock.client() as http:
        http.post(
            "/contacts", json={"email": "owner@example.com", "attributes": {"SMS": "+33600000001"}}
        )
    rows = [r + "," for r in customers(60)]
    rows[7] = "c7@example.com,L7,100,Ana7,+33600000001"
    source = write_csv(tmp_path / "in.csv", rows, HEADER + ",SMS")
    state = tmp_path / "s.db"
    report = sync(brevo, source, state=state, **FAST)
    assert report.counts == {"applied": 59, "failed": 1}
    [failed] = report.problems
    assert failed.email == "c7@example.com" and failed.reason
    assert report.exit_code == 1
    # Retried by the next run (the owner is gone now).
    with brevo.mock.client() as http:
        http.delete("/contacts/owner@example.com")
    again = sync(brevo, source, state=state, **FAST)
    assert again.counts == {"unchanged": 59, "created": 1}  # one row: per-contact path


def test_update_mode_sends_rows_it_does_not_know_in_bounded_batches(
    brevo: Driver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A first update run knows no contact: every row goes per contact. They used to wait
    # in one list until the end of the source (a million rows in memory); now each batch
    # is sent as it fills.
    monkeypatch.setattr(_planning, "UPDATE_ONLY_BATCH", 2)
    sizes: list[int] = []
    send = _imports.send_upserts

    def spy(ctx: Any, rows: list[Any], *, may_create: bool) -> Any:
        sizes.append(len(rows))
        return send(ctx, rows, may_create=may_create)

    monkeypatch.setattr(_imports, "send_upserts", spy)
    with brevo.mock.client() as http:
        for i in range(4):
            assert http.post("/contacts", json={"email": f"c{i}@example.com"}).status_code == 201
    rows = [*customers(4, name="Known"), "stranger@example.com,L9,5,Zed"]
    report = sync(
        brevo, write_csv(tmp_path / "in.csv", rows), state=tmp_path / "s.db", mode="update"
    )
    assert sizes == [2, 2, 1]
    assert report.counts == {"updated": 4, "skipped": 1}
    for i in range(4):
        assert contact(brevo, f"c{i}@example.com").attributes["FIRSTNAME"] == f"Known{i}"
    assert brevo.mock.state.contact_by_email("stranger@example.com") is None
