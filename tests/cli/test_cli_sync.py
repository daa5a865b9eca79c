"""``tajo-brevo sync``: exit codes, report, failures file, history, modes, against a served mock."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tajo_brevo.cli import main
from tajo_brevo.mock import BrevoMock
from tajo_brevo.sync import SyncState

HEADER = "EMAIL;LOYALTY_ID;LOYALTY_POINTS;FIRSTNAME"


@pytest.fixture
def account(cli_account: tuple[BrevoMock, str]) -> BrevoMock:
    """A served mock the command line is configured for."""
    return cli_account[0]


def write(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["sync", *args])
    out, err = capsys.readouterr()
    return code, out, err


ROWS = [f"c{i}@example.com;L{i};{i * 700};Ana{i}" for i in range(4)]


def test_a_sync_exits_0_and_a_second_run_writes_nothing(
    account: BrevoMock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "customers.csv", ROWS)
    code, out, _ = run(capsys, str(source))
    assert code == 0
    assert "rows: created 4" in out
    assert (tmp_path / "customers.csv.sync.db").is_file()  # the state, beside the input
    code, out, _ = run(capsys, str(source), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["counts"] == {"unchanged": 4} and report["writes"] == 0


def test_invalid_rows_exit_1_and_go_to_a_failures_file_that_can_be_fed_back(
    account: BrevoMock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "customers.csv", [*ROWS, "oops;L9;5;Bad", "d@example.com;L8;-4;X"])
    code, out, _ = run(capsys, str(source))
    assert code == 1
    failures = tmp_path / "customers.failures.csv"
    assert f"failures written to {failures}" in out
    lines = failures.read_text(encoding="utf-8").splitlines()
    assert lines == [HEADER, "oops;L9;5;Bad", "d@example.com;L8;-4;X"]  # the input's format
    failures.write_text(
        HEADER + "\noops@example.com;L9;5;Bad\nd@example.com;L8;4;X\n", encoding="utf-8"
    )
    code, out, _ = run(capsys, str(failures), "--state", str(tmp_path / "customers.csv.sync.db"))
    assert code == 0, out
    assert account.state.contact_by_email("d@example.com") is not None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mode", "upsert", "--on-missing", "unlist"], "--mode mirror only"),
        (["--mapping", "/nonexistent/map.json"], "mapping file"),
    ],
)
def test_usage_errors_exit_2_and_send_nothing(
    account: BrevoMock,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    source = write(tmp_path / "customers.csv", ROWS)
    code, _, err = run(capsys, str(source), *args)
    assert code == 2 and message in err
    assert account.requests == []


def test_an_unknown_column_exits_2(
    account: BrevoMock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    source.write_text("EMAIL,pointz\na@example.com,5\n", encoding="utf-8")
    code, _, err = run(capsys, str(source))
    assert code == 2 and "unknown column 'pointz'" in err and "--mapping" in err
    # An attribute name the account does not have: refused as a whole, before any row.
    source.write_text("EMAIL,LOYALTY_ID,LOYALTY_POINTS,SHOE_SIZE\na@example.com,L,5,42\n")
    code, _, err = run(capsys, str(source))
    assert code == 2 and "'SHOE_SIZE' (SHOE_SIZE) name no attribute" in err
    assert [r for r in account.requests if r.path.endswith("/import")] == []


def test_no_api_key_exits_2(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("BREVO_API_KEY", raising=False)
    code, _, err = run(capsys, str(write(tmp_path / "c.csv", ROWS)))
    assert code == 2 and "BREVO_API_KEY" in err


def test_a_second_sync_on_a_busy_state_exits_2(
    account: BrevoMock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "customers.csv", ROWS)
    with SyncState(tmp_path / "busy.db"):
        code, _, err = run(capsys, str(source), "--state", str(tmp_path / "busy.db"))
    assert code == 2 and "in use by another sync" in err


def test_history_lists_the_runs(
    account: BrevoMock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "customers.csv", ROWS)
    state = str(tmp_path / "s.db")
    run(capsys, str(source), "--state", state)
    run(capsys, str(source), "--state", state, "--dry-run")
    run(capsys, str(source), "--state", state)
    code, out, _ = run(capsys, "--history", state)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["run", "started", "status"]
    assert [line.split()[0] for line in lines[1:]] == ["2", "1"]  # a dry run is not a run
    code, out, _ = run(capsys, "--history", state, "--json")
    assert [r["counts"] for r in json.loads(out)] == [{"unchanged": 4}, {"created": 4}]
    code, _, err = run(capsys, "--history", str(tmp_path / "missing.db"))
    assert code == 2 and "no such state file" in err


def test_dry_run_prints_the_plan_and_sends_nothing(
    account: BrevoMock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, str(write(tmp_path / "c.csv", ROWS)), "--dry-run")
    assert code == 0 and "dry run (nothing sent)" in out and "4 rows in 0 import(s)" in out
    assert "c.csv: 4 rows in " in out  # the rows it read, not the 0 outcomes it records
    assert "would send (dry run)" in out and "sending" not in out
    code, out, _ = run(capsys, str(tmp_path / "c.csv"), "--dry-run", "--json")
    assert code == 0 and json.loads(out)["rows"] == 4
    assert [r for r in account.requests if r.method != "GET"] == []


def test_piped_progress_is_plain_lines_and_json_has_none(
    account: BrevoMock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "c.csv", ROWS)
    code, out, err = run(capsys, str(source))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert "\r" not in out
    assert lines[0] == "provisioning the program (attributes, folder, lists) ..."
    assert any(line.startswith("reading and planning: 4 of 4 rows (100 %), in ") for line in lines)
    assert any(line.startswith("sending: 4 of 4 rows (100 %), in ") for line in lines)
    summary = next(i for i, line in enumerate(lines) if line.startswith(f"{source}: 4 rows"))
    assert all(not line.startswith("  ") for line in lines[:summary])  # progress, then report
    code, out, _ = run(capsys, str(source), "--json")
    assert code == 0 and json.loads(out)["rows"] == 4  # nothing but the JSON report


def test_mirror_unlists_customers_that_left_the_file(
    account: BrevoMock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = str(tmp_path / "s.db")
    run(capsys, str(write(tmp_path / "c.csv", ROWS)), "--state", state)
    kept = write(tmp_path / "c.csv", ROWS[:3])
    code, out, _ = run(capsys, str(kept), "--state", state, "--mode", "mirror", "--json")
    assert code == 0 and json.loads(out)["missing"] == {"kept": 1}
    unlist = ["--mode", "mirror", "--on-missing", "unlist", "--max-removals", "1", "--json"]
    code, out, _ = run(capsys, str(kept), "--state", state, *unlist)
    assert code == 0 and json.loads(out)["missing"] == {"unlisted": 1}
    gone = account.state.contact_by_email("c3@example.com")
    assert gone is not None and not gone.list_ids  # still a contact, in no program list
    code, out, _ = run(capsys, str(kept), "--state", state, *unlist)
    assert "missing" not in json.loads(out)  # forgotten once unlisted


def test_mirror_blacklist(
    account: BrevoMock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = str(tmp_path / "s.db")
    run(capsys, str(write(tmp_path / "c.csv", ROWS)), "--state", state)
    kept = write(tmp_path / "c.csv", ROWS[1:])
    args = ["--state", state, "--mode", "mirror", "--on-missing", "blacklist", "--json"]
    args += ["--max-removals", "25%"]
    code, out, _ = run(capsys, str(kept), *args)
    assert code == 0 and json.loads(out)["missing"] == {"blacklisted": 1}
    gone = account.state.contact_by_email("c0@example.com")
    assert gone is not None and gone.email_blacklisted and not gone.list_ids


def test_verify_reads_back_what_the_run_touched(
    account: BrevoMock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, str(write(tmp_path / "c.csv", ROWS)), "--verify", "--json")
    report = json.loads(out)
    assert code == 0 and report["verify"]["checked"] == 4 and report["verify"]["mismatches"] == 0
