"""Many Brevo accounts synced by Celery workers: one task syncs one account.

The task carries an account *reference* (the platform's own id of a merchant), never an
API key: the broker, the result backend and the worker logs only see the reference. A
resolver that the platform supplies, set once per worker process with :func:`configure`,
turns the reference into what one run needs (:class:`AccountSync`: the account's API key,
its source and its state), inside the worker, when the task runs.

- **Lost workers**: the task is ``acks_late`` with ``reject_on_worker_lost``, so a task
  whose worker dies is delivered again. A run killed mid-way is finished by the next run
  of that account (the state's in-flight chunks), like a killed ``tajo-brevo sync``.
- **One run per account**: the state's lock (an ``flock`` on ``<state>.lock``, or for a
  state in PostgreSQL an advisory lock on the account's scope) admits one run at a time; a
  task that finds it held is retried later (:attr:`Settings.busy_delay`), never failed,
  and never runs beside the other.
- **Retries**: Brevo unreachable, 5xx or 429 (after the client's own retries), the
  source's database unreachable and an ``OSError`` from the resolver are retried with
  exponential backoff and jitter; a
  configuration error (the resolver refuses the reference, a refused key, a bad source or
  state) fails at once, with the reason, without retry.
- **Budgets**: every run builds its own client with the account's key and rate limit, so
  every account is paced to its own budget and one account never waits on another's.
- **Results**: the run's report summary (counts, requests, writes, duration): never a key.

Importing this module registers the tasks with Celery's current app (``shared_task``):
import it where the app is defined. Needs ``tajo-brevo[celery]``.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

try:
    from celery import shared_task
    from celery.utils.log import get_task_logger
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "tajo_brevo.integrations.celery needs the celery extra: pip install 'tajo-brevo[celery]'"
    ) from exc

from .._client import TajoBrevo
from ..errors import (
    APIConnectionError,
    BrevoError,
    RateLimitError,
    ServerError,
    SourceUnavailableError,
    StateBusyError,
    StateUnavailableError,
)
from ..sync import SqlSource, SyncState
from ..sync._state_postgres import is_state_url

__all__ = [
    "SYNC_ACCOUNTS_TASK",
    "SYNC_ACCOUNT_TASK",
    "AccountResolver",
    "AccountSync",
    "AccountSyncError",
    "Settings",
    "configure",
    "sync_account",
    "sync_accounts",
]

#: The task that syncs one account: ``sync_account.delay("merchant-42")``.
SYNC_ACCOUNT_TASK = "tajo_brevo.sync_account"
#: The task that queues one :data:`SYNC_ACCOUNT_TASK` per account (for a beat schedule).
SYNC_ACCOUNTS_TASK = "tajo_brevo.sync_accounts"
#: What a run that stops on these is: worth another try later (Brevo's side).
_TRANSIENT = (
    APIConnectionError,
    ServerError,
    RateLimitError,
    SourceUnavailableError,
    StateUnavailableError,
)
logger = get_task_logger(__name__)
#: Longest reason kept in a result or a log line.
_MAX_REASON = 500


@dataclass(frozen=True)
class AccountSync:
    """What one account's run needs; the resolver returns it.

    Attributes:
        api_key: the account's Brevo API key (never leaves the worker process).
        source: what ``sync_customers`` takes: a file path, a
            :class:`~tajo_brevo.SqlSource` (closed after the run) or rows.
        state: the account's state file (one per account; the lock lives beside it), or
            a PostgreSQL URL (``postgresql://user@host/db``) shared by every account: the
            account's rows are those of its reference and ``program``.
        program: the program (folder and list names).
        base_url: the API's base URL (default: Brevo's).
        rate_limit: the account's budget in requests per second (default: the client's).
        options: more ``sync_customers`` keywords (``mode``, ``mapping``, ``verify``...).
        client: more ``TajoBrevo`` keywords (``max_retries``, ``timeout``...).
    """

    api_key: str = field(repr=False)
    source: Any
    state: str | os.PathLike[str]
    program: str = "Tajo Loyalty"
    base_url: str | None = None
    rate_limit: float | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    client: Mapping[str, Any] = field(default_factory=dict)


class AccountResolver(Protocol):
    """The platform's function: account reference -> :class:`AccountSync`.

    Raise any exception to refuse a reference (an unknown merchant, a missing key): the
    task fails without retry. Raise an ``OSError`` (``ConnectionError``, ``TimeoutError``)
    when the platform's own store is unreachable: the task is retried with backoff, as
    when a :class:`~tajo_brevo.SqlSource` it opens can't connect
    (:class:`~tajo_brevo.SourceUnavailableError`).
    """

    def __call__(self, account: str, /) -> AccountSync: ...


class AccountSyncError(Exception):
    """A run that failed: the account, the cause and what follows; never a key."""


@dataclass
class Settings:
    """How the tasks run in this worker process (see :func:`configure`).

    Attributes:
        resolver: the platform's :class:`AccountResolver`.
        accounts: every account reference, for :data:`SYNC_ACCOUNTS_TASK`.
        max_retries: retries of a run stopped by a transient error.
        backoff: seconds before the first such retry; doubled each time, with jitter.
        backoff_max: the longest wait between two retries.
        busy_delay: seconds before trying again when another run holds the state.
        busy_retries: how many times to try again while another run holds the state.
    """

    resolver: AccountResolver | None = None
    accounts: Callable[[], Iterable[str]] | None = None
    max_retries: int = 5
    backoff: float = 30.0
    backoff_max: float = 900.0
    busy_delay: float = 30.0
    busy_retries: int = 240


_settings = Settings()


def configure(
    *,
    resolver: AccountResolver,
    accounts: Callable[[], Iterable[str]] | None = None,
    max_retries: int = 5,
    backoff: float = 30.0,
    backoff_max: float = 900.0,
    busy_delay: float = 30.0,
    busy_retries: int = 240,
) -> Settings:
    """Set the resolver (and retry policy) for this process; call it where the app is built.

    Raises:
        TypeError: the resolver or ``accounts`` is not callable.
        ValueError: a negative count or delay.
    """
    global _settings
    if not callable(resolver):
        raise TypeError(f"resolver must be callable, got {type(resolver).__name__}")
    if accounts is not None and not callable(accounts):
        raise TypeError(f"accounts must be callable, got {type(accounts).__name__}")
    numbers = {
        "max_retries": max_retries,
        "backoff": backoff,
        "backoff_max": backoff_max,
        "busy_delay": busy_delay,
        "busy_retries": busy_retries,
    }
    bad = [name for name, value in numbers.items() if value < 0]
    if bad:
        raise ValueError(f"{', '.join(bad)}: must be >= 0")
    _settings = Settings(
        resolver, accounts, max_retries, backoff, backoff_max, busy_delay, busy_retries
    )
    return _settings


def _describe(exc: BaseException, key: str | None) -> str:
    """One line about an exception, with the key (should it appear) replaced by ***."""
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    if key:
        text = text.replace(key, "***")
    return text[:_MAX_REASON]


def _retry(task: Any, reason: str, *, busy: bool) -> Exception:
    """Celery's Retry for this run (or the final error once the retries are used up)."""
    settings = _settings
    if busy:
        countdown, limit = settings.busy_delay, settings.busy_retries
    else:
        tries = int(task.request.retries or 0)
        countdown = min(settings.backoff_max, settings.backoff * 2**tries)
        countdown *= random.uniform(0.5, 1.0)  # jitter, not a secret
        limit = settings.max_retries
    error: Exception = task.retry(
        exc=AccountSyncError(reason), countdown=countdown, max_retries=limit
    )
    return error


