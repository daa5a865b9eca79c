"""The account is the truth: every plain run repairs what changed in Brevo.

Each test runs the sync over HTTP against a served mock, changes the account behind the
sync's back (as a marketer, a wipe or another account would), runs again, and compares
the mock's contacts and list memberships with the source.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from tajo_brevo import DEFAULT_TIER_POLICY, StateError, SyncReport, TajoBrevo
from tajo_brevo.mock import BrevoMock
from tajo_brevo.mock._server import BackgroundServer
from tajo_brevo.sync import _drift, _lists

KEY = "drift-test-key-one"
OTHER_KEY = "drift-test-key-two"
ELSEWHERE = "drift-test-key-of-another-account"
PROGRAM = "Shop"
HEADER = ["EMAIL", "LOYALTY_ID", "LOYALTY_POINTS", "FIRSTNAME", "REFERRAL_CODE"]
FAST = {"poll_interval": 0.01, "max_poll_interval": 0.05}


def customers(n: int = 60) -> list[dict[str, str]]:
    """n customers across the four tiers; every third has a referral code."""
    return [
        {
            "EMAIL": f"c{i}@example.com",
            "LOYALTY_ID": f"L{i}",
            "LOYALTY_POINTS": str(i * 150),
            "FIRSTNAME": f"Ana{i}",
            "REFERRAL_CODE": f"R{i}" if i % 3 == 0 else "",
        }
        for i in range(n)
    ]


def write(path: Path, rows: list[dict[str, str]], header: list[str] = HEADER) -> Path:
    lines = [",".join(header)] + [",".join(row.get(h, "") for h in header) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class Account:
    mock: BrevoMock
    url: str

    def sync(self, source: Path, state: Path, *, key: str = KEY, **options: Any) -> SyncReport:
        with TajoBrevo(api_key=key, base_url=self.url, rate_limit=10_000) as client:
            report: SyncReport = client.sync_customers(
                source, state=state, program=PROGRAM, **FAST, **options
            )
        return report

    def first_sync(self, tmp_path: Path) -> tuple[list[dict[str, str]], Path, Path]:
        """:func:`customers` written to ``in.csv`` and synced once with the state ``s.db``:
        (rows, source, state)."""
        rows = customers()
        source, state = write(tmp_path / "in.csv", rows), tmp_path / "s.db"
        self.sync(source, state)
        return rows, source, state

    def http(self) -> httpx.Client:
        return self.mock.client()

    def writes(self, since: int = 0) -> list[str]:
        """Writes to any account since the ``since``-th recorded request."""
        return [
            f"{r.method} {r.path}"
            for r in self.mock.requests[since:]
            if r.method in ("POST", "PUT", "DELETE")
        ]


@pytest.fixture
def account() -> Iterator[Account]:
    # KEY and OTHER_KEY address one account (a rotated key); ELSEWHERE another account.
    mock = BrevoMock(api_keys=(KEY, OTHER_KEY), accounts=[ELSEWHERE])
    with mock.serve() as server:
        yield Account(mock, server.base_url)


def assert_matches(
    account: Account, rows: list[dict[str, str]], header: list[str] = HEADER, *, key: str = KEY
) -> None:
    """The account's contacts and list memberships are the source's, value for value."""
    mock: Any = account.mock if key == KEY else account.mock.account(key)
    all_id = mock.list_id(f"{PROGRAM} - All customers")
    tier_ids = {
        mock.list_id(f"{PROGRAM} - {t}"): t for t in ("Bronze", "Silver", "Gold", "Platinum")
    }
    program = {all_id, *tier_ids}
    emails = {row["EMAIL"] for row in rows}
    for row in rows:
        contact = mock.contact(row["EMAIL"])
        tier = DEFAULT_TIER_POLICY.status(float(row["LOYALTY_POINTS"])).tier.value
        got = contact.attributes
        assert got.get("LOYALTY_ID") == row["LOYALTY_ID"], row
        assert float(got["LOYALTY_POINTS"]) == float(row["LOYALTY_POINTS"]), row
        assert got.get("LOYALTY_TIER") == tier, row
        for name in header[3:]:
            assert (got.get(name) or "") == row.get(name, ""), (row, name, got.get(name))
        wanted = {all_id, next(i for i, t in tier_ids.items() if t == tier)}
        assert contact.list_ids & program == wanted, (row["EMAIL"], contact.lists)
    for list_id in program:
        assert mock.emails_in_list(list_id) <= emails


# -- edits in Brevo --------------------------------------------------------------------


def test_an_edit_in_brevo_is_found_and_repaired_by_the_next_plain_run(
    account: Account, tmp_path: Path
) -> None:
    rows, source, state = account.first_sync(tmp_path)
    with account.http() as http:
        http.put("/contacts/c7@example.com", json={"attributes": {"LOYALTY_POINTS": 5}})
        http.put("/contacts/c9@example.com", json={"attributes": {"FIRSTNAME": "Bob"}})
    report = account.sync(source, state)
    assert report.drift == {"edited": 2}
    assert report.repaired == {"edited": 2}
    assert report.counts == {"unchanged": 58, "updated": 2}
    assert_matches(account, rows)
    # Repaired: the run after that finds nothing (its own writes compare equal).
    again = account.sync(source, state)
    assert again.counts == {"unchanged": 60} and not again.drift
    assert again.summary()["writes"] == 0


@pytest.fixture(params=["paged", "export"])
def program_read(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The program read both ways: paged (a small program) and through a contact export."""
    if request.param == "export":
        monkeypatch.setattr(_drift, "EXPORT_FROM", 0)
    return str(request.param)


