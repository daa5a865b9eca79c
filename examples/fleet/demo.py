"""The fleet on one machine: Redis, a mock Brevo account per merchant, two Celery workers.

``make fleet-demo`` runs this: it starts a throwaway Redis and a ``tajo-brevo mock`` with
one account per merchant (each held to 10 requests/s, like a real account), writes each merchant's
customers and the platform's account file, starts two workers of ``fleet_app``, queues one
sync per merchant, prints each result and stops everything. Nothing outlives it.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "tests"))  # the project's throwaway servers

import _servers  # noqa: E402
from celery import Celery  # noqa: E402

MERCHANTS = 4
CUSTOMERS = 300
WORKERS = 2


def main() -> int:
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="fleet-demo-")))
        redis = stack.enter_context(_servers.redis_server())
        keys = [f"demo-key-{n}-{os.urandom(8).hex()}" for n in range(MERCHANTS)]
        mocks = stack.enter_context(_servers.mock_accounts(keys, rate_limit=10))
        accounts = {}
        for n, mock in enumerate(mocks):
            source = tmp / f"merchant-{n}.csv"
            lines = ["EMAIL,LOYALTY_ID,LOYALTY_POINTS,FIRSTNAME"] + [
                f"m{n}-c{i}@example.com,M{n}-{i},{(i * 131) % 3000},Ana{i}"
                for i in range(CUSTOMERS)
            ]
            source.write_text("\n".join(lines) + "\n", encoding="utf-8")
            accounts[f"merchant-{n}"] = {
                "api_key": mock.api_key,
                "base_url": mock.base_url,
                "source": str(source),
                "state": str(tmp / f"merchant-{n}.sync.db"),
                "rate_limit": 10,
            }
        (tmp / "accounts.json").write_text(json.dumps(accounts), encoding="utf-8")
        env = {
            **os.environ,
            "FLEET_BROKER": redis.url,
            "FLEET_ACCOUNTS": str(tmp / "accounts.json"),
        }
        # The workers log to files (their banners and warnings would bury the results);
        # when a run fails, the end of each log is printed before the error.
        logs = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="fleet-demo-logs-")))
        stack.enter_context(
            _servers.celery_workers(
                WORKERS, app_dir=HERE, env=env, logs=logs, name="demo", options=("--loglevel=INFO",)
            )
        )
        app = Celery("fleet-demo", broker=redis.url, backend=redis.url)
        print(f"{MERCHANTS} merchants x {CUSTOMERS} customers, {WORKERS} workers, 10 req/s each")
        started = time.monotonic()
        results = {ref: app.send_task("tajo_brevo.sync_account", args=[ref]) for ref in accounts}
        try:
            for ref, result in results.items():
                summary = result.get(timeout=300)
                counts = ", ".join(f"{k} {v}" for k, v in summary["counts"].items())
                print(
                    f"  {ref}: {counts}; {summary['writes']} writes in "
                    f"{summary['duration_s']:.1f} s (worker pid {summary['worker_pid']})"
                )
        except Exception:
            for log in sorted(logs.glob("worker*.log")):
                tail = log.read_text(errors="replace").splitlines()[-20:]
                print(f"--- the end of {log.name}:", *tail, sep="\n", file=sys.stderr)
            raise
        print(f"done in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
