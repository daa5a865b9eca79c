"""A loyalty platform's Celery app that syncs many merchants' Brevo accounts.

Every merchant has its own Brevo account, API key and budget. The broker only ever sees a
merchant's reference; ``resolve`` (the platform's code) turns it into the key, the source
and the state inside the worker. Here the merchants are a JSON file (``FLEET_ACCOUNTS``);
a platform reads its own database and secret store instead::

    {"merchant-1": {"api_key": "...", "base_url": "https://api.brevo.com/v3",
                    "source": "/data/merchant-1.csv",
                    "state": "/var/lib/loyalty/merchant-1.sync.db",
                    "rate_limit": 10}}

``source`` may also be ``{"url": "postgresql://...", "query": "SELECT ..."}``, and
``state`` a ``postgresql://...`` URL shared by every merchant (each merchant's rows are
those of its reference; one run per merchant at a time, by an advisory lock).

Run a worker: ``celery -A fleet_app worker --pool=prefork -c 1`` (in this folder);
queue every merchant: ``celery -A fleet_app call tajo_brevo.sync_accounts``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from celery import Celery
from celery.schedules import crontab
from tajo_brevo import SqlSource
from tajo_brevo.integrations.celery import AccountSync, configure

BROKER = os.environ.get("FLEET_BROKER", "redis://127.0.0.1:6379/0")
ACCOUNTS = Path(os.environ.get("FLEET_ACCOUNTS", "accounts.json"))

app = Celery("fleet_app", broker=BROKER, backend=os.environ.get("FLEET_BACKEND", BROKER))
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    # One task at a time per worker process: an account's run is long and paced.
    worker_prefetch_multiplier=1,
    # A task whose worker vanished (the machine died) is delivered again after this many
    # seconds. Shorter than a run is safe: the second delivery finds the account's state
    # locked and waits its turn.
    broker_transport_options={
        "visibility_timeout": float(os.environ.get("FLEET_VISIBILITY_TIMEOUT", "3600")),
        # How often a worker looks for such tasks (every interval x throttle seconds;
        # kombu's defaults, 10 x 10, suit production; the tests and the demo look often).
        "unacked_restore_interval": float(os.environ.get("FLEET_RESTORE_INTERVAL", "10")),
        "unacked_restore_throttle": int(os.environ.get("FLEET_RESTORE_THROTTLE", "10")),
    },
    broker_connection_retry_on_startup=True,
    result_expires=7 * 24 * 3600,
    # Nightly, every merchant (run `celery -A fleet_app beat` beside the workers).
    beat_schedule={
        "tajo-brevo-nightly": {
            "task": "tajo_brevo.sync_accounts",
            "schedule": crontab(hour=2, minute=30),
        }
    },
)


def _accounts() -> dict[str, Any]:
    accounts: dict[str, Any] = json.loads(ACCOUNTS.read_text(encoding="utf-8"))
    return accounts


def resolve(account: str) -> AccountSync:
    """Merchant reference -> its key, source and state (KeyError: no such merchant)."""
    entry = _accounts()[account]
    source = entry["source"]
    if isinstance(source, dict):
        source = SqlSource(source["url"], source["query"])
    return AccountSync(
        api_key=entry["api_key"],
        source=source,
        state=entry["state"],
        base_url=entry.get("base_url"),
        rate_limit=entry.get("rate_limit"),
    )


configure(
    resolver=resolve,
    accounts=lambda: list(_accounts()),
    backoff=float(os.environ.get("FLEET_BACKOFF", "30")),
    busy_delay=float(os.environ.get("FLEET_BUSY_DELAY", "30")),
)