def test_a_deleted_contact_is_found_by_the_list_counts_and_sent_again(
    account: Account, tmp_path: Path, program_read: str
) -> None:
    rows, source, state = account.first_sync(tmp_path)
    with account.http() as http:
        assert http.delete("/contacts/c3@example.com").status_code == 204
    mark = len(account.mock.requests)
    plain = account.sync(source, state)
    assert plain.drift == {"deleted_or_unlisted": 1}
    assert plain.repaired == {"deleted_or_unlisted": 1}
    exported = [r for r in account.mock.requests[mark:] if r.path.endswith("/contacts/export")]
    assert len(exported) == (program_read == "export")
    assert "export_failed" not in plain.account
    assert_matches(account, rows)


@pytest.mark.parametrize("which", ["tier", "all"])
def test_a_contact_taken_off_a_program_list_is_put_back(
    account: Account, tmp_path: Path, which: str
) -> None:
    rows, source, state = account.first_sync(tmp_path)
    mock = account.mock
    name = f"{PROGRAM} - All customers" if which == "all" else f"{PROGRAM} - Gold"
    gold = next(
        r
        for r in rows
        if DEFAULT_TIER_POLICY.status(float(r["LOYALTY_POINTS"])).tier.value == "Gold"
    )
    with account.http() as http:
        http.post(
            f"/contacts/lists/{mock.list_id(name)}/contacts/remove",
            json={"emails": [gold["EMAIL"]]},
        ).raise_for_status()
    assert gold["EMAIL"] not in mock.emails_in_list(name)
    report = account.sync(source, state)
    kind = "all_customers_list_removed" if which == "all" else "tier_list_removed"
    assert report.drift[kind] == 1 and report.repaired[kind] == 1
    assert_matches(account, rows)


def test_a_customer_added_to_another_tier_list_in_brevo_is_unlinked(
    account: Account, tmp_path: Path
) -> None:
    rows, source, state = account.first_sync(tmp_path)
    mock = account.mock
    with account.http() as http:
        http.post(
            f"/contacts/lists/{mock.list_id(f'{PROGRAM} - Platinum')}/contacts/add",
            json={"emails": ["c0@example.com"]},
        ).raise_for_status()
    report = account.sync(source, state)
    assert report.drift["other_tier_list"] == 1 and report.repaired["other_tier_list"] == 1
    assert_matches(account, rows)