def _resolve(task: Any, account: object) -> AccountSync:
    if not isinstance(account, str) or not account.strip():
        raise AccountSyncError(
            "the task takes an account reference (a non-empty string), "
            f"got {type(account).__name__}"
        )
    resolver = _settings.resolver
    if resolver is None:
        raise AccountSyncError(
            "no resolver in this worker: call tajo_brevo.integrations.celery.configure("
            "resolver=...) where the Celery app is defined"
        )
    try:
        config = resolver(account)
    except (OSError, SourceUnavailableError) as exc:
        raise _retry(
            task,
            f"account {account}: the resolver could not reach its store: {_describe(exc, None)}",
            busy=False,
        ) from None
    except Exception as exc:
        raise AccountSyncError(
            f"account {account}: the resolver refused it: {_describe(exc, None)} (not retried)"
        ) from None
    if not isinstance(config, AccountSync):
        raise AccountSyncError(
            f"account {account}: the resolver returned {type(config).__name__}, "
            "expected AccountSync (not retried)"
        )
    if not isinstance(config.api_key, str) or not config.api_key.strip():
        raise AccountSyncError(f"account {account}: the resolver gave no API key (not retried)")
    return config


def run_account(task: Any, account: str) -> dict[str, Any]:
    """The body of :data:`SYNC_ACCOUNT_TASK` (``task``: the bound Celery task)."""
    config = _resolve(task, account)
    key = config.api_key
    client_options: dict[str, Any] = {**config.client, "api_key": key}
    if config.base_url is not None:
        client_options["base_url"] = config.base_url
    if config.rate_limit is not None:
        client_options["rate_limit"] = config.rate_limit
    try:
        # Opened here, not by the sync, so that the log says when this worker held the
        # account (the lock is the one-run-per-account guarantee).
        if is_state_url(config.state):
            state = SyncState(config.state, account=account, program=config.program)
        else:
            state = SyncState(config.state)
    except StateBusyError as exc:
        if isinstance(config.source, SqlSource):
            config.source.close()
        raise _retry(
            task,
            f"account {account}: another run holds its state: {_describe(exc, key)}",
            busy=True,
        ) from None
    except StateUnavailableError as exc:
        if isinstance(config.source, SqlSource):
            config.source.close()
        raise _retry(
            task, f"account {account}: its state is out of reach: {_describe(exc, key)}", busy=False
        ) from None
    except BrevoError as exc:
        if isinstance(config.source, SqlSource):
            config.source.close()
        raise AccountSyncError(f"account {account}: {_describe(exc, key)} (not retried)") from None
    locked = time.time()
    logger.info("account %s: state locked by pid %d at %.6f", account, os.getpid(), locked)
    released = locked
    try:
        with state:
            try:
                with TajoBrevo(**client_options) as client:
                    report = client.sync_customers(
                        config.source, state=state, program=config.program, **config.options
                    )
                    stats = client.stats
            finally:
                # Still held: the interval logged lies inside the lock's, so intervals of
                # one account that overlap in the logs overlapped for real.
                released = time.time()
    except _TRANSIENT as exc:
        raise _retry(
            task, f"account {account}: stopped, will resume: {_describe(exc, key)}", busy=False
        ) from None
    except BrevoError as exc:
        raise AccountSyncError(f"account {account}: {_describe(exc, key)} (not retried)") from None
    finally:
        if isinstance(config.source, SqlSource):
            config.source.close()
        logger.info(
            "account %s: state released by pid %d at %.6f (held %.3f s)",
            account,
            os.getpid(),
            released,
            released - locked,
        )
    summary: dict[str, Any] = {
        "account": account,
        "worker_pid": os.getpid(),
        "locked_at": locked,
        "released_at": released,
        "exit_code": report.exit_code,
        # What the account's budget cost: every request sent (retries included), and
        # the 429s among them (0 when the pacing matches the account's budget).
        "http_requests": stats.requests,
        "rate_limited": stats.rate_limited,
        **report.summary(),
    }
    return summary


def _sync_account(self: Any, account: str) -> dict[str, Any]:
    return run_account(self, account)


def _sync_accounts() -> list[str]:
    accounts = _settings.accounts
    if accounts is None:
        raise AccountSyncError(
            "no account list in this worker: configure(resolver=..., accounts=...)"
        )
    queued = [str(ref) for ref in accounts()]
    for ref in queued:
        sync_account.delay(ref)
    return queued


#: Sync one account: ``sync_account.delay("merchant-42")``; returns the report summary.
sync_account: Any = shared_task(
    name=SYNC_ACCOUNT_TASK,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    # The state holds what a run needs to resume: a lost run is simply run again.
    acks_on_failure_or_timeout=True,
)(_sync_account)

#: Queue one sync per account of ``configure(accounts=...)`` (e.g. nightly, from beat).
sync_accounts: Any = shared_task(name=SYNC_ACCOUNTS_TASK)(_sync_accounts)
