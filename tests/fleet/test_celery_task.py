"""The Celery task's decisions, run in-process against a served mock (no broker): what is
retried (and after how long), what fails at once, what the result holds. The fleet test
(test_fleet_celery.py) runs the same task on real workers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("celery")

from tajo_brevo.integrations import celery as fleet
from tajo_brevo.mock import BrevoMock
from tajo_brevo.sync import SyncState

KEY = "merchant-key-0123456789abcdef"


class Retried(Exception):
    """What the fake task's retry returns (Celery's is ``Retry``)."""

    def __init__(self, exc: BaseException, countdown: float, max_retries: int) -> None:
        super().__init__(str(exc))
        self.exc, self.countdown, self.max_retries = exc, countdown, max_retries


class FakeTask:
    """The bound task, as far as the task body uses it."""

    class request:  # Celery's attribute name
        retries = 2

    def retry(self, *, exc: BaseException, countdown: float, max_retries: int) -> Exception:
        return Retried(exc, countdown, max_retries)


@pytest.fixture
def served() -> Iterator[tuple[BrevoMock, str]]:
    mock = BrevoMock(api_keys=[KEY])
    with mock.serve() as server:
        yield mock, server.base_url


def configure(resolver: Any) -> None:
    fleet.configure(resolver=resolver, backoff=4.0, backoff_max=100.0, busy_delay=7.0)


def account(base_url: str, tmp_path: Path, **changes: Any) -> fleet.AccountSync:
    source = tmp_path / "customers.csv"
    source.write_text("EMAIL,LOYALTY_ID,LOYALTY_POINTS\na@example.com,L1,1200\n", "utf-8")
    settings: dict[str, Any] = {
        "api_key": KEY,
        "source": str(source),
        "state": str(tmp_path / "state.db"),
        "base_url": base_url,
        "rate_limit": 1000,
        "client": {"max_retries": 0},
    }
    settings.update(changes)
    return fleet.AccountSync(**settings)


def test_a_run_returns_the_report_summary_without_the_key(
    served: tuple[BrevoMock, str], tmp_path: Path
) -> None:
    mock, base_url = served
    configure(lambda ref: account(base_url, tmp_path))
    result = fleet.run_account(FakeTask(), "m-1")
    assert result["account"] == "m-1" and result["exit_code"] == 0
    assert result["counts"] == {"created": 1} or result["counts"] == {"applied": 1}
    assert mock.contact("a@example.com").attributes["LOYALTY_POINTS"] == 1200
    assert KEY not in repr(result) and KEY not in repr(account(base_url, tmp_path))


def test_a_state_held_by_another_run_is_retried_after_busy_delay(
    served: tuple[BrevoMock, str], tmp_path: Path, state_location: str
) -> None:
    _, base_url = served
    configure(lambda ref: account(base_url, tmp_path, state=state_location))
    # A PostgreSQL state: the scope of the account's reference and program is held.
    scope = {"account": "m-1", "program": "Tajo Loyalty"} if "://" in state_location else {}
    with SyncState(state_location, **scope), pytest.raises(Retried) as info:
        fleet.run_account(FakeTask(), "m-1")
    assert info.value.countdown == 7.0 and info.value.max_retries == 240
    assert "another run holds its state" in str(info.value.exc)
    # Released: the next try runs.
    assert fleet.run_account(FakeTask(), "m-1")["exit_code"] == 0


def test_brevo_unavailable_is_retried_with_backoff(
    served: tuple[BrevoMock, str], tmp_path: Path
) -> None:
    mock, base_url = served
    mock.set_faults(["status=503"])
    configure(lambda ref: account(base_url, tmp_path))
    with pytest.raises(Retried) as info:
        fleet.run_account(FakeTask(), "m-1")
    # Third try (request.retries == 2): 4 s x 2**2, with jitter in [0.5, 1].
    assert 8.0 <= info.value.countdown <= 16.0 and info.value.max_retries == 5
    assert "will resume" in str(info.value.exc) and KEY not in str(info.value.exc)


def database_down() -> Any:
    pytest.importorskip("sqlalchemy")
    from tajo_brevo import SqlSource

    return SqlSource("sqlite:////nonexistent/dir/shop.db", "SELECT 1 AS email")


def test_a_state_database_out_of_reach_is_retried_with_backoff(tmp_path: Path) -> None:
    state = "postgresql://tajo@127.0.0.1:1/loyalty"  # nothing listens on port 1
    configure(lambda ref: account("http://127.0.0.1:1/v3", tmp_path, state=state))
    with pytest.raises(Retried, match="state is out of reach") as info:
        fleet.run_account(FakeTask(), "m-1")
    assert info.value.max_retries == 5  # the backoff policy, not the busy one


def test_the_resolver_unreachable_is_retried_refused_is_not(tmp_path: Path) -> None:
    def unreachable(ref: str) -> fleet.AccountSync:
        raise ConnectionRefusedError("secrets store down")

    configure(unreachable)
    with pytest.raises(Retried):
        fleet.run_account(FakeTask(), "m-1")

    def unknown(ref: str) -> fleet.AccountSync:
        raise KeyError(ref)

    configure(lambda ref: account("http://127.0.0.1:1/v3", tmp_path, source=database_down()))
    with pytest.raises(Retried, match="cannot connect"):
        fleet.run_account(FakeTask(), "m-1")

    configure(unknown)
    with pytest.raises(fleet.AccountSyncError, match=r"resolver refused it.*not retried"):
        fleet.run_account(FakeTask(), "m-1")
    configure(lambda ref: "not a config")
    with pytest.raises(fleet.AccountSyncError, match="expected AccountSync"):
        fleet.run_account(FakeTask(), "m-1")


def test_a_database_that_refuses_the_url_fails_without_retry(
    tmp_path: Path, postgres_url: str
) -> None:
    # The server is up but has no such database: trying again later changes nothing.
    pytest.importorskip("sqlalchemy")
    from tajo_brevo import SqlSource

    missing = postgres_url.rsplit("/", 1)[0] + "/no_such_db"
    configure(
        lambda ref: account(
            "http://127.0.0.1:1/v3", tmp_path, source=SqlSource(missing, "SELECT 1 AS email")
        )
    )
    with pytest.raises(fleet.AccountSyncError, match=r"refused the connection.*not retried"):
        fleet.run_account(FakeTask(), "m-1")


def test_a_refused_key_fails_without_retry_and_without_the_key(
    served: tuple[BrevoMock, str], tmp_path: Path
) -> None:
    _, base_url = served
    wrong = "wrong-key-fedcba9876543210"
    configure(lambda ref: account(base_url, tmp_path, api_key=wrong))
    with pytest.raises(fleet.AccountSyncError, match="not retried") as info:
        fleet.run_account(FakeTask(), "m-1")
    assert wrong not in str(info.value)


def test_a_task_without_an_account_reference_fails_clearly() -> None:
    with pytest.raises(fleet.AccountSyncError, match="account reference"):
        fleet.run_account(FakeTask(), "")  # type: ignore[arg-type]


def test_the_task_is_registered_acks_late_and_requeued_when_its_worker_is_lost() -> None:
    task = fleet.sync_account
    assert task.name == "tajo_brevo.sync_account"
    assert task.acks_late is True and task.reject_on_worker_lost is True


def test_sync_accounts_queues_one_sync_per_account(monkeypatch: pytest.MonkeyPatch) -> None:
    queued: list[str] = []
    monkeypatch.setattr(fleet.sync_account, "delay", queued.append)
    fleet.configure(resolver=lambda ref: None, accounts=lambda: ["m-1", "m-2", "m-3"])
    assert fleet.sync_accounts.apply().get() == ["m-1", "m-2", "m-3"]
    assert queued == ["m-1", "m-2", "m-3"]