def test_an_attribute_deleted_in_brevo_gets_its_values_back(
    account: Account, tmp_path: Path
) -> None:
    rows, source, state = account.first_sync(tmp_path)
    with account.http() as http:
        assert http.delete("/contacts/attributes/normal/REFERRAL_CODE").status_code == 204
    mark = len(account.mock.requests)
    report = account.sync(source, state)
    # Re-created by provisioning: only the 20 rows with a code are sent (Brevo holds no
    # value of a new attribute: the empty cells need nothing).
    assert report.columns == {"recreated attribute REFERRAL_CODE": 20}
    assert report.counts == {"unchanged": 40, "updated": 20}
    assert "POST /v3/contacts/attributes/normal/REFERRAL_CODE" in account.writes(mark)
    assert_matches(account, rows)


# -- identity ----------------------------------------------------------------------------


def wipe(account: Account, *, lists: bool) -> None:
    """Delete every contact (and, with ``lists``, every list and folder) of the mock."""
    with account.http() as http:
        for contact in account.mock.contacts():
            http.delete(f"/contacts/{contact.id}").raise_for_status()
        if lists:
            for name in account.mock.list_names():
                http.delete(f"/contacts/lists/{account.mock.list_id(name)}").raise_for_status()
            for folder in http.get("/contacts/folders", params={"limit": 50}).json()["folders"]:
                http.delete(f"/contacts/folders/{folder['id']}").raise_for_status()


@pytest.mark.parametrize("lists", [False, True], ids=["contacts-gone", "everything-gone"])
def test_a_wiped_account_with_the_same_key_is_repaired_by_the_plain_run(
    account: Account, tmp_path: Path, lists: bool
) -> None:
    rows, source, state = account.first_sync(tmp_path)
    wipe(account, lists=lists)
    assert account.mock.contacts() == []
    report = account.sync(source, state)
    assert report.exit_code == 0
    assert report.counts.get("unchanged", 0) == 0  # nothing claimed unchanged over a void
    assert_matches(account, rows)
    kind = "program_lists_gone" if lists else "deleted_or_unlisted"
    assert report.drift == {kind: 60} and report.repaired == {kind: 60}


@pytest.mark.parametrize("theirs", [0, 30], ids=["empty-account", "same-program-30-customers"])
def test_another_account_at_the_same_url_is_refused_before_any_write_then_full_syncs_it(
    account: Account,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    theirs: int,
) -> None:
    rows, source, state = account.first_sync(tmp_path)
    if theirs:
        # The other account runs the same program (same list ids and names: ids are
        # per account) with its own customers and its own state.
        mine = [{**row, "FIRSTNAME": f"Theirs{i}"} for i, row in enumerate(customers(theirs))]
        other = write(tmp_path / "theirs.csv", mine)
        account.sync(other, tmp_path / "theirs.db", key=ELSEWHERE)
    mark = len(account.mock.requests)
    with pytest.raises(StateError, match="--full"):
        account.sync(source, state, key=ELSEWHERE)
    assert account.writes(mark) == []  # no folder, list or attribute created
    # The command line says the same, exit 2.
    from tajo_brevo.cli import main

    monkeypatch.setenv("BREVO_API_KEY", ELSEWHERE)
    monkeypatch.setenv("BREVO_BASE_URL", account.url)
    code = main(["sync", str(source), "--state", str(state), "--program", PROGRAM])
    assert code == 2 and "--full" in capsys.readouterr().err
    assert account.writes(mark) == []
    report = account.sync(source, state, key=ELSEWHERE, full=True)
    assert report.exit_code == 0
    assert report.counts == {"applied": 60}
    assert_matches(account, rows, key=ELSEWHERE)
    # The state now belongs to that account: a plain run trusts it and writes nothing.
    again = account.sync(source, state, key=ELSEWHERE)
    assert again.counts == {"unchanged": 60} and again.summary()["writes"] == 0
    # The first account was never touched by any of it.
    assert_matches(account, rows)


def test_a_rotated_key_on_the_same_account_is_accepted(account: Account, tmp_path: Path) -> None:
    _, source, state = account.first_sync(tmp_path)
    report = account.sync(source, state, key=OTHER_KEY)
    assert report.counts == {"unchanged": 60} and report.account == {"api_key_changed": True}


