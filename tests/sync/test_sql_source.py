"""SQL sources: a query's rows synced like a file's, from SQLite and a real PostgreSQL.

Each sync is compared with the source through the account (contacts, fields and the
program's lists, read over the API). The URL's password never shows in output, reports,
state, history or errors.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import traceback
from pathlib import Path
from typing import Any

import _servers
import pytest
from _account_view import FIELDS, account_view, expected_view
from _scenario_support import Driver
from tajo_brevo import SourceError, SqlSource, TajoBrevo
from tajo_brevo.cli import main
from tajo_brevo.sync import SyncState
from tajo_brevo.sync._seam import key_id

psycopg = pytest.importorskip("psycopg")
pytest.importorskip("sqlalchemy")

PROGRAM = "Tajo Loyalty"
LOCAL = "http://127.0.0.1/v3"
SECRET = "s3cret-Pa55word"
#: The table's columns: the email, then every field the account view compares.
COLUMNS = ("email", *FIELDS)
QUERY = f"SELECT {', '.join(COLUMNS)} FROM customers ORDER BY id"


def customers(n: int, *, commas: bool = True) -> list[dict[str, Any]]:
    """Rows with every kind of value: text, counts, dates, arrays, booleans and NULLs."""
    categories = ["shoes", "bags, large" if commas else "bags", "hats"]
    return [
        {
            "email": f"Customer{i}@Example.com",
            "loyalty_id": f"L{i}",
            "loyalty_points": (i * 373) % 3100,
            "first_name": f"Ana{i}" if i % 5 else None,
            "last_purchase": dt.date(2026, 1, 1) + dt.timedelta(days=i % 200) if i % 3 else None,
            "favorite_categories": categories[: i % 4] or None,
            "seasonal_buyer": (i % 2 == 0) if i % 7 else None,
        }
        for i in range(n)
    ]


def fill_postgres(url: str, rows: list[dict[str, Any]]) -> str:
    """Create and fill ``customers``; returns the libpq DSN of the database."""
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS customers (id serial PRIMARY KEY, email text, "
            "loyalty_id text, loyalty_points integer, first_name text, last_purchase date, "
            "favorite_categories text[], seasonal_buyer boolean)"
        )
        with conn.cursor() as cur:
            cur.executemany(
                f"INSERT INTO customers ({', '.join(COLUMNS)}) VALUES "
                f"({', '.join(['%s'] * len(COLUMNS))})",
                [tuple(row[c] for c in COLUMNS) for row in rows],
            )
    return dsn


def fill_sqlite(path: Path, rows: list[dict[str, Any]]) -> str:
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT, loyalty_id TEXT, "
            "loyalty_points INTEGER, first_name TEXT, last_purchase TEXT, "
            "favorite_categories TEXT, seasonal_buyer INTEGER)"
        )
        conn.executemany(
            f"INSERT INTO customers ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * 7)})",
            [
                (
                    row["email"],
                    row["loyalty_id"],
                    row["loyalty_points"],
                    row["first_name"],
                    row["last_purchase"].isoformat() if row["last_purchase"] else None,
                    ",".join(row["favorite_categories"] or ()),  # the array text form
                    row["seasonal_buyer"],
                )
                for row in rows
            ],
        )
    return f"sqlite:///{path}"


def with_password(url: str) -> str:
    # The throwaway server trusts loopback: any password is accepted, so it can be secret.
    return url.replace("postgres@", f"postgres:{SECRET}@")


def test_a_postgresql_query_syncs_and_resyncs_equal_to_the_source(
    brevo: Driver, postgres_url: str, tmp_path: Path
) -> None:
    rows = customers(120)
    dsn = fill_postgres(postgres_url, rows)
    state = tmp_path / "state.db"
    with SqlSource(with_password(postgres_url), QUERY, batch_rows=25) as source:
        report = brevo.client.sync_customers(source, state=state)
        assert report.exit_code == 0, report.problems
        assert report.counts["created"] + report.counts["applied"] == 120
        assert account_view(brevo.client, PROGRAM) == expected_view(rows, PROGRAM)
        # Edits in the database: a tier move, a cleared name, an emptied array.
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("UPDATE customers SET loyalty_points = 2900 WHERE loyalty_id = 'L1'")
            conn.execute("UPDATE customers SET first_name = NULL WHERE loyalty_id = 'L2'")
            conn.execute("UPDATE customers SET favorite_categories = '{}' WHERE id = 4")
        rows[1]["loyalty_points"] = 2900
        rows[2]["first_name"] = None
        rows[3]["favorite_categories"] = None
        again = brevo.client.sync_customers(source, state=state)
    assert again.exit_code == 0, again.problems
    assert again.counts["unchanged"] == 117
    assert account_view(brevo.client, PROGRAM) == expected_view(rows, PROGRAM)
    assert SECRET not in json.dumps(again.summary())
    assert SECRET not in source.name and "***" in source.name
    assert SECRET.encode() not in state.read_bytes()


def test_a_sqlite_query_syncs_equal_to_the_source(both: Driver, tmp_path: Path) -> None:
    rows = customers(60, commas=False)
    url = fill_sqlite(tmp_path / "shop.db", rows)
    with SqlSource(url, QUERY) as source:
        report = both.sync_customers(source, state=tmp_path / "state.db")
    assert report.exit_code == 0, report.problems
    mock = both.mock
    with TajoBrevo(
        api_key=mock.api_key, base_url=LOCAL, transport=mock.transport(), rate_limit="auto"
    ) as reader:
        assert account_view(reader, PROGRAM) == expected_view(rows, PROGRAM)


def test_a_mapping_renames_query_columns(brevo: Driver, tmp_path: Path) -> None:
    rows = customers(5, commas=False)
    url = fill_sqlite(tmp_path / "shop.db", rows)
    query = "SELECT email AS mail, loyalty_id AS member, loyalty_points FROM customers"
    mapping = {"Mail": "EMAIL", "member": "LOYALTY_ID"}
    with SqlSource(url, query, mapping=mapping) as source:
        report = brevo.client.sync_customers(source, state=tmp_path / "state.db")
    assert report.exit_code == 0, report.problems
    view = account_view(brevo.client, PROGRAM)
    assert {email: fields[:2] for email, (fields, _) in view.items()} == {
        row["email"].lower(): (row["loyalty_id"], float(row["loyalty_points"])) for row in rows
    }


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["sync", "--rate-limit", "1000", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_cli_syncs_a_query_and_never_shows_the_password(
    served: TajoBrevo,
    postgres_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = customers(30)
    # Invalid: goes to the failures file.
    rows.append({**rows[0], "email": "not-an-email", "loyalty_id": "LX"})
    fill_postgres(postgres_url, rows)
    query_file = tmp_path / "customers.sql"
    query_file.write_text(QUERY, encoding="utf-8")
    state = tmp_path / "state.db"
    url = with_password(postgres_url)
    code, out, err = cli(capsys, "--source-url", url, "--query-file", str(query_file))
    assert code == 2 and "give --state" in err  # no file to put the state beside
    code, out, err = cli(
        capsys, "--source-url", url, "--query-file", str(query_file), "--state", str(state)
    )
    assert code == 1, err
    assert "created 30" in out or "applied 30" in out, out
    failures = Path(f"{state}.failures.csv")
    assert failures.read_text(encoding="utf-8").splitlines()[1].startswith("not-an-email,")
    assert account_view(served, PROGRAM) == expected_view(rows[:30], PROGRAM)
    # The URL from the environment (out of the process list), JSON report, history.
    monkeypatch.setenv("TAJO_BREVO_SOURCE_URL", url)
    code, json_out, err = cli(capsys, "--query", QUERY, "--state", str(state), "--json")
    assert code == 1 and json.loads(json_out)["counts"]["unchanged"] == 30
    code, history, _ = cli(capsys, "--history", str(state), "--json")
    assert code == 0 and "***" in history
    for text in (out, err, json_out, history, failures.read_text(encoding="utf-8")):
        assert SECRET not in text
    assert SECRET.encode() not in state.read_bytes()


def test_the_cli_keeps_its_state_in_postgresql(
    served: TajoBrevo,
    postgres_server: _servers.Postgres,
    postgres_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    rows = customers(40)
    dsn = fill_postgres(postgres_url, rows)
    url = with_password(postgres_url)  # the source and the state in one database
    sync = ("--source-url", url, "--query", QUERY, "--state", url, "--lock-timeout", "5")
    code, out, err = cli(capsys, *sync)
    assert code == 0, err
    assert account_view(served, PROGRAM) == expected_view(rows, PROGRAM)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("UPDATE customers SET loyalty_points = 3000 WHERE loyalty_id = 'L1'")
    rows[1]["loyalty_points"] = 3000
    code, json_out, err = cli(capsys, *sync, "--json")
    assert code == 0 and json.loads(json_out)["counts"]["unchanged"] == 39, err
    assert account_view(served, PROGRAM) == expected_view(rows, PROGRAM)
    code, history, _ = cli(capsys, "--history", url, "--json")
    assert code == 0 and [r["status"] for r in json.loads(history)] == ["ok", "ok"]
    code, table, _ = cli(capsys, "--history", url, "--program", "Another")
    assert code == 0 and "no runs yet" in table
    # While another run holds the account's state: a sync is refused at once (or after
    # --lock-timeout), the history still reads.
    key = os.environ["BREVO_API_KEY"]
    with SyncState(url, account=key_id(key), program=PROGRAM):
        code, _, busy = cli(capsys, *sync[:-2], "--lock-timeout", "0.5")
        assert code == 2 and "in use by another sync" in busy and "tajo-brevo sync pid" in busy
        code, during, _ = cli(capsys, "--history", url, "--json")
        assert code == 0 and len(json.loads(during)) == 2
    # An invalid row: with no state file to put it beside, the failures file is
    # tajo-brevo.failures.csv in the working directory (or --failures FILE).
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("INSERT INTO customers (email, loyalty_id) VALUES ('not-an-email', 'LX')")
    monkeypatch.chdir(tmp_path)
    code, failed_out, err = cli(capsys, *sync)
    assert code == 1, err
    failures = tmp_path / "tajo-brevo.failures.csv"
    assert "tajo-brevo.failures.csv" in failed_out
    assert failures.read_text(encoding="utf-8").splitlines()[1].startswith("not-an-email,")
    stored = postgres_server.text_of(postgres_url.rsplit("/", 1)[1], "tajo_brevo")
    for text in (out, err, json_out, history, table, busy, failed_out, stored):
        assert SECRET not in text and key not in text


def test_account_runs_in_the_scope_a_celery_task_uses(
    served: TajoBrevo,
    postgres_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """``--account merchant-42`` is the scope the Celery task of merchant-42 uses: its
    memory (nothing resent), its lock and its history, not the key's own scope."""
    rows = customers(20)
    fill_postgres(postgres_url, rows)
    url = with_password(postgres_url)
    # The task's way: the state opened with the account's reference.
    with (
        SqlSource(url, QUERY) as source,
        SyncState(url, account="merchant-42", program=PROGRAM) as state,
    ):
        first = served.sync_customers(source, state=state)
    assert first.ok and first.counts["created"] == 20, first.summary()
    sync = ("--source-url", url, "--query", QUERY, "--state", url, "--account", "merchant-42")
    code, json_out, err = cli(capsys, *sync, "--json")
    assert code == 0, err
    assert json.loads(json_out)["counts"]["unchanged"] == 20  # the task's memory
    assert account_view(served, PROGRAM) == expected_view(rows, PROGRAM)
    # The task's lock: while it runs, the command is refused (or waits --lock-timeout).
    with SyncState(url, account="merchant-42", program=PROGRAM):
        code, _, busy = cli(capsys, *sync)
        assert code == 2 and "in use by another sync" in busy
    # Its history, read without an API key; the key's own scope saw no run.
    code, history, _ = cli(capsys, "--history", url, "--json")
    assert code == 0 and json.loads(history) == []
    monkeypatch.delenv("BREVO_API_KEY")
    code, history, err = cli(capsys, "--history", url, "--account", "merchant-42", "--json")
    assert code == 0 and [r["status"] for r in json.loads(history)] == ["ok", "ok"], err
    # A state file holds one account: --account is refused there, before anything runs.
    for args in (("--history", str(tmp_path / "x.db")), (*sync[:-4], "--state", "s.db")):
        code, _, err = cli(capsys, *args, "--account", "merchant-42")
        assert code == 2 and "PostgreSQL state" in err
    code, _, err = cli(capsys, *sync[:-1], " ")
    assert code == 2 and "--account: give the account's reference" in err


