"""A MySQL query as a sync source: a real MariaDB server (MySQL's protocol), PyMySQL.

The same rows as the PostgreSQL tests (``test_sql_source.py``), in MySQL's types: no arrays
(the array text form ``shoes,bags``), booleans as ``TINYINT(1)``. The account is compared
with the source; the password, which MariaDB really checks, never shows.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _account_view import account_view, expected_view
from _scenario_support import Driver
from sqlalchemy.engine import make_url
from tajo_brevo import SqlSource, TajoBrevo
from test_sql_source import COLUMNS, PROGRAM, QUERY, SECRET, cli, customers

pymysql = pytest.importorskip("pymysql")
pytest.importorskip("sqlalchemy")

SHOP_USER = "shop"


def fill_mysql(url: str, rows: list[dict[str, Any]]) -> str:
    """Create and fill ``customers`` and a user ``shop`` with a password; its URL."""
    parsed = make_url(url)
    conn = pymysql.connect(
        host=parsed.host, port=parsed.port, user="root", database=parsed.database, autocommit=True
    )
    with conn, conn.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(320), "
            "loyalty_id VARCHAR(64), loyalty_points INT, first_name VARCHAR(255), "
            "last_purchase DATE, favorite_categories TEXT, seasonal_buyer TINYINT(1)) "
            "CHARACTER SET utf8mb4"
        )
        cursor.executemany(
            f"INSERT INTO customers ({', '.join(COLUMNS)}) VALUES "
            f"({', '.join(['%s'] * len(COLUMNS))})",
            [
                tuple(
                    ",".join(row[c] or ()) if c == "favorite_categories" else row[c]
                    for c in COLUMNS
                )
                for row in rows
            ],
        )
        cursor.execute(f"CREATE USER IF NOT EXISTS '{SHOP_USER}'@'%' IDENTIFIED BY '{SECRET}'")
        cursor.execute(f"GRANT SELECT ON `{parsed.database}`.* TO '{SHOP_USER}'@'%'")
    return parsed.set(username=SHOP_USER, password=SECRET).render_as_string(hide_password=False)


def test_a_mysql_query_syncs_and_resyncs_equal_to_the_source(
    brevo: Driver, mariadb_url: str, tmp_path: Path
) -> None:
    rows = customers(80, commas=False)
    url = fill_mysql(mariadb_url, rows)
    state = tmp_path / "state.db"
    with SqlSource(url, QUERY, batch_rows=15) as source:
        report = brevo.client.sync_customers(source, state=state)
        assert report.exit_code == 0, report.problems
        assert report.counts["created"] + report.counts["applied"] == 80
        assert account_view(brevo.client, PROGRAM) == expected_view(rows, PROGRAM)
        # An edit in the database is sent; the other rows are unchanged.
        parsed = make_url(url)
        conn = pymysql.connect(host=parsed.host, port=parsed.port, user="root", autocommit=True)
        with conn, conn.cursor() as cursor:
            cursor.execute(
                f"UPDATE `{parsed.database}`.customers SET loyalty_points = 2900, "
                "favorite_categories = '' WHERE loyalty_id = 'L1'"
            )
        rows[1]["loyalty_points"] = 2900
        rows[1]["favorite_categories"] = None
        again = brevo.client.sync_customers(source, state=state)
    assert again.exit_code == 0, again.problems
    assert again.counts["unchanged"] == 79
    assert account_view(brevo.client, PROGRAM) == expected_view(rows, PROGRAM)
    assert SECRET not in json.dumps(again.summary()) and SECRET not in source.name
    assert SECRET.encode() not in state.read_bytes()


def test_the_cli_syncs_a_mysql_query_and_a_wrong_password_is_one_line(
    served: TajoBrevo,
    mariadb_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = customers(12, commas=False)
    url = fill_mysql(mariadb_url, rows)
    state = tmp_path / "state.db"
    code, out, err = cli(capsys, "--source-url", url, "--query", QUERY, "--state", str(state))
    assert code == 0, err
    assert account_view(served, PROGRAM) == expected_view(rows, PROGRAM)
    assert SECRET not in out + err
    # A wrong password: refused by the server, a configuration error (exit 2, not 75:
    # trying again later would be refused again), said in one line, nothing sent.
    wrong = url.replace(SECRET, "wrong-" + SECRET)
    code, out, err = cli(
        capsys, "--source-url", wrong, "--query", QUERY, "--state", str(tmp_path / "s2.db")
    )
    assert code == 2 and "refused the connection" in err and "Access denied" in err, err
    assert len(err.strip().splitlines()) == 1 and SECRET not in out + err