# -- columns -------------------------------------------------------------------------------


def test_a_new_column_sends_only_its_values_and_a_dropped_one_sends_nothing(
    account: Account, tmp_path: Path
) -> None:
    rows = customers()
    state = tmp_path / "s.db"
    account.sync(write(tmp_path / "in.csv", rows), state)
    wider = [*HEADER, "PREFERRED_REWARDS"]
    for i, row in enumerate(rows):
        row["PREFERRED_REWARDS"] = "discounts" if i < 10 else ""
    report = account.sync(write(tmp_path / "in.csv", rows, wider), state)
    assert report.columns == {"new column PREFERRED_REWARDS": 10}
    assert report.counts == {"unchanged": 50, "updated": 10}
    assert report.plan["rows_to_send"] == 10
    assert_matches(account, rows, wider)
    # Dropped again: nothing is sent, Brevo keeps the values (an absent column is
    # never touched).
    narrow = [h for h in wider if h != "FIRSTNAME"]
    dropped = account.sync(write(tmp_path / "in.csv", rows, narrow), state)
    assert dropped.counts == {"unchanged": 60} and dropped.summary()["writes"] == 0
    assert dropped.columns == {"dropped column FIRSTNAME": 0}
    assert_matches(account, rows, wider)


# -- --full, --reconcile -------------------------------------------------------------------


def test_full_sends_every_row_again(account: Account, tmp_path: Path) -> None:
    rows, source, state = account.first_sync(tmp_path)
    report = account.sync(source, state, full=True)
    assert report.plan["rows_to_send"] == 60 and report.account["full"] == 60
    assert report.counts == {"updated": 60}
    assert_matches(account, rows)


def hide_edits(state: Path) -> None:
    """Move the state's modified-since checkpoint past every edit made so far."""
    with contextlib.closing(sqlite3.connect(state)) as db, db:
        found = db.execute("SELECT value FROM meta WHERE key = 'account'").fetchone()
        memory = json.loads(found[0])
        memory["since"] = "2999-01-01T00:00:00+00:00"
        db.execute("UPDATE meta SET value = ? WHERE key = 'account'", (json.dumps(memory),))


def test_reconcile_repairs_what_the_plain_checks_cannot_see(
    account: Account, tmp_path: Path, program_read: str
) -> None:
    rows, source, state = account.first_sync(tmp_path)
    with account.http() as http:
        http.put("/contacts/c5@example.com", json={"attributes": {"FIRSTNAME": "Eve"}})
    # Make the edit invisible to the modified-since read: the state's checkpoint moves
    # past it (as an edit made while a large run wrote would be).
    hide_edits(state)
    plain = account.sync(source, state)
    assert plain.counts == {"unchanged": 60}  # the limit of a plain run, said in the docs
    hide_edits(state)
    report = account.sync(source, state, reconcile=True)
    assert report.drift == {"edited": 1} and report.repaired == {"edited": 1}
    assert ("requestContactExport" in report.requests) == (program_read == "export")
    assert "export_failed" not in report.account
    assert_matches(account, rows)


# -- behaviours no test checked ------------------------------------------------------------


def test_a_first_sync_unlinks_customers_from_the_tier_list_they_already_sat_in(
    account: Account, tmp_path: Path
) -> None:
    rows = customers()
    source = write(tmp_path / "in.csv", rows)
    # The program exists already (another state, or provisioning by hand) and a customer
    # sits in the wrong tier list.
    with TajoBrevo(api_key=KEY, base_url=account.url, rate_limit=10_000) as client:
        prov = client.provision(program=PROGRAM)
    platinum = prov.tier_lists[next(t for t in prov.tier_lists if t.value == "Platinum")]
    with account.http() as http:
        http.post("/contacts", json={"email": "c1@example.com", "listIds": [platinum]})
    report = account.sync(source, tmp_path / "fresh.db")
    assert report.exit_code == 0 and report.plan["unlink_requests"] >= 1
    assert_matches(account, rows)


