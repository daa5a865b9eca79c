"""The sync's rules, over HTTP against the mock: identity (LOYALTY_ID is the customer's key,
duplicates are invalid), the mirror guard, consent left to Brevo, and reports that are true
(dry run equal to the run, the failures file, ``--json`` when stopped, history, line
numbers). Each test compares the mock's contacts and list memberships with the source.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import _servers
import pytest
from _account_view import read_back
from tajo_brevo import RemovalLimitError, TajoBrevo
from tajo_brevo.cli import main
from tajo_brevo.mock import BrevoMock, Fault
from tajo_brevo.sync import Source, SyncState
from tajo_brevo.sync._source import Raw

HEADER = "EMAIL;LOYALTY_ID;LOYALTY_POINTS;FIRSTNAME"
PROGRAM = "Tajo Loyalty"  # the CLI's default
WRITES = {"POST", "PUT", "DELETE"}


def write(path: Path, rows: list[str], header: str = HEADER, end: str = "\n") -> Path:
    path.write_text(header + "\n" + "\n".join(rows) + end, encoding="utf-8")
    return path


def customers(n: int, points: int = 100) -> list[str]:
    return [f"c{i}@example.com;L{i};{points + (i * 397) % 3000};Ana{i}" for i in range(n)]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["sync", *args])
    out, err = capsys.readouterr()
    return code, out, err


def synced(capsys: pytest.CaptureFixture[str], tmp_path: Path, rows: list[str]) -> tuple[Path, str]:
    """``rows`` written to ``c.csv`` and synced once with the state ``s.db``: (source, state)."""
    source = write(tmp_path / "c.csv", rows)
    state = str(tmp_path / "s.db")
    assert run(capsys, str(source), "--state", state)[0] == 0
    return source, state


def writes(mock: BrevoMock, mark: int = 0) -> list[str]:
    return [f"{r.method} {r.path}" for r in list(mock.requests)[mark:] if r.method in WRITES]


def assert_mirrors(key: str, base_url: str, source: Path, *, only: bool = True) -> None:
    """Every valid row's values and lists are in the mock; with ``only``, no other contact
    is in a program list, and every contact is in exactly one tier list."""
    back = read_back(key, base_url, PROGRAM, source)
    assert back.problems == []
    if only:
        listed = {
            email
            for email, c in back.contacts.items()
            if set(c.get("listIds") or []) & set(back.program.list_ids)
        }
        assert listed == {row.key for row in back.rows}


# -- identity -----------------------------------------------------------------------------


def test_a_known_loyalty_id_with_a_new_email_changes_that_contacts_email(
    cli_account: tuple[BrevoMock, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mock, base_url = cli_account
    rows = customers(4)
    source, state = synced(capsys, tmp_path, rows)
    before = mock.state.contact_by_email("c1@example.com")
    assert before is not None
    contact_id, lists = before.id, set(before.list_ids)
    # c1 moves to a new address and earns points (another tier); nothing else changes.
    rows[1] = "Ana.New@example.com;L1;2600;Ana1"
    write(tmp_path / "c.csv", rows)
    mark = len(mock.requests)
    args = ["--mode", "mirror", "--on-missing", "unlist", "--max-removals", "0", "--json"]
    code, out, err = run(capsys, str(source), "--state", state, *args)
    assert code == 0, (out, err)
    report = json.loads(out)
    assert report["counts"] == {"unchanged": 3, "updated": 1}
    assert report["plan"]["email_changes"] == 1 and "missing" not in report
    assert writes(mock, mark) == ["PUT /v3/contacts/c1%40example.com"]
    assert mock.state.contact_by_email("c1@example.com") is None
    after = mock.state.contact_by_email("ana.new@example.com")
    assert after is not None and after.id == contact_id  # the same contact, not a second
    assert after.list_ids != lists and len(mock.state.contacts) == 4
    assert_mirrors(mock.api_key, base_url, source)
    # The state follows: the next run sends nothing.
    code, out, _ = run(capsys, str(source), "--state", state, "--json")
    assert code == 0 and json.loads(out)["counts"] == {"unchanged": 4}
    assert json.loads(out)["writes"] == 0


def test_a_run_killed_after_an_email_change_never_leaves_a_second_contact(
    cli_account: tuple[BrevoMock, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mock, base_url = cli_account
    rows = customers(4)
    source, state = synced(capsys, tmp_path, rows)
    before = mock.state.contact_by_email("c1@example.com")
    assert before is not None
    contact_id = before.id
    rows[1] = "c1.new@example.com;L1;100;Ana1"
    write(tmp_path / "c.csv", rows)
    # Killed (SIGKILL) right after Brevo changed the email, before the state knew.
    env = dict(os.environ, TAJO_BREVO_SYNC_FAILPOINT="email:changed")
    killed = subprocess.run(
        [sys.executable, "-m", "tajo_brevo.cli", "sync", str(source), "--state", state],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert mock.state.contact_by_email("c1@example.com") is None  # Brevo applied it
    code, out, err = run(capsys, str(source), "--state", state, "--json")
    assert code == 0, (out, err)
    after = mock.state.contact_by_email("c1.new@example.com")
    assert after is not None and after.id == contact_id and len(mock.state.contacts) == 4
    assert_mirrors(mock.api_key, base_url, source)
    code, out, _ = run(capsys, str(source), "--state", state, "--json")
    assert json.loads(out)["counts"] == {"unchanged": 4}


def test_an_email_change_to_an_address_another_contact_has_fails_and_sends_nothing(
    cli_account: tuple[BrevoMock, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mock, _ = cli_account
    rows = customers(3)
    source, state = synced(capsys, tmp_path, rows)
    with mock.client() as http:  # someone created the new address in Brevo meanwhile
        assert http.post("/contacts", json={"email": "taken@example.com"}).status_code == 201
    rows[0] = "taken@example.com;L0;100;Ana0"
    write(tmp_path / "c.csv", rows)
    code, out, _ = run(capsys, str(source), "--state", state, "--json")
    assert code == 1
    [problem] = json.loads(out)["problems"]
    assert problem["status"] == "failed" and "already belongs to another" in problem["reason"]
    assert problem["line"] == 2
    old = mock.state.contact_by_email("c0@example.com")
    taken = mock.state.contact_by_email("taken@example.com")
    assert old is not None and old.list_ids  # untouched, still listed
    assert taken is not None and not taken.list_ids and "LOYALTY_ID" not in taken.attributes


def test_rows_sharing_an_email_or_a_loyalty_id_are_all_invalid_named_by_line(
    cli_account: tuple[BrevoMock, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mock, base_url = cli_account
    rows = [
        "a@example.com;L1;10;A",  # line 2: same email as line 4
        "b@example.com;L2;10;B",  # line 3: same LOYALTY_ID as line 5
        "A@Example.com;L3;10;A2",  # line 4
        "c@example.com;L2;10;C",  # line 5
        "d@example.com;L4;10;D",  # line 6: the only valid row
    ]
    source = write(tmp_path / "c.csv", rows)
    code, out, _ = run(capsys, str(source))
    assert code == 1
    assert "line 2 a@example.com: invalid: the email a@example.com is on lines 2, 4" in out
    assert "line 5 c@example.com: invalid: LOYALTY_ID 'L2' is on lines 3, 5" in out
    failures = (tmp_path / "c.failures.csv").read_text(encoding="utf-8").splitlines()
    assert failures == [HEADER, *rows[:4]]
    assert {c.email for c in mock.state.contacts.values()} == {"d@example.com"}
    write(tmp_path / "valid.csv", rows[4:])
    assert_mirrors(mock.api_key, base_url, tmp_path / "valid.csv")


# -- the mirror guard ---------------------------------------------------------------------


def test_the_mirror_guard_refuses_mass_removals_before_any_write(
    cli_account: tuple[BrevoMock, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mock, base_url = cli_account
    state = str(tmp_path / "s.db")
    full = write(tmp_path / "full.csv", customers(20))
    assert run(capsys, str(full), "--state", state)[0] == 0
    partial = write(tmp_path / "partial.csv", customers(20)[:5])
    mark = len(mock.requests)
    mirror = ["--state", state, "--mode", "mirror", "--on-missing", "blacklist"]
    code, out, err = run(capsys, str(partial), *mirror, "--json")
    assert code == 2
    assert "15 of the 20 customers" in err and "--max-removals 15" in err
    stopped = json.loads(out)
    assert stopped["status"] == "stopped" and "--max-removals" in stopped["reason"]
    assert writes(mock, mark) == []
    assert not any(c.email_blacklisted for c in mock.state.contacts.values())
    assert_mirrors(mock.api_key, base_url, full)  # the account is as the full file left it
    # A dry run says the same (it plans what the run would do).
    assert run(capsys, str(partial), *mirror, "--dry-run")[0] == 2
    # "keep" removes nothing, so the guard lets it through; the customers who left are
    # then removed by a later run with the current --on-missing, once allowed.
    assert run(capsys, str(partial), "--state", state, "--mode", "mirror")[0] == 0
    code, out, _ = run(
        capsys, str(partial), "--state", state, "--mode", "mirror", "--on-missing", "unlist",
        "--max-removals", "75%", "--json",
    )  # fmt: skip
    assert code == 0 and json.loads(out)["missing"] == {"unlisted": 15}
    assert_mirrors(mock.api_key, base_url, partial)


def test_the_library_guard_raises_and_takes_a_count_or_a_share(
    cli_account: tuple[BrevoMock, str], tmp_path: Path
) -> None:
    mock, base_url = cli_account
    state = tmp_path / "s.db"
    with TajoBrevo(api_key=mock.api_key, base_url=base_url, rate_limit=1000) as brevo:
        brevo.sync_customers(write(tmp_path / "c.csv", customers(10)), state=state)
        partial = write(tmp_path / "c.csv", customers(10)[:8])
        kwargs: dict[str, Any] = {"state": state, "mode": "mirror", "on_missing": "unlist"}
        with pytest.raises(RemovalLimitError) as caught:
            brevo.sync_customers(partial, **kwargs)  # 2 of 10 > 10 %
        assert (caught.value.leaving, caught.value.known, caught.value.limit) == (2, 10, 1)
        report = brevo.sync_customers(partial, max_removals="20%", **kwargs)
        assert report.missing == {"unlisted": 2}


def test_a_blacklisted_customer_who_comes_back_is_synced_stays_blacklisted_and_is_reported(
    cli_account: tuple[BrevoMock, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mock, base_url = cli_account
    source, state = synced(capsys, tmp_path, customers(4))
    write(tmp_path / "c.csv", customers(4)[1:])
    mirror = ["--mode", "mirror", "--on-missing", "blacklist", "--max-removals", "1", "--json"]
    code, out, _ = run(capsys, str(source), "--state", state, *mirror)
    assert code == 0 and json.loads(out)["missing"] == {"blacklisted": 1}
    write(tmp_path / "c.csv", customers(4))  # c0 is back
    code, out, _ = run(capsys, str(source), "--state", state, *mirror)
    assert code == 0 and json.loads(out)["missing"] == {"returned_blacklisted": 1}
    back = mock.state.contact_by_email("c0@example.com")
    assert back is not None and back.email_blacklisted  # consent is the customer's
    assert_mirrors(mock.api_key, base_url, source)  # listed again, with its values


# -- consent ------------------------------------------------------------------------------


def test_a_sync_never_changes_a_blacklist_status(
    cli_account: tuple[BrevoMock, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mock, base_url = cli_account
    source, state = synced(capsys, tmp_path, customers(60))
    with mock.client() as http:  # two customers unsubscribe, one stops SMS
        for email, flags in (
            ("c0@example.com", {"emailBlacklisted": True}),
            ("c1@example.com", {"emailBlacklisted": True, "smsBlacklisted": True}),
            ("c2@example.com", {"smsBlacklisted": True}),
        ):
            assert http.put(f"/contacts/{email}", json=flags).status_code == 204
    # Every row changes: all 60 go out again through an import (blacklist flags absent).
    # The run lists the three whose flags moved, found in its one read of the contacts
    # modified since the last run.
    write(tmp_path / "c.csv", customers(60, points=1000))
    changes = tmp_path / "consent.csv"
    mark = len(mock.requests)
    code, out, _ = run(
        capsys, str(source), "--state", state, "--consent-changes", str(changes), "--json"
    )
    assert code == 0
    assert [r.path for r in list(mock.requests)[mark:]].count("/v3/contacts") == 1
    assert len(json.loads(out)["consent_changes"]) == 3
    assert changes.read_text(encoding="utf-8").splitlines() == [
        "EMAIL;LOYALTY_ID;EMAIL_BLACKLISTED;SMS_BLACKLISTED",
        "c0@example.com;L0;True;False",
        "c1@example.com;L1;True;True",
        "c2@example.com;L2;False;True",
    ]
    # Then three through per-contact updates; the flags that moved are not news anymore.
    rows = customers(60, points=1000)
    for i in range(3):
        rows[i] = rows[i].replace(f"Ana{i}", f"Renamed{i}")
    write(tmp_path / "c.csv", rows)
    code, out, _ = run(
        capsys, str(source), "--state", state, "--consent-changes", str(changes), "--json"
    )
    assert code == 0 and json.loads(out)["consent_changes"] == []
    assert changes.read_text(encoding="utf-8").splitlines() == [
        "EMAIL;LOYALTY_ID;EMAIL_BLACKLISTED;SMS_BLACKLISTED"
    ]
    flags = {
        c.email: (c.email_blacklisted, c.sms_blacklisted)
        for c in mock.state.contacts.values()
        if c.email_blacklisted or c.sms_blacklisted
    }
    assert flags == {
        "c0@example.com": (True, False),
        "c1@example.com": (True, True),
        "c2@example.com": (False, True),
    }
    imports = [r for r in mock.requests if r.path.endswith("/contacts/import")]
    assert imports and all(b"Blacklist" not in r.body for r in imports)
    assert_mirrors(mock.api_key, base_url, source)


# -- reports are true ---------------------------------------------------------------------


def test_a_dry_run_plans_exactly_what_the_run_then_does(
    cli_account: tuple[BrevoMock, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mock, base_url = cli_account
    first = customers(200)
    source, state = synced(capsys, tmp_path, first)
    # Next: a third move tier (import + unlinks), two rows turn invalid, one email
    # changes, four customers leave (mirror, unlist), two are new.
    rows = []
    for i, line in enumerate(first):
        email, loyalty_id, points, name = line.split(";")
        if i % 3 == 0:
            points = str((int(points) + 1300) % 3200)
        rows.append(";".join([email, loyalty_id, points, name]))
    rows[5] = "broken;L5;10;X"
    rows[7] = "c7@example.com;L7;-4;X"
    rows[9] = "moved9@example.com;L9;100;Ana9"
    rows = [*rows[:-4], "new1@example.com;N1;10;N", "new2@example.com;N2;3000;N"]
    write(tmp_path / "c.csv", rows)
    args = ["--state", state, "--mode", "mirror", "--on-missing", "unlist", "--json"]
    args += ["--max-removals", "4"]
    mark = len(mock.requests)
    code, out, _ = run(capsys, str(source), *args, "--dry-run")
    assert code == 1 and writes(mock, mark) == []
    planned = json.loads(out)
    code, out, _ = run(capsys, str(source), *args)
    assert code == 1
    done = json.loads(out)
    for part in ("rows", "counts", "plan", "missing"):
        assert planned[part] == done[part], part
    assert done["plan"]["unlink_requests"] > 0 and done["plan"]["import_chunks"] > 0
    assert done["plan"]["email_changes"] == 1 and done["missing"] == {"unlisted": 4}
    assert [p["line"] for p in done["problems"]] == [7, 9]
    # An invalid row leaves its customer as Brevo has it (listed, not "missing").
    assert_mirrors(mock.api_key, base_url, source, only=False)
    for email in ("c5@example.com", "c7@example.com"):
        kept = mock.state.contact_by_email(email)
        assert kept is not None and kept.list_ids


def test_the_failures_file_holds_every_bad_line_as_it_was_read(
    cli_account: tuple[BrevoMock, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mock, base_url = cli_account
    # CSV: an invalid row, a row of the wrong width, and a truncated last line.
    rows = [*customers(3), "bad-email;L8;5;X", "c9@example.com;L9;5;A;extra", "c10@exa"]
    source = write(tmp_path / "c.csv", rows, end="")
    code, out, _ = run(capsys, str(source), "--json")
    assert code == 1
    assert [p["line"] for p in json.loads(out)["problems"]] == [5, 6, 7]
    failures = tmp_path / "c.failures.csv"
    assert failures.read_text(encoding="utf-8").splitlines() == [HEADER, *rows[3:]]
    # JSON Lines: a line that is not JSON, one that is not an object, an invalid row.
    good = {"EMAIL": "j@example.com", "LOYALTY_ID": "J1", "LOYALTY_POINTS": 5}
    lines = [
        json.dumps(good),
        '{"EMAIL": "k@example.com", "LOYALTY_ID": ',
        "[1, 2]",
        json.dumps({"EMAIL": "m@example.com", "LOYALTY_ID": "M1", "LOYALTY_POINTS": -1}),
    ]
    jsonl = tmp_path / "j.jsonl"
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, str(jsonl), "--json")
    assert code == 1
    assert [p["line"] for p in json.loads(out)["problems"]] == [2, 3, 4]
    assert (tmp_path / "j.failures.jsonl").read_text(encoding="utf-8").splitlines() == lines[1:]
    assert {c.email for c in mock.state.contacts.values()} == {
        "c0@example.com",
        "c1@example.com",
        "c2@example.com",
        "j@example.com",
    }
    write(tmp_path / "valid.csv", customers(3))
    assert_mirrors(mock.api_key, base_url, tmp_path / "valid.csv", only=False)


def test_a_row_brevo_refused_is_in_the_failures_file_and_the_next_run_retries_it(
    cli_account: tuple[BrevoMock, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mock, base_url = cli_account
    rows = customers(4)
    source, state = synced(capsys, tmp_path, rows)
    rows[2] = rows[2].replace("Ana2", "Changed")
    write(tmp_path / "c.csv", rows)
    mock.set_faults([Fault("status", "updateContact", status=500)])
    code, out, _ = run(capsys, str(source), "--state", state, "--json")
    assert code == 1
    [problem] = json.loads(out)["problems"]
    assert problem["status"] == "failed" and problem["line"] == 4
    failures = (tmp_path / "c.failures.csv").read_text(encoding="utf-8").splitlines()
    assert failures == [HEADER, rows[2]]
    mock.set_faults([])
    code, out, _ = run(capsys, str(source), "--state", state, "--json")
    assert code == 0 and json.loads(out)["counts"] == {"unchanged": 3, "updated": 1}
    assert_mirrors(mock.api_key, base_url, source)


def test_a_read_only_state_is_one_line_and_exit_2(
    cli_account: tuple[BrevoMock, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mock, _ = cli_account
    state = tmp_path / "s.db"
    source = write(tmp_path / "c.csv", customers(2))
    assert run(capsys, str(source), "--state", str(state))[0] == 0
    state.chmod(0o444)
    mark = len(mock.requests)
    code, _, err = run(capsys, str(source), "--state", str(state))
    assert code == 2
    assert err.splitlines() == [
        f"tajo-brevo sync: {state}: the state file is read-only; a sync writes it (chmod u+w)"
    ]
    assert list(mock.requests)[mark:] == []


def test_a_killed_run_shows_interrupted_once_a_later_run_recovers_it(
    cli_account: tuple[BrevoMock, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "s.db"
    with SyncState(state) as store:
        store.start_run("c.csv", "upsert")  # a run that never finished (killed)
    _, out, _ = run(capsys, "--history", str(state), "--json")
    assert [r["status"] for r in json.loads(out)] == ["running"]
    assert run(capsys, str(write(tmp_path / "c.csv", customers(2))), "--state", str(state))[0] == 0
    _code, out, _ = run(capsys, "--history", str(state), "--json")
    assert [r["status"] for r in json.loads(out)] == ["ok", "interrupted"]


# -- SIGTERM ------------------------------------------------------------------------------

KEY = "sigterm-test-key"


@pytest.fixture
def slow_mock() -> Iterator[str]:
    """``tajo-brevo mock`` in its own process, imports queued 1.5 s; yields its URL."""
    with _servers.mock_processes([KEY], options=("--import-delay", "1.5")) as [mock]:
        yield mock.base_url


def test_sigterm_stops_a_sync_like_ctrl_c_and_the_next_run_finishes(
    slow_mock: str, tmp_path: Path
) -> None:
    source = write(tmp_path / "c.csv", customers(120))
    state = tmp_path / "s.db"
    env = dict(os.environ, BREVO_API_KEY=KEY, BREVO_BASE_URL=slow_mock)
    command = [sys.executable, "-m", "tajo_brevo.cli", "sync", str(source), "--state", str(state)]
    process = subprocess.Popen(
        [*command, "--json"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        # Wait until an import is queued at Brevo (the state records its process id).
        for _ in range(300):  # bounded: 30 s
            time.sleep(0.1)
            if state.exists() and _queued(state):
                break
        else:
            pytest.fail("no import was queued")
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, err
    assert "tajo-brevo sync: interrupted: what Brevo confirmed is kept" in err
    assert "Traceback" not in err
    stopped = json.loads(out)
    assert stopped["status"] == "stopped" and stopped["reason"] == "interrupted"
    done = subprocess.run(
        [*command, "--json"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["recovered"]["confirmed_rows"] > 0
    history = subprocess.run(
        [sys.executable, "-m", "tajo_brevo.cli", "sync", "--history", str(state), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert [r["status"] for r in json.loads(history.stdout)] == ["ok", "interrupted"]
    assert_mirrors(KEY, slow_mock, source)


def test_an_interrupt_while_the_plan_itself_runs_is_recorded_as_interrupted(
    tmp_path: Path,
) -> None:
    # Ctrl-C (or SIGTERM, turned into it) can land while the plan's own code runs, here
    # while it reads the source, not only while it waits at a request: the run is still
    # "interrupted", in the report and the history, never "aborted" with the exception's
    # name (seen once in make test as reason "KeyboardInterrupt").
    class Interrupted(Source):
        """A file whose reading for the plan is interrupted at its fourth row."""

        def rows(self) -> Iterator[Raw]:
            for raw in super().rows():
                if raw.index == 3:
                    raise KeyboardInterrupt
                yield raw

    source = Interrupted(write(tmp_path / "c.csv", customers(6)))
    mock = BrevoMock()
    state = tmp_path / "s.db"
    with (
        TajoBrevo(
            api_key=mock.api_key,
            base_url="http://127.0.0.1/v3",
            transport=mock.transport(),
            rate_limit="auto",
        ) as client,
        pytest.raises(KeyboardInterrupt),
    ):
        client.sync_customers(source, state=state)
    with SyncState(state, read_only=True) as memory:
        [entry] = memory.history()
    assert entry.status == "interrupted"
    assert entry.summary["status"] == "stopped" and entry.summary["reason"] == "interrupted"


def _queued(state: Path) -> bool:
    try:
        db = sqlite3.connect(f"file:{state}?mode=ro", uri=True)
        try:
            found = db.execute("SELECT 1 FROM inflight WHERE process_id IS NOT NULL").fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return False
    return found is not None
