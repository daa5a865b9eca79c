"""A sync killed at any point, or run through faults, still ends with Brevo equal to the source.

The mock runs in its own process (``tajo-brevo mock``) and the sync in another
(``tajo-brevo sync``), killed with SIGKILL at named points of the engine (the failpoint
variable): before an import is sent, after Brevo queued it but before the process id was
saved, after it was saved, after the first chunk was confirmed, and after the first unlink;
and, with few rows (per-contact upserts), after a create and after an update.
The run is then repeated without the failpoint, and the mock's contacts and list
memberships are compared with the source.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import _servers
import httpx
import pytest
from _account_view import read_back
from tajo_brevo import TajoBrevo
from tajo_brevo.mock import BrevoMock, Fault
from tajo_brevo.sync._failpoints import FAILPOINT_ENV

KEY = "durability-test-key"
PROGRAM = "Kill Test"
HEADER = "EMAIL,LOYALTY_ID,LOYALTY_POINTS,FIRSTNAME,FAVORITE_CATEGORIES"
N = 240


def rows(version: int, n: int = N) -> list[str]:
    """Version 1, then versions that move a third of the customers to another tier,
    rename some and empty a list attribute of others (each version differs from the last).
    """
    out = []
    for i in range(n):
        points = (i * 37) % 3000
        name = f"Ana{i}"
        favorites = '"Home,Books"'
        if version > 1:
            if i % 3 == version % 3:
                points = (points + 1300 * version) % 3200  # mostly another tier
            if i % 6 == version % 6:
                name = f"Renamed{version}-{i}"
            if i % 12 == (5 + version) % 12:
                favorites = ""
        out.append(f"c{i}@example.com,L{i},{points},{name},{favorites}")
    return out


def write(path: Path, version: int, n: int = N) -> Path:
    path.write_text(HEADER + "\n" + "\n".join(rows(version, n)) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def mock_server() -> Iterator[str]:
    """``tajo-brevo mock`` in its own process; yields its base URL."""
    with _servers.mock_processes([KEY]) as [mock]:
        yield mock.base_url


def run_cli(
    base_url: str, *args: str, failpoint: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, BREVO_API_KEY=KEY, BREVO_BASE_URL=base_url)
    env.pop(FAILPOINT_ENV, None)
    if failpoint:
        env[FAILPOINT_ENV] = failpoint
    return subprocess.run(
        [sys.executable, "-m", "tajo_brevo.cli", "sync", *args, "--program", PROGRAM, "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )


def assert_account_equals(base_url: str, source: Path) -> None:
    """Every row's values and tier lists in the mock are the source's; nothing else listed."""
    back = read_back(KEY, base_url, PROGRAM, source)
    assert back.invalid == 0
    assert back.problems == []
    tier_ids = set(back.program.tier_lists.values())
    for email, contact in back.contacts.items():
        in_tiers = tier_ids & set(contact.get("listIds") or [])
        assert len(in_tiers) == 1, (email, in_tiers)


#: Where a run dies: before an import is sent, after Brevo queued it but before the process
#: id was saved, after it was saved, after the first chunk was confirmed, after an unlink.
POINTS = ["import:recorded", "import:sent", "import:queued", "import:confirmed", "unlink:sent"]


def test_a_sync_killed_at_any_point_finishes_on_the_next_run(
    mock_server: str, state_location: str, tmp_path: Path
) -> None:
    # The state in an SQLite file, then in PostgreSQL (as a fleet keeps it): each kill
    # leaves its in-flight chunk and its lock to the next run either way.
    state = state_location
    first = run_cli(mock_server, str(write(tmp_path / "v1.csv", 1)), "--state", state)
    assert first.returncode == 0, first.stderr
    for version, point in enumerate(POINTS, start=2):
        source = write(tmp_path / f"v{version}.csv", version)
        killed = run_cli(mock_server, str(source), "--state", state, failpoint=point)
        assert killed.returncode == -signal.SIGKILL, (point, killed.returncode, killed.stderr)
        again = run_cli(mock_server, str(source), "--state", state)
        assert again.returncode == 0, (point, again.stdout + again.stderr)
        assert_account_equals(mock_server, source)
    # And once more: nothing left to send.
    last = run_cli(mock_server, str(source), "--state", state)
    assert last.returncode == 0
    assert '"writes": 0' in last.stdout


def test_a_first_sync_killed_after_queueing_is_confirmed_by_the_next(
    mock_server: str, tmp_path: Path, state_location: str
) -> None:
    # The state in an SQLite file, then in PostgreSQL: the killed run's advisory lock is
    # gone with its connection, its in-flight chunk waits in the database.
    state = state_location
    source = write(tmp_path / "v1.csv", 1)
    killed = run_cli(mock_server, str(source), "--state", state, failpoint="import:queued")
    assert killed.returncode == -signal.SIGKILL
    again = run_cli(mock_server, str(source), "--state", state)
    assert again.returncode == 0, again.stdout + again.stderr
    assert '"confirmed_rows"' in again.stdout
    assert_account_equals(mock_server, source)


#: Per-contact path: few rows (under the import threshold of 50), so every change is a PUT
#: (its tier move unlinks the other tier lists in the same request, ``unlinkListIds``) or,
#: for a new contact, a POST after the PUT's 404. Killed after the first create, after a
#: later one, after the first update and after the eighth (other updates in flight).
SMALL = 30
SMALL_POINTS = ["upsert:created", "upsert:created#12", "upsert:sent", "upsert:sent#8"]


def test_a_sync_killed_on_the_per_contact_path_finishes_on_the_next_run(
    mock_server: str, tmp_path: Path
) -> None:
    def kill_and_rerun(source: Path, state: str, point: str) -> None:
        killed = run_cli(mock_server, str(source), "--state", state, failpoint=point)
        assert killed.returncode == -signal.SIGKILL, (point, killed.returncode, killed.stderr)
        again = run_cli(mock_server, str(source), "--state", state)
        assert again.returncode == 0, (point, again.stdout + again.stderr)
        assert "importContacts" not in again.stdout  # still the per-contact path
        assert_account_equals(mock_server, source)

    # First syncs (creates), of two sets of emails: killed after the first create, and
    # after the twelfth (others in flight).
    state = str(tmp_path / "state.db")
    kill_and_rerun(write(tmp_path / "small1.csv", 1, SMALL), state, SMALL_POINTS[0])
    other = tmp_path / "other1.csv"
    text = write(other, 1, SMALL).read_text(encoding="utf-8")
    other.write_text(text.replace("@example.com", "@two.example.com"), encoding="utf-8")
    kill_and_rerun(other, str(tmp_path / "other.db"), SMALL_POINTS[1])
    # Then updates that move tiers, rename and empty a list attribute.
    for version, point in ((2, SMALL_POINTS[2]), (3, SMALL_POINTS[3])):
        source = write(tmp_path / f"small{version}.csv", version, SMALL)
        kill_and_rerun(source, state, point)
    last = run_cli(mock_server, str(source), "--state", state)
    assert last.returncode == 0
    assert '"writes": 0' in last.stdout


# -- faults --------------------------------------------------------------------------------


def test_every_row_is_accounted_for_through_faults_and_a_clean_run_converges(
    tmp_path: Path,
) -> None:
    options: dict[str, Any] = {"api_key": KEY, "base_url": "http://127.0.0.1/v3"}
    state = tmp_path / "state.db"
    faults = (
        Fault("status", probability=0.15, status=503),
        Fault("drop", probability=0.1),
        Fault("latency", probability=0.2, seconds=0.01),
    )
    mock = BrevoMock(api_keys=[KEY], faults=faults, rate_limit=40, seed=3)
    # Faults off for the first sync (provisioning creates lists: never retried on a 5xx,
    # since a repeat could duplicate), on for the next two, off for the last.
    mock.set_faults(())
    with TajoBrevo(**options, http_client=httpx.Client(transport=mock.transport())) as brevo:
        first = brevo.sync_customers(write(tmp_path / "v1.csv", 1), state=state, program=PROGRAM)
        assert first.exit_code == 0
    mock.set_faults(faults, seed=3)
    faulty = mock
    # Another client of the same account eats the rate budget: 429 storms for the sync.
    stop = threading.Event()

    def hog() -> None:
        with faulty.client() as http:
            for _ in range(10_000):  # bounded; stopped when the runs end
                if stop.is_set():
                    return
                # A burst until the mock answers 429 (the window's budget is gone), at most
                # 60: a fixed 45 could spread over two windows on a busy machine and never
                # reach the limit, an unbounded one would starve the sync's retries.
                for _ in range(60):
                    try:
                        if http.get("/contacts/attributes").status_code == 429:
                            break
                    except httpx.HTTPError:  # the faults hit it too
                        pass
                stop.wait(1.5)

    hogger = threading.Thread(target=hog, daemon=True)
    hogger.start()
    try:
        with TajoBrevo(
            **options,
            rate_limit=400,
            # Five kinds of trouble at once (503s, drops, latency, 429 storms): enough
            # retries that a request outlives them, as the run must to account for every row.
            max_retries=8,
            http_client=httpx.Client(transport=faulty.transport()),
        ) as brevo:
            for version in (2, 3):
                report = brevo.sync_customers(
                    write(tmp_path / f"v{version}.csv", version),
                    state=state,
                    program=PROGRAM,
                    keep_outcomes=True,
                    poll_interval=0.01,
                )
                assert report.outcomes is not None
                # Every row has exactly one outcome, whatever happened on the way.
                assert sorted(o.index for o in report.outcomes) == list(range(N))
                assert {o.status for o in report.outcomes} <= {
                    "applied",
                    "updated",
                    "created",
                    "unchanged",
                    "failed",
                }
            answered = {r.status for r in faulty.requests}
            assert {503, 429, None} <= answered  # the faults did happen (None: dropped)
            assert brevo.stats.retries > 0
    finally:
        stop.set()
        hogger.join(timeout=30)
    source = tmp_path / "v3.csv"
    mock.set_faults(())
    with TajoBrevo(**options, http_client=httpx.Client(transport=mock.transport())) as brevo:
        final = brevo.sync_customers(source, state=state, program=PROGRAM, poll_interval=0.01)
        assert final.exit_code == 0, final.problems[:5]
    with mock.serve() as server:
        assert_account_equals(server.base_url, source)