def _unlink_story(account: Account, tmp_path: Path) -> list[tuple[int, int, int]]:
    """A first sync with a new state on an account that holds the customers in other
    tiers (every customer is unknown: the tier lists it may sit in are read where cheaper),
    one customer in all four tier lists; then the tiers move back (known customers).
    The account equals the source after each run, and the next run has nothing to
    unlink; returns (unlink requests, member reads, removal requests) per run."""
    tmp_path.mkdir()
    old = customers(400)
    account.sync(write(tmp_path / "old.csv", old), tmp_path / "old.db")
    moved = [{**r, "LOYALTY_POINTS": str(int(r["LOYALTY_POINTS"]) * 7 % 60_000)} for r in old]
    with account.http() as http:
        lists = [account.mock.list_id(f"{PROGRAM} - {t}") for t in ("Bronze", "Silver", "Gold")]
        http.post("/contacts/c5@example.com", json={})  # exists: a no-op update
        for list_id in [*lists, account.mock.list_id(f"{PROGRAM} - Platinum")]:
            http.post(
                f"/contacts/lists/{list_id}/contacts/add", json={"emails": ["c5@example.com"]}
            )
    counts = []
    for rows in (moved, old):
        since = len(account.mock.requests)
        report = account.sync(write(tmp_path / "in.csv", rows), tmp_path / "new.db")
        assert report.exit_code == 0, report.problems
        assert_matches(account, rows)
        requests = account.mock.requests[since:]
        # The state recorded each contact's lists as left: nothing to unlink again.
        again = account.sync(write(tmp_path / "in.csv", rows), tmp_path / "new.db")
        assert again.plan["unlink_requests"] == 0
        counts.append(
            (
                report.plan["unlink_requests"],
                sum(r.method == "GET" and r.path.endswith("/contacts") for r in requests),
                sum(r.path.endswith("/contacts/remove") for r in requests),
            )
        )
    return counts


