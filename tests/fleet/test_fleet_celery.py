"""Many accounts on Celery: real Redis, real prefork workers in their own processes, one
mock process serving every account (each its own data and its own 10 requests/s), one
worker SIGKILLed mid-run.

Every account must end equal to its source, no account may be held by two workers at
once (the state-lock intervals the task logs, with the kill time closing the killed one),
and no API key may appear in Redis, in a task result, in a worker's log or in the database.
Every account's source is a query of one PostgreSQL table, and every state lives in one
PostgreSQL schema (one scope per account; its advisory lock is the one-run guarantee).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import signal
import time
from pathlib import Path
from typing import Any

import _servers
import pytest
from _account_view import account_view, expected_view

celery = pytest.importorskip("celery")
redis = pytest.importorskip("redis")

from tajo_brevo import TajoBrevo  # noqa: E402
from tajo_brevo.sync import SyncState  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
APP_DIR = ROOT / "examples" / "fleet"
PROGRAM = "Tajo Loyalty"
ACCOUNTS = 20
ROWS = 200
WORKERS = 3
#: Seconds the whole fleet has to finish (every wait below is bounded by it).
DEADLINE = 150.0
LOCK_LINE = re.compile(r"account (\S+): state (locked|released) by pid (\d+) at ([0-9.]+)")


def rows_of(account: int) -> list[dict[str, Any]]:
    return [
        {
            "email": f"a{account}-c{i}@example.com",
            "loyalty_id": f"A{account}-{i}",
            "loyalty_points": (i * 97 + account * 13) % 3000,
            "first_name": f"Ana{i}",
        }
        for i in range(ROWS)
    ]


def expected(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return expected_view(
        [
            {**r, "last_purchase": None, "favorite_categories": None, "seasonal_buyer": None}
            for r in rows
        ],
        PROGRAM,
    )


def redis_dump(url: str) -> str:
    """Every key and value in Redis, as text."""
    client = redis.Redis.from_url(url)
    parts: list[str] = []
    for key in client.scan_iter(count=1000):
        kind = client.type(key).decode()
        if kind == "string":
            value: Any = client.get(key)
        elif kind == "list":
            value = client.lrange(key, 0, -1)
        elif kind == "hash":
            value = client.hgetall(key)
        elif kind == "set":
            value = client.smembers(key)
        elif kind == "zset":
            value = client.zrange(key, 0, -1)
        else:
            value = kind
        parts.append(f"{key!r} {value!r}")
    return "\n".join(parts)


def fill_customers(url: str, sources: dict[str, list[dict[str, Any]]]) -> None:
    """Every merchant's customers in one table, told apart by ``merchant``."""
    import psycopg

    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE customers (merchant text, email text, loyalty_id text, "
            "loyalty_points integer, first_name text)"
        )
        with conn.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO customers VALUES (%s, %s, %s, %s, %s)",
                [
                    (ref, r["email"], r["loyalty_id"], r["loyalty_points"], r["first_name"])
                    for ref, rows in sources.items()
                    for r in rows
                ],
            )