@pytest.mark.parametrize(
    ("make_url", "query", "message", "exit_code"),
    [
        (with_password, "SELECT nope FROM missing", "the query failed", 2),
        (with_password, "SELECT 1 AS email, 2 AS shoe_size", "unknown column 'shoe_size'", 2),
        # Unreachable: 75, try again later (as for Brevo unreachable).
        (lambda url: with_password(url).rsplit(":", 1)[0] + ":1/x", "SELECT 1", "connect", 75),
        # The server refuses the URL itself: a configuration error, no use trying again.
        (
            lambda url: with_password(url).rsplit("/", 1)[0] + "/no_such_db",
            "SELECT 1",
            "database refused the connection: connection failed: connection to server",
            2,
        ),
        (lambda url: f"nodb://u:{SECRET}@h/d", "SELECT 1", "Can't load plugin", 2),
        (lambda url: f"just {SECRET} text", "SELECT 1", "source URL: not a database URL", 2),
        (lambda url: "sqlite:////nonexistent/x.db", "SELECT 1 AS email", "cannot connect", 75),
    ],
    ids=[
        "bad-query",
        "unknown-column",
        "unreachable",
        "no-database",
        "no-dialect",
        "no-url",
        "no-sqlite-dir",
    ],
)
def test_a_bad_url_or_query_is_one_line_without_the_password(
    served: TajoBrevo,
    postgres_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    make_url: Any,
    query: str,
    message: str,
    exit_code: int,
) -> None:
    url = make_url(postgres_url)
    code, out, err = cli(
        capsys, "--source-url", url, "--query", query, "--state", str(tmp_path / "s.db")
    )
    assert code == exit_code
    assert message in err
    assert len(err.strip().splitlines()) == 1, err
    assert SECRET not in out + err
    assert not list(served.iter_lists())  # nothing was sent: no list provisioned


def test_sql_source_errors_never_hold_the_password(postgres_url: str) -> None:
    with pytest.raises(SourceError) as info:
        SqlSource(with_password(postgres_url), "SELECT * FROM missing")
    shown = "".join(traceback.format_exception(info.value))
    assert "the query failed" in shown and SECRET not in shown


def test_the_reads_of_one_run_share_a_snapshot_and_the_next_run_sees_changes(
    postgres_url: str,
) -> None:
    dsn = fill_postgres(postgres_url, customers(5))
    with SqlSource(postgres_url, QUERY, batch_rows=2) as source:
        with source.snapshot():
            first = [raw.cells["email"] for raw in source.rows()]
            with psycopg.connect(dsn, autocommit=True) as conn:
                # id 0 sorts first: without the snapshot every later row would shift.
                conn.execute(
                    "INSERT INTO customers (id, email, loyalty_id, loyalty_points) "
                    "VALUES (0, 'new@example.com', 'N0', 1)"
                )
            assert [raw.cells["email"] for raw in source.rows()] == first
        after = [raw.cells["email"] for raw in source.rows()]
    assert after == ["new@example.com", *first]
