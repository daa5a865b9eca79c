"""Benchmark: the sync state in SQLite (a file) vs PostgreSQL (``--state postgresql://``).

The same N customers (a CSV file) are synced by ``tajo-brevo sync`` in a child process
against a mock in its own process (no rate limit; client at 1,000 requests/s): a first
sync into a fresh mock and a fresh state, then an unchanged re-sync, once with the state
in an SQLite file and once in a throwaway PostgreSQL (the tests' server: Debian's
binaries on loopback, fsync off), the two backends interleaved round by round so that
the shared machine's load falls on both alike. Measured: wall time (the state's work is
partly the database server's, which the client's CPU does not count) and the client's CPU
(user + system, from ``wait4``). The ratio is PostgreSQL / SQLite per round; the table
gives its median and its spread (min-max) over the rounds.

Run: ``.venv/bin/python bench/bench_state.py --write`` (``--rows 100000 --rounds 3`` by
default). Writes ``bench/results/state.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results" / "state.md"
sys.path.insert(0, str(ROOT / "tests"))  # the project's throwaway servers

import _servers  # noqa: E402

COLUMNS = "email,loyalty_id,loyalty_points,first_name,total_spent,last_purchase"
STEPS = ("first sync", "unchanged re-sync")
BACKENDS = ("sqlite", "postgresql")


def write_csv(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(COLUMNS + "\n")
        for i in range(n):
            out.write(
                f"c{i}@example.com,L{i},{(i * 37) % 4000},Ana{i % 97},"
                f"{(i * 13) % 5000}.{i % 100:02d},2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}\n"
            )


def measure(argv: list[str], env: dict[str, str]) -> dict[str, float]:
    started = time.monotonic()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    code = os.waitstatus_to_exitcode(status)
    assert process.stderr is not None
    errors = process.stderr.read()
    process.stderr.close()
    if code != 0:
        raise RuntimeError(f"{argv[1:3]}: exit {code}: {errors!r}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime}


def one_round(
    postgres: _servers.Postgres, n: int, source: Path, work: Path, number: int
) -> list[dict[str, Any]]:
    script = str(Path(sys.executable).with_name("tajo-brevo"))
    found = []
    for backend in BACKENDS:
        key = f"bench-state-{backend}-{number}"
        if backend == "sqlite":
            state = str(work / f"round{number}.sync.db")
        else:
            state = postgres.create_database(f"bench_state_{number}")
        with _servers.mock_processes([key]) as (mock,):
            env = {**os.environ, "BREVO_API_KEY": key, "BREVO_BASE_URL": mock.base_url}
            argv = [script, "sync", str(source), "--state", state, "--rate-limit", "1000"]
            for step in STEPS:
                result = measure(argv, env)
                found.append({"round": number, "backend": backend, "step": step, **result})
                print(found[-1], flush=True)
    return found


def render(results: list[dict[str, Any]], n: int, rounds: int) -> str:
    machine = f"{platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}"
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Sync state: SQLite file vs PostgreSQL",
        "",
        f"Run by `python bench/bench_state.py --write` on {date}, {machine} (shared with "
        f"other jobs). {n:,} customers from a CSV file, {rounds} rounds, the backends "
        "interleaved; `tajo-brevo sync` in a child process, the mock in another, "
        "PostgreSQL on loopback (fsync off). Times are medians over the rounds; the "
        "ratio is PostgreSQL / SQLite, median (min-max over the rounds).",
        "",
        "| step | SQLite wall s | PostgreSQL wall s | wall ratio | SQLite CPU s "
        "| PostgreSQL CPU s | CPU ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    by = {(r["round"], r["backend"], r["step"]): r for r in results}
    for step in STEPS:
        cells = [step]
        for measure_ in ("wall_s", "cpu_s"):
            lite = [by[(i, "sqlite", step)][measure_] for i in range(rounds)]
            pg = [by[(i, "postgresql", step)][measure_] for i in range(rounds)]
            ratios = [p / s for p, s in zip(pg, lite, strict=True)]
            cells += [
                f"{statistics.median(lite):.2f}",
                f"{statistics.median(pg):.2f}",
                f"{statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})",
            ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--write", action="store_true", help=f"write {RESULTS.name}")
    args = parser.parse_args()
    results: list[dict[str, Any]] = []
    with (
        tempfile.TemporaryDirectory(prefix="bench-state-") as tmp,
        _servers.postgres_server() as pg,
    ):
        source = Path(tmp) / "customers.csv"
        write_csv(source, args.rows)
        for number in range(args.rounds):
            results += one_round(pg, args.rows, source, Path(tmp), number)
    text = render(results, args.rows, args.rounds)
    print(text)
    if args.write:
        RESULTS.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