def test_unlinks_go_block_by_block_with_the_requests_of_one_pass(
    account: Account, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Blocks of 7 stale contacts, rounds of 2 removal requests: the state holds the rest.
    monkeypatch.setattr(_lists, "UNLINK_BLOCK", 7)
    monkeypatch.setattr(_lists, "UNLINK_ROUND", 2)
    small = _unlink_story(account, tmp_path / "small")
    monkeypatch.undo()
    mock = BrevoMock(api_keys=(KEY, OTHER_KEY), accounts=[ELSEWHERE])
    with mock.serve() as server:
        whole = _unlink_story(Account(mock, server.base_url), tmp_path / "whole")
    assert small == whole
    for unlinks, reads, removals in small:  # lists read; more than one round of removals
        assert reads >= 1 and removals == unlinks >= 3


def test_the_in_flight_chunk_is_in_the_state_before_the_import_reaches_brevo(
    tmp_path: Path,
) -> None:
    mock = BrevoMock(api_keys=(KEY,))
    state = tmp_path / "s.db"
    seen: list[tuple[set[str], set[str]]] = []  # (emails imported, emails in flight)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].endswith("/contacts/import"):
            await mock.app(scope, receive, send)
            return
        body = b""
        while True:  # bounded by the request's size
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        lines = json.loads(body)["fileBody"].splitlines()[1:]
        # Before Brevo queues anything: what does the state file hold?
        with contextlib.closing(sqlite3.connect(f"file:{state}?mode=ro", uri=True)) as db:
            flying = {e for (e,) in db.execute("SELECT key FROM inflight_rows")}
        seen.append(({line.split(";")[0].lower() for line in lines}, flying))
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await mock.app(scope, replay, send)

    rows = customers()
    with BackgroundServer(app, host="127.0.0.1", port=0, log_level="warning") as server:
        account = Account(mock, server.base_url)
        report = account.sync(write(tmp_path / "in.csv", rows), state)
    assert report.plan["import_chunks"] == len(seen) >= 2
    assert all(imported and imported <= flying for imported, flying in seen)
    assert set().union(*(imported for imported, _ in seen)) == {r["EMAIL"] for r in rows}
    assert_matches(account, rows)


def test_both_clients_reconcile_through_an_export(
    both: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The blocking and the async client fetch the export file onto disk alike.
    monkeypatch.setattr(_drift, "EXPORT_FROM", 0)
    rows = customers(12)
    source, state = write(tmp_path / "in.csv", rows), tmp_path / "s.db"
    both.sync_customers(source, state=state, program=PROGRAM, **FAST)
    with both.mock.client() as http:
        http.put("/contacts/c4@example.com", json={"attributes": {"LOYALTY_POINTS": 1}})
    hide_edits(state)
    report = both.sync_customers(source, state=state, program=PROGRAM, reconcile=True, **FAST)
    assert report.drift == {"edited": 1} and report.repaired == {"edited": 1}
    assert report.requests["requestContactExport"] == 1
    assert float(both.mock.contact("c4@example.com").attributes["LOYALTY_POINTS"]) == 600


@pytest.mark.parametrize("change", ["edit", "delete", "wipe", "full"])
def test_a_dry_run_finds_the_drift_and_plans_what_the_run_then_sends(
    account: Account, tmp_path: Path, change: str
) -> None:
    rows, source, state = account.first_sync(tmp_path)
    with account.http() as http:
        if change == "edit":
            http.put("/contacts/c7@example.com", json={"attributes": {"LOYALTY_POINTS": 5}})
        elif change == "delete":
            http.delete("/contacts/c3@example.com").raise_for_status()
    if change == "wipe":
        wipe(account, lists=True)
    full = change == "full"
    mark = len(account.mock.requests)
    dry = account.sync(source, state, dry_run=True, full=full)
    assert account.writes(mark) == []  # reads only
    real = account.sync(source, state, full=full)
    assert dry.drift == real.drift
    assert dry.plan["rows_to_send"] == real.plan["rows_to_send"] > 0
    for what in ("import_chunks", "upserts"):
        assert dry.plan[what] == real.plan[what], what
    assert_matches(account, rows)


def test_a_first_sync_into_occupied_tier_lists_removes_only_the_members_really_there(
    account: Account, tmp_path: Path
) -> None:
    # Every tier list holds one or two members; each new contact used to be unlinked from
    # every occupied tier list but its own, blindly (150 a request). Reading a list of a
    # few members is cheaper: only the contacts really there are removed.
    rows = customers(600)
    source = write(tmp_path / "in.csv", rows)
    with TajoBrevo(api_key=KEY, base_url=account.url, rate_limit=10_000) as client:
        prov = client.provision(program=PROGRAM)
    tier = {t.value: i for t, i in prov.tier_lists.items()}
    wrong = {  # a customer of the source, in a tier list it must leave
        "c1@example.com": [tier["Platinum"]],
        "c2@example.com": [tier["Gold"]],
        "c599@example.com": [tier["Bronze"], tier["Silver"]],
    }
    with account.http() as http:
        for email, lists in wrong.items():
            http.post("/contacts", json={"email": email, "listIds": lists})
    blind = sum(
        -(-sum(1 for r in rows if _tier(r) != name) // 150) for name in tier
    )  # what the blind path sent
    mark = len(account.mock.requests)
    planned = account.sync(source, tmp_path / "fresh.db", dry_run=True)
    assert account.writes(mark) == []
    mark = len(account.mock.requests)
    report = account.sync(source, tmp_path / "fresh.db")
    removals = [r for r in account.mock.requests[mark:] if r.path.endswith("/contacts/remove")]
    sent = {r.path for r in removals}
    # Lists with more pending contacts than 150 are read (one page each), then only the
    # wrong members leave; a list with fewer pending contacts is cheaper blind (1 request).
    assert len(removals) == report.plan["unlink_requests"] == planned.plan["unlink_requests"]
    assert len(removals) <= len(tier) < blind
    assert {f"/v3/contacts/lists/{i}/contacts/remove" for i in tier.values()} >= sent
    assert report.exit_code == 0
    assert_matches(account, rows)


def _tier(row: dict[str, str]) -> str:
    return DEFAULT_TIER_POLICY.status(float(row["LOYALTY_POINTS"])).tier.value
