"""Benchmark: the same customers synced from PostgreSQL (``--source-url``) and from CSV.

A throwaway PostgreSQL (the tests' server: Debian's binaries on loopback) holds a table of
N customers; a CSV file holds the same rows. Each measured sync is ``tajo-brevo sync`` in
a child process (its CPU time, user + system, and peak RSS from ``wait4``) against a mock
in its own process (no rate limit; client at 1,000 requests/s): a first sync into a fresh
mock and state, then an unchanged re-sync. The database server's own CPU is not counted.

Peak RSS: Linux counts in a child's ``ru_maxrss`` the resident size of the process it was
spawned from (the high-water mark of the memory it replaced at ``exec``), so the sync is
started by a small launcher (``python -c``, about 10 MB) that reports the child's usage;
and the rows are generated as a stream, never held as a list. (Before both, the page
showed this script's own memory: 486 MB at 1M rows, for either source.)

Run: ``.venv/bin/python bench/bench_sql.py --write`` (``--sizes 10000,100000`` by
default; add 1000000 when the machine has the time). Writes ``bench/results/sql.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results" / "sql.md"
sys.path.insert(0, str(ROOT / "tests"))  # the project's throwaway servers

import _servers  # noqa: E402
import psycopg  # noqa: E402

COLUMNS = "email,loyalty_id,loyalty_points,first_name,total_spent,last_purchase"
QUERY = f"SELECT {COLUMNS} FROM customers ORDER BY id"


def rows(n: int) -> Iterator[tuple[Any, ...]]:
    for i in range(n):
        yield (
            f"c{i}@example.com",
            f"L{i}",
            (i * 37) % 4000,
            f"Ana{i % 97}",
            f"{(i * 13) % 5000}.{i % 100:02d}",
            f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}",
        )


def fill(postgres: _servers.Postgres, n: int, csv_path: Path) -> str:
    name = f"bench_{n}"
    url = postgres.create_database(name)
    with (
        psycopg.connect(postgres.dsn(name), autocommit=True) as conn,
        csv_path.open("w", encoding="utf-8") as out,
    ):
        conn.execute(
            "CREATE TABLE customers (id serial PRIMARY KEY, email text, loyalty_id text, "
            "loyalty_points integer, first_name text, total_spent numeric(10,2), "
            "last_purchase date)"
        )
        out.write(COLUMNS + "\n")
        with conn.cursor().copy(f"COPY customers ({COLUMNS}) FROM STDIN") as copy:
            for row in rows(n):  # streamed: this process stays small (see measure)
                copy.write_row(row)
                out.write(",".join(str(v) for v in row) + "\n")
    return url


#: Runs argv[1:] (output discarded, stderr passed on) and prints its exit status, CPU and
#: peak RSS: a small parent, so that the child's peak RSS is its own (see the docstring).
LAUNCHER = """
import json, os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(json.dumps({"exit": os.waitstatus_to_exitcode(status),
                  "cpu_s": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024}))
"""


def measure(argv: list[str], env: dict[str, str]) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *argv], env=env, capture_output=True, check=True
    )
    found = json.loads(done.stdout)
    if found["exit"] not in (0, 1):
        raise RuntimeError(f"{argv}: exit {found['exit']}: {done.stderr[-4000:]!r}")
    return {"cpu_s": found["cpu_s"], "rss_mb": found["rss_mb"]}


def run_size(postgres: _servers.Postgres, n: int, work: Path) -> list[dict[str, Any]]:
    csv_path = work / f"customers-{n}.csv"
    url = fill(postgres, n, csv_path)
    script = str(Path(sys.executable).with_name("tajo-brevo"))
    found = []
    for kind in ("csv", "postgresql"):
        key = f"bench-sql-{kind}-{n}"
        with _servers.mock_processes([key]) as (mock,):
            env = {**os.environ, "BREVO_API_KEY": key, "BREVO_BASE_URL": mock.base_url}
            state = work / f"{kind}-{n}.sync.db"
            source = [str(csv_path)] if kind == "csv" else ["--source-url", url, "--query", QUERY]
            argv = [script, "sync", *source, "--state", str(state), "--rate-limit", "1000"]
            for step in ("first sync", "unchanged re-sync"):
                result = measure(argv, env)
                found.append({"rows": n, "source": kind, "step": step, **result})
                print(found[-1], flush=True)
    return found


def render(results: list[dict[str, Any]]) -> str:
    machine = f"{platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}"
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Sync from PostgreSQL vs CSV",
        "",
        f"Run by `python bench/bench_sql.py --write` on {date}, {machine} (shared with other "
        "jobs). Client CPU (user + system) and peak RSS of `tajo-brevo sync` in a child "
        "process started by a small launcher (so the RSS is the sync's own); the mock in its "
        "own process; PostgreSQL's own CPU not counted.",
        "",
        "| rows | step | CSV CPU s | PostgreSQL CPU s | ratio | CSV RSS MB | PostgreSQL RSS MB |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    by = {(r["rows"], r["step"], r["source"]): r for r in results}
    for n, step in sorted({(r["rows"], r["step"]) for r in results}):
        csv_r, pg_r = by[(n, step, "csv")], by[(n, step, "postgresql")]
        lines.append(
            f"| {n:,} | {step} | {csv_r['cpu_s']:.2f} | {pg_r['cpu_s']:.2f} | "
            f"{pg_r['cpu_s'] / csv_r['cpu_s']:.2f} | {csv_r['rss_mb']:.0f} | {pg_r['rss_mb']:.0f} |"
        )
    lines += [
        "",
        "Target: PostgreSQL within 1.3x of CSV in CPU, peak RSS within 1.5x from the "
        "smallest size to the largest. Sizes not in the table were not measured.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--write", action="store_true", help=f"write {RESULTS.name}")
    args = parser.parse_args()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-sql-") as tmp, _servers.postgres_server() as pg:
        for n in (int(s) for s in args.sizes.split(",")):
            results += run_size(pg, n, Path(tmp))
    text = render(results)
    print(text)
    if args.write:
        RESULTS.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
