"""Benchmark: a fleet of Brevo accounts synced by Celery workers, 1 worker process vs 2.

Every account is a ``tajo-brevo mock`` in its own process, held to 10 requests/s (a Brevo
account's general budget); every account's source is a CSV file of ``--rows`` customers.
For each number of worker processes (``--workers 1,2``): fresh mocks and states, a
throwaway Redis broker, the workers of ``examples/fleet/fleet_app.py``
(``--pool=prefork -c 1`` each), then one ``tajo_brevo.sync_account`` per account is
queued and the clock runs until the last result. Recorded: wall time, accounts per hour
(and per worker process), each run's duration, and the 429s every account met (from the
task results: each run's own client).

Run: ``.venv/bin/python bench/bench_fleet.py --write`` (``--accounts 20 --rows 50000
--rounds 3`` by default: the worker counts interleaved, round after round).
Writes ``bench/results/fleet.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
APP_DIR = ROOT / "examples" / "fleet"
RESULTS = HERE / "results" / "fleet.md"
sys.path.insert(0, str(ROOT / "tests"))  # the project's throwaway servers

import _servers  # noqa: E402
from celery import Celery  # noqa: E402

#: Seconds one configuration may take before the benchmark gives up.
TIMEOUT = 3600.0


def write_source(path: Path, account: int, rows: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("EMAIL,LOYALTY_ID,LOYALTY_POINTS,FIRSTNAME\n")
        for i in range(rows):
            out.write(f"a{account}-c{i}@example.com,A{account}-{i},{(i * 97) % 4000},Ana{i}\n")


def run_fleet(workers: int, sources: list[Path], work: Path, round_: int) -> dict[str, Any]:
    keys = [f"bench-fleet-{n}-{os.urandom(6).hex()}" for n in range(len(sources))]
    states = work / f"states-{workers}-{round_}"
    states.mkdir()
    with _servers.redis_server() as redis, _servers.mock_processes(keys, rate_limit=10) as mocks:
        accounts = {
            f"merchant-{n}": {
                "api_key": mock.api_key,
                "base_url": mock.base_url,
                "source": str(source),
                "state": str(states / f"merchant-{n}.sync.db"),
                "rate_limit": 10,
            }
            for n, (mock, source) in enumerate(zip(mocks, sources, strict=True))
        }
        (states / "accounts.json").write_text(json.dumps(accounts), encoding="utf-8")
        env = {
            **os.environ,
            "FLEET_BROKER": redis.url,
            "FLEET_ACCOUNTS": str(states / "accounts.json"),
        }
        app = Celery("bench-fleet", broker=redis.url, backend=redis.url)
        with _servers.celery_workers(
            workers,
            app_dir=APP_DIR,
            env=env,
            logs=states,
            name="bench",
            options=("--loglevel=WARNING",),
        ):
            deadline = time.monotonic() + 120
            while len(app.control.ping(timeout=1.0)) < workers:
                if time.monotonic() > deadline:
                    raise RuntimeError("the workers did not start")
            started = time.monotonic()
            pending = {
                ref: app.send_task("tajo_brevo.sync_account", args=[ref]) for ref in accounts
            }
            results = {ref: r.get(timeout=TIMEOUT) for ref, r in pending.items()}
            wall = time.monotonic() - started
    durations = [r["duration_s"] for r in results.values()]
    return {
        "round": round_,
        "workers": workers,
        "wall_s": round(wall, 1),
        "accounts_per_hour": round(len(results) / wall * 3600, 1),
        "accounts_per_hour_per_worker": round(len(results) / wall * 3600 / workers, 1),
        "run_median_s": round(statistics.median(durations), 1),
        "run_max_s": round(max(durations), 1),
        "rate_limited": sum(r["rate_limited"] for r in results.values()),
        "accounts_with_429": sum(1 for r in results.values() if r["rate_limited"]),
        "http_requests": sum(r["http_requests"] for r in results.values()),
        "all_ok": all(r["exit_code"] == 0 for r in results.values()),
    }


def render(runs: list[dict[str, Any]], args: argparse.Namespace) -> str:
    machine = f"{platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}"
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# A fleet of accounts on Celery",
        "",
        f"Run by `python bench/bench_fleet.py --write` on {date}, {machine} (a machine shared "
        "with other jobs: wall times carry their load).",
        "",
        f"{args.accounts} accounts x {args.rows:,} rows (CSV), every account a mock process "
        "held to 10 requests/s, the client at 10 requests/s; Redis broker; workers "
        "`--pool=prefork -c 1`.",
        "",
        f"Interleaved: {args.rounds} round(s), each round running every worker count in "
        f"turn ({args.workers}) on fresh mocks and states.",
        "",
        "| round | workers | wall s | accounts/hour | per worker | run median s | run max s "
        "| 429s | accounts with 429 | requests | all exit 0 |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in runs:
        lines.append(
            f"| {r['round']} | {r['workers']} | {r['wall_s']} | {r['accounts_per_hour']} | "
            f"{r['accounts_per_hour_per_worker']} | {r['run_median_s']} | {r['run_max_s']} | "
            f"{r['rate_limited']} | {r['accounts_with_429']} | {r['http_requests']} | "
            f"{r['all_ok']} |"
        )
    counts = sorted({r["workers"] for r in runs})
    if 1 in counts and len(counts) >= 2:
        most = counts[-1]
        by_round = {r["round"]: {} for r in runs}
        for r in runs:
            by_round[r["round"]][r["workers"]] = r["wall_s"]
        ratios = [w[most] / w[1] for w in by_round.values() if 1 in w and most in w]
        spread = f"{min(ratios):.2f} to {max(ratios):.2f}" if len(ratios) > 1 else "one round"
        lines += [
            "",
            f"{most} workers / 1 worker, wall time, per round: median "
            f"{statistics.median(ratios):.2f} (spread {spread}; target <= 0.6).",
        ]
    lines += [
        "",
        "This machine has 2 cores: accounts per hour per worker process is the per-core "
        "figure (each worker process uses one core at most; the mocks run beside them). "
        "Not measured here: workers on several machines, accounts whose budget is not "
        "10 requests/s, sources in PostgreSQL, re-syncs of unchanged accounts.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--workers", default="1,2", help="worker counts, comma-separated")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--write", action="store_true", help=f"write {RESULTS.name}")
    args = parser.parse_args()
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as tmp:
        work = Path(tmp)
        sources = []
        for n in range(args.accounts):
            path = work / f"merchant-{n}.csv"
            write_source(path, n, args.rows)
            sources.append(path)
        for round_ in range(1, args.rounds + 1):
            for count in (int(w) for w in args.workers.split(",")):
                run = run_fleet(count, sources, work, round_)
                print(json.dumps(run), flush=True)
                runs.append(run)
    text = render(runs, args)
    print(text)
    if args.write:
        RESULTS.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