def test_a_fleet_survives_a_killed_worker_and_ends_equal_to_its_sources(
    redis_server: _servers.Redis,
    postgres_server: _servers.Postgres,
    postgres_url: str,
    tmp_path: Path,
) -> None:
    started = time.monotonic()
    keys = [f"fleet-key-{n}-{os.urandom(6).hex()}" for n in range(ACCOUNTS)]
    sources = {f"merchant-{n}": rows_of(n) for n in range(ACCOUNTS)}
    fill_customers(postgres_url, sources)
    with contextlib.ExitStack() as stack:
        mocks = stack.enter_context(_servers.mock_accounts(keys, rate_limit=10))
        accounts: dict[str, Any] = {}
        for ref, mock in zip(sources, mocks, strict=True):
            accounts[ref] = {
                "api_key": mock.api_key,
                "base_url": mock.base_url,
                "source": {
                    "url": postgres_url,
                    "query": "SELECT email, loyalty_id, loyalty_points, first_name FROM "
                    f"customers WHERE merchant = '{ref}' ORDER BY email",
                },
                "state": postgres_url,
                "rate_limit": 10,
            }
        (tmp_path / "accounts.json").write_text(json.dumps(accounts), encoding="utf-8")
        env = {
            **os.environ,
            "FLEET_BROKER": redis_server.url,
            "FLEET_ACCOUNTS": str(tmp_path / "accounts.json"),
            "FLEET_VISIBILITY_TIMEOUT": "8",
            "FLEET_RESTORE_INTERVAL": "1",
            "FLEET_RESTORE_THROTTLE": "1",
            "FLEET_BACKOFF": "1",
            "FLEET_BUSY_DELAY": "1",
        }
        client = celery.Celery("fleet-test", broker=redis_server.url, backend=redis_server.url)
        client.conf.update(task_serializer="json", result_serializer="json")
        results = {ref: client.send_task("tajo_brevo.sync_account", args=[ref]) for ref in accounts}
        with _servers.celery_workers(
            WORKERS,
            app_dir=APP_DIR,
            env=env,
            logs=tmp_path,
            name="w",
            options=("--loglevel=INFO", "--without-heartbeat"),
        ) as procs:
            # Wait until the first worker holds an account's state, let it run a little
            # (mid-sync: provisioning or importing), then kill it and its child.
            victim = procs[0]
            log0 = tmp_path / "worker0.log"
            killed_at = None
            while killed_at is None:
                assert time.monotonic() - started < DEADLINE, "worker 0 never took an account"
                if "state locked" in log0.read_text(errors="replace"):
                    time.sleep(1.0)
                    os.killpg(victim.pid, signal.SIGKILL)
                    killed_at = time.time()
                    victim.wait(timeout=10)
                time.sleep(0.1)
            summaries = {}
            for ref, result in results.items():
                left = max(1.0, DEADLINE - (time.monotonic() - started))
                summaries[ref] = result.get(timeout=left, propagate=True)
            logs = {p.name: p.read_text(errors="replace") for p in tmp_path.glob("worker*.log")}
        # Every account equal to its source (read back over the API of its mock).
        for (ref, rows), mock in zip(sources.items(), mocks, strict=True):
            with TajoBrevo(api_key=mock.api_key, base_url=mock.base_url, rate_limit=8) as brevo:
                assert account_view(brevo, PROGRAM) == expected(rows), ref
            assert summaries[ref]["account"] == ref
            assert summaries[ref]["exit_code"] == 0 and summaries[ref]["rows"] == ROWS
            assert summaries[ref]["rate_limited"] == 0  # paced to its own budget
        dump = redis_dump(redis_server.url)
    # The killed worker was mid-run: its account's history has a run it never finished.
    killed_pid_lines = [
        m for m in LOCK_LINE.finditer(logs["worker0.log"]) if m.group(2) == "locked"
    ]
    assert killed_pid_lines, "worker 0 never held an account"
    interrupted = []
    for ref, account in accounts.items():
        with SyncState(account["state"], read_only=True, account=ref, program=PROGRAM) as state:
            interrupted += [run for run in state.history() if run.status == "running"]
    # Never two workers on one account: the lock intervals of each account are disjoint.
    intervals: dict[str, list[tuple[float, float, str]]] = {}
    open_: dict[tuple[str, str], float] = {}
    for text in logs.values():
        for match in LOCK_LINE.finditer(text):
            ref, what, pid, at = (
                match.group(1),
                match.group(2),
                match.group(3),
                float(match.group(4)),
            )
            if what == "locked":
                open_[(ref, pid)] = at
            else:
                intervals.setdefault(ref, []).append((open_.pop((ref, pid)), at, pid))
    for (ref, pid), at in open_.items():  # held when its worker was killed
        assert killed_at is not None and at <= killed_at
        intervals.setdefault(ref, []).append((at, killed_at, pid))
    assert set(intervals) == set(accounts)
    for ref, spans in intervals.items():
        spans.sort()
        for (_, end, pid_a), (start, _, pid_b) in itertools.pairwise(spans):
            assert end <= start, f"{ref} held by pids {pid_a} and {pid_b} at once"
    assert interrupted or open_, "the kill did not land mid-run"
    # No API key in Redis, in a result, in a log or in the database (state and source).
    database = postgres_url.rsplit("/", 1)[1]
    stored = [postgres_server.text_of(database, s) for s in ("tajo_brevo", "public")]
    texts = [dump, json.dumps(summaries), *logs.values(), *stored]
    for key in keys:
        for text in texts:
            assert key not in text
    assert time.monotonic() - started < DEADLINE
