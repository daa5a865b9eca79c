"""The sync state's behaviour, the same on both backends (an SQLite file, PostgreSQL).

Every test takes ``state_location`` (tests/conftest.py): a fresh SQLite path, then a fresh
PostgreSQL database on the session's throwaway server. A PostgreSQL state holds many
(account, program) scopes: :func:`opened` names one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from tajo_brevo import StateBusyError, StateError, StateUnavailableError
from tajo_brevo.sync import SyncState
from tajo_brevo.sync._state import Confirmed, Member
from tajo_brevo.sync._state_postgres import is_state_url

ACCOUNT = "acct-1"
PROGRAM = "Tajo"


def opened(location: str, **options: Any) -> SyncState:
    """The state at ``location`` (a PostgreSQL one: the scope of ACCOUNT and PROGRAM)."""
    if is_state_url(location):
        options.setdefault("account", ACCOUNT)
        options.setdefault("program", PROGRAM)
    return SyncState(location, **options)


def contacts_of(state: SyncState, keys: list[str]) -> dict[str, tuple[Any, ...]]:
    return {k: (c.digest, c.tier, c.lists, c.run, c.raw) for k, c in state.lookup(keys).items()}


def test_state_round_trip(state_location: str) -> None:
    with opened(state_location) as state:
        run = state.start_run("in.csv", "upsert")
        assert run == 1
        state.confirm(
            [Confirmed(f"c{n}@example.com", b"0" * 16, "Gold", (1, 4)) for n in range(3)], run
        )
        state.finish_run(run, "ok", {"counts": {"applied": 3}})
        assert state.count() == 3
    with opened(state_location) as state:
        known = state.lookup(["c0@example.com", "nobody@example.com"])
        assert list(known) == ["c0@example.com"]
        assert known["c0@example.com"].lists == (1, 4)
        assert known["c0@example.com"].digest == b"0" * 16
        [entry] = state.history()
        assert entry.status == "ok" and entry.summary["counts"] == {"applied": 3}
        assert state.start_run("in.csv", "upsert") == 2


def test_a_state_is_bound_to_one_account_and_program(state_location: str) -> None:
    with opened(state_location) as state:
        state.bind(base_url="http://127.0.0.1:1/v3", program="Tajo")
        state.bind(base_url="http://127.0.0.1:1/v3", program="Tajo")
        with pytest.raises(StateError, match="belongs to another sync"):
            state.bind(base_url="http://127.0.0.1:1/v3", program="Other")


def test_meta_attributes_consent_and_loyalty_ids(state_location: str) -> None:
    with opened(state_location) as state:
        assert state.meta("x") is None
        state.set_meta("x", "1")
        state.set_meta("x", "2")
        assert state.meta("x") == "2"
        state.remember_account({"lists": 3})
        state.remember_account({"lists": 4})
        assert state.account_memory() == {"lists": 4}
        ids = state.attribute_ids(["B", "A"])
        assert sorted(ids.values()) == [1, 2] and state.attribute_ids(["A", "C"])["A"] == ids["A"]
        state.reset_attributes(["C", "D"], 7)
        table = state.attribute_table()
        assert sorted(table.values()) == [("A", 0), ("B", 0), ("C", 7), ("D", 7)]
        assert not state.has_consent()
        state.set_consent([("a", True, False), ("b", False, True)])
        state.set_consent([("a", True, True), ("b", False, False)])
        assert state.consent(["a", "b"]) == {"a": (True, True)} and state.has_consent()
        state.remember_ids([("L1", "a"), ("L2", "b")])
        state.confirm([Confirmed("a", b"1" * 16, "Gold", (1,))], 1)
        # Brevo changed a's email to a2 (a chunk with no rows left to settle).
        state.settle(0, [Confirmed("a2", b"1" * 16, "Gold", (1,))], 1, renamed=[("a", "a2", "L1")])
        assert state.keys_for_ids(["L1", "L2", "L3"]) == {"L1": "a2", "L2": "b"}
        assert state.lookup(["a"]) == {}
        state.remember_program(1, {"Gold": 4})
        stored = state.stored_program()
        assert stored is not None and stored.all_customers == 1


def test_an_abandoned_chunk_forces_a_resend_and_a_list_check(state_location: str) -> None:
    with opened(state_location) as state:
        state.confirm([Confirmed("a@example.com", b"1" * 16, "Silver", (1, 3))], 1)
        chunk = state.record_chunk(
            2,
            "import",
            (1, 4),
            [
                Member("a@example.com", "a@example.com", b"2" * 16, "Gold", 0),
                Member("n@example.com", "n@example.com", b"3" * 16, "Gold", 1),
            ],
        )
        assert [c.id for c in state.inflight()] == [chunk]
        state.abandon(chunk)
        assert state.inflight() == []
        known = state.lookup(["a@example.com", "n@example.com"])
        assert known["a@example.com"].digest is None
        assert known["a@example.com"].lists == (1, 3, 4)
        assert known["n@example.com"].lists == (1, 4)
        assert [c.key for c in state.stale()] == ["a@example.com", "n@example.com"]
        state.set_lists([("a@example.com", (1, 4), False)])
        # A key given twice gets both; an unknown key is left out.
        state.add_lists([("n@example.com", (9,)), ("nobody", (9,)), ("n@example.com", (7,))])
        assert [c.key for c in state.stale()] == ["n@example.com"]
        assert state.lookup(["n@example.com"])["n@example.com"].lists == (1, 4, 7, 9)
        assert "nobody" not in state.lookup(["nobody"])


def test_an_inflight_chunk_survives_a_reopen_and_settles(state_location: str) -> None:
    members = [Member(f"{n}@x.com", f"{n}@x.com", bytes([n]) * 16, "Gold", n) for n in range(3)]
    with opened(state_location) as state:
        chunk = state.record_chunk(1, "import", (1, 4), members)
        state.set_process(chunk, 2**40)  # Brevo's process ids are large numbers
    with opened(state_location) as state:  # as after a crash
        [found] = state.inflight()
        assert (found.id, found.process_id, found.lists) == (chunk, 2**40, (1, 4))
        assert state.chunk_rows(chunk) == members
        assert state.chunk_tiers(chunk) == ["Gold"]
        state.settle(chunk, [Confirmed(m.key, m.digest, m.tier, (1, 4)) for m in members[:2]], 1)
        assert set(state.lookup([m.key for m in members])) == {"0@x.com", "1@x.com"}
        assert state.inflight() == []


def test_seen_keys_keep_the_last_row_and_give_the_missing(state_location: str) -> None:
    with opened(state_location) as state:
        state.confirm([Confirmed(k, b"1" * 16, "Gold", (1, 4)) for k in ("a", "b", "c", "d")], 1)
        state.remember_ids([("L4", "d")])
        state.reset_seen()
        state.add_seen([("a", 0), ("b", 1), ("a", 2)], [("L4", "new-d", 3)])
        assert state.last_index(["a", "b", "z"]) == {"a": 2, "b": 1}
        assert state.in_source(["a", "z"]) == {"a"}
        assert state.duplicates() == ({"a": "0,2"}, {})
        assert [c.key for c in state.missing()] == ["c"]  # d: its id is in the source
        seen = state.lookup_seen(["a", "b"])
        assert seen["a"][0] == 2 and seen["a"][1] is not None
        state.reset_present()
        state.add_present(["a", "b", "b"])
        assert [c.key for c in state.absent()] == ["c", "d"]


def test_many_seen_rows_and_ids_keep_the_order_of_the_rows(state_location: str) -> None:
    # Enough rows for PostgreSQL's bulk path (COPY, then one statement), with repeats
    # inside one call and across calls: the same outcome as one statement per row.
    keys = [(f"k{i % 250}", i, i + 2) for i in range(300)]
    ids = [(f"L{i % 220}", f"k{i}", i + 2) for i in range(300)]
    with opened(state_location) as state:
        state.reset_seen()
        state.add_seen(keys[:280], ids[:280])
        state.add_seen(keys[280:], ids[280:])
        state.add_seen([("k0", 400, 402)])
        assert state.last_index(["k0", "k10", "k49", "k50"]) == {
            "k0": 400,
            "k10": 260,
            "k49": 299,
            "k50": 50,
        }
        keys_twice, ids_twice = state.duplicates()
        assert len(keys_twice) == 50 and keys_twice["k0"] == "2,252,402"
        assert len(ids_twice) == 80 and ids_twice["L3"] == "5,225"
        state.remember_ids([(i, k) for i, k, _ in ids])
        state.remember_ids([("L0", "last")])
        assert state.keys_for_ids(["L0", "L3", "L100", "L219"]) == {
            "L0": "last",
            "L3": "k223",
            "L100": "k100",
            "L219": "k219",
        }


def test_spilled_rows_become_a_chunk(state_location: str) -> None:
    rows = [
        (b, f"line{i}\n", Member(f"k{i}", f"K{i}", bytes([i]) * 16, "Gold", i, b"r" * 16))
        for i, b in enumerate([1, 2, 1])
    ]
    with opened(state_location) as state:
        state.spill(rows)
        assert sorted(state.spilled_lines(1)) == sorted("line0\nline2\n")
        assert [m.key for m in state.spilled_members(1)] == ["k0", "k2"]
        state.drop_spilled(2)
        assert state.spilled_members(2) == []
        chunk = state.record_spilled(1, "import", (1, 4), 1)
        assert [m.key for m in state.chunk_rows(chunk)] == ["k0", "k2"]
        assert state.spilled_members(1) == []


def test_settling_new_contacts_in_sql_stores_what_the_row_by_row_settle_stores(
    state_location: str,
) -> None:
    members = [
        Member(f"c{n}@example.com", f"C{n}@example.com", bytes([n]) * 16, "Gold", n, b"r" * 16)
        for n in range(5)
    ]
    keys = [m.key for m in members]
    rows = {}
    with opened(state_location) as state:
        chunk = state.record_chunk(1, "import", (1, 4), members, maybe=(3,))
        assert state.settle_new(chunk, 1, {"Gold": ((1, 3, 4), True)}) == 5
        rows["sql"] = contacts_of(state, keys)
        assert len(list(state.stale())) == 5
        assert state.forget_all() == 5
        chunk = state.record_chunk(1, "import", (1, 4), members, maybe=(3,))
        state.settle_rows(
            chunk,
            1,
            lambda ms, known: [
                Confirmed(m.key, m.digest, m.tier, (1, 3, 4), True, m.raw) for m in ms
            ],
            batch=2,
        )
        assert state.inflight() == []
        rows["python"] = contacts_of(state, keys)
        assert state.invalidate_all() == 5
        assert {c[0] for c in contacts_of(state, keys).values()} == {None}
    assert rows["sql"] == rows["python"] and len(rows["sql"]) == 5


def test_settling_in_sql_refuses_a_chunk_with_a_known_contact(state_location: str) -> None:
    with opened(state_location) as state:
        state.confirm([Confirmed("c1@example.com", b"0" * 16, "Silver", (1, 3))], 1)
        member = Member("c1@example.com", "c1@example.com", b"1" * 16, "Gold", 0)
        chunk = state.record_chunk(2, "import", (1, 4), [member])
        assert state.settle_new(chunk, 2, {"Gold": ((1, 4), False)}) is None
        assert [c.id for c in state.inflight()] == [chunk]  # left for the row-by-row settle
        assert state.lookup(["c1@example.com"])["c1@example.com"].tier == "Silver"


# -- one run at a time ---------------------------------------------------------------------


def _child(location: str, body: str) -> str:
    """Python code opening the state in another process, then running ``body``."""
    options = f"account={ACCOUNT!r}, program={PROGRAM!r}, " if is_state_url(location) else ""
    return (
        "import sys, time\nfrom tajo_brevo import StateError\n"
        "from tajo_brevo.sync import SyncState\n"
        f"try:\n    state = SyncState({location!r}, {options}lock_timeout=0)\n"
        "except StateError as e:\n    print(e); sys.exit(3)\n" + body
    )


def test_stale_contacts_come_page_by_page_and_listed_members_by_list(
    state_location: str,
) -> None:
    # The unlink phase's reads: stale contacts in key order a page at a time (a contact
    # settled meanwhile is not given twice), and the members read of each list.
    with opened(state_location) as state:
        run = state.start_run("in.csv", "upsert")
        keys = [f"c{n:02}@example.com" for n in range(23)]
        state.confirm([Confirmed(k, b"0" * 16, "Gold", (1, 4)) for k in keys], run)
        state.add_lists([(k, [3]) for k in keys[::2]])  # marks them stale
        stale = [k for k in keys[::2]]
        pages = state.stale(page=5)
        first = [next(pages).key for _ in range(5)]
        state.set_lists([(k, (1, 4), False) for k in first])  # settled while reading
        assert first + [c.key for c in pages] == stale
        assert [c.key for c in state.stale(page=5)] == stale[5:]
        state.reset_listed()
        state.add_listed(3, keys[:4])
        state.add_listed(3, keys[2:6])  # read twice: no error, no double
        state.add_listed(7, keys[:1])
        assert state.listed(3, [*keys[:8], "nobody@example.com"]) == set(keys[:6])
        assert state.listed(7, keys) == {keys[0]}
        state.reset_listed()
        assert state.listed(3, keys) == set()


def test_a_second_run_is_refused_while_the_first_holds_the_state(state_location: str) -> None:
    with opened(state_location) as first:
        first.start_run("in.csv", "upsert")
        with pytest.raises(StateBusyError, match="in use by another sync") as refused:
            opened(state_location)
        assert "pid" in str(refused.value)  # who holds it
        done = subprocess.run(
            [sys.executable, "-c", _child(state_location, "sys.exit(0)")],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 3 and "in use" in done.stdout
        # The history reads while the run holds the state.
        with opened(state_location, read_only=True) as reader:
            assert [r.status for r in reader.history()] == ["running"]
    opened(state_location).close()


def test_lock_timeout_waits_for_the_holder_then_proceeds(state_location: str) -> None:
    holder = opened(state_location)
    threading.Timer(0.5, holder.close).start()
    started = time.monotonic()
    with opened(state_location, lock_timeout=20) as state:
        waited = time.monotonic() - started
        assert state.count() == 0
    assert 0.3 < waited < 10
    with opened(state_location):
        started = time.monotonic()
        with pytest.raises(StateBusyError):
            opened(state_location, lock_timeout=0.3)
        assert 0.25 < time.monotonic() - started < 5  # bounded


def test_the_lock_is_released_when_the_holder_is_killed(state_location: str) -> None:
    body = "print('locked', flush=True)\ntime.sleep(120)\n"
    child = subprocess.Popen(
        [sys.executable, "-c", _child(state_location, body)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "locked"
        with pytest.raises(StateBusyError):
            opened(state_location)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        # The server notices the closed connection (the OS releases the flock at once).
        with opened(state_location, lock_timeout=20) as state:
            assert state.count() == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def test_a_newer_state_is_refused_with_the_reason(state_location: str) -> None:
    opened(state_location).close()
    with opened(state_location) as state:
        table = "meta"
        if is_state_url(state_location):
            table = "tajo_brevo.info"
        state.db.execute(f"UPDATE {table} SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StateError, match="newer tajo-brevo"):
        opened(state_location)
    with pytest.raises(StateError, match="newer tajo-brevo"):
        opened(state_location, read_only=True)


# -- PostgreSQL only -----------------------------------------------------------------------


def test_scopes_of_one_database_are_apart(postgres_url: str) -> None:
    with opened(postgres_url) as mine, opened(postgres_url, account="acct-2") as theirs:
        mine.confirm([Confirmed("a", b"1" * 16, "Gold", (1,))], mine.start_run("x", "upsert"))
        theirs.start_run("y", "upsert")
        theirs.start_run("y", "upsert")
        assert theirs.lookup(["a"]) == {} and theirs.count() == 0
        assert [r.id for r in mine.history()] == [1] and [r.id for r in theirs.history()] == [2, 1]
        with opened(postgres_url, program="Other") as other:  # another program, same account
            assert other.count() == 0


def test_a_url_password_appears_nowhere(postgres_url: str, postgres_server: Any) -> None:
    # Trust authentication: the password is not checked, so the state opens with it.
    url = postgres_url.replace("postgres@", "postgres:s3cretpw@")
    with opened(url) as state:
        assert "s3cretpw" not in state.path and "***" in state.path
        with pytest.raises(StateBusyError) as busy:
            opened(url)
        assert "s3cretpw" not in str(busy.value)
    bad = url.rsplit("/", 1)[0] + "/no_such_database"
    with pytest.raises(StateError) as refused:
        opened(bad)
    assert "s3cretpw" not in str(refused.value) and "no_such_database" in str(refused.value)


def test_a_database_out_of_reach_is_unavailable_a_refusal_is_not(postgres_url: str) -> None:
    closed = postgres_url.rsplit(":", 1)[0] + ":1/x"  # nothing listens on port 1
    with pytest.raises(StateUnavailableError, match="cannot open the state"):
        opened(closed)
    with pytest.raises(StateError) as missing:
        opened(postgres_url.rsplit("/", 1)[0] + "/no_such_database")
    assert not isinstance(missing.value, StateUnavailableError)  # not a try-again
    with opened(postgres_url) as state:
        # The server ends this run's connection (a restart, a failover): the next call
        # says so as the sync's own error, and the lock is gone with the connection.
        pid = state.db.execute("SELECT pg_backend_pid()").fetchone()[0]
        with opened(postgres_url, account="admin") as admin:
            admin.db.execute("SELECT pg_terminate_backend(?)", (pid,))
        with pytest.raises(StateUnavailableError):
            state.count()
        opened(postgres_url, lock_timeout=10).close()


def test_a_postgresql_state_needs_a_scope(postgres_url: str) -> None:
    with pytest.raises(StateError, match="account= and program="):
        SyncState(postgres_url)


@pytest.mark.parametrize(
    "url",
    [
        # libpq echoes a malformed value; a password in the query string or behind an
        # upper-case scheme is still the password.
        "postgresql://u@127.0.0.1:1/db?password=s3cret%zzpw",
        "POSTGRESQL://u:s3cret%zzpw@127.0.0.1:1/db",
        "postgresql://u:s3cret%zzpw@127.0.0.1:1/db",
    ],
)
def test_a_password_the_driver_echoes_is_hidden(url: str) -> None:
    pytest.importorskip("psycopg")
    with pytest.raises(StateError) as refused:
        SyncState(url, account="a", program="p")
    assert "s3cret" not in str(refused.value) and "***" in str(refused.value)


@pytest.mark.parametrize(
    "url", ["mysql://u:s3cretpw@127.0.0.1/db", "sqlite:///x.db?password=s3cretpw"]
)
def test_another_database_url_is_refused_not_taken_for_a_file_name(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StateError, match="kept in a file or in PostgreSQL") as refused:
        SyncState(url)
    assert "s3cret" not in str(refused.value) and "***" in str(refused.value)
    assert list(tmp_path.iterdir()) == []  # nothing created under a path like mysql:/u:...


def test_hashes_kept_cleared_and_contacts_forgotten(state_location: str) -> None:
    # The keyed updates of a run on both backends (a bytes value compared in SQL).
    with opened(state_location) as state:
        run = state.start_run("in.csv", "upsert")
        assert state.run_started(run).tzinfo is not None
        state.confirm([Confirmed(k, b"d" * 16, "Gold", (1,)) for k in ("a", "b", "c", "d")], run)
        # Only where the contact still has the digest given.
        state.remember_raw([("a", b"r" * 16, b"d" * 16), ("b", b"r" * 16, b"x" * 16)])
        state.remember_digests([("c", b"R" * 16, b"d" * 16, b"D" * 16)], run + 1)
        found = contacts_of(state, ["a", "b", "c", "d"])
        assert found["a"] == (b"d" * 16, "Gold", (1,), run, b"r" * 16)
        assert found["b"] == (b"d" * 16, "Gold", (1,), run, None)
        assert found["c"] == (b"D" * 16, "Gold", (1,), run + 1, b"R" * 16)
        state.invalidate(["a", "c"])
        state.forget(["d"])
        found = contacts_of(state, ["a", "b", "c", "d"])
        assert found["a"][0] is None and found["a"][4] is None and found["c"][0] is None
        assert found["b"][0] == b"d" * 16 and "d" not in found


def test_lookups_by_key_span_several_statements(state_location: str) -> None:
    # More keys than one IN list holds (500): every batch's rows are found.
    keys = [f"k{n:04}" for n in range(1203)]
    with opened(state_location) as state:
        run = state.start_run("in.csv", "upsert")
        state.confirm([Confirmed(k, b"d" * 16, "Gold", (1,)) for k in keys[::2]], run)
        state.set_consent((k, True, False) for k in keys[1::2])
        state.reset_seen()
        state.add_seen([(k, n) for n, k in enumerate(keys)])
        assert sorted(state.lookup(keys)) == keys[::2]
        assert sorted(state.consent(keys)) == keys[1::2]
        assert state.in_source([*keys, "nobody"]) == set(keys)
        assert state.last_index(keys[-3:]) == {keys[-3]: 1200, keys[-2]: 1201, keys[-1]: 1202}


def test_a_postgresql_state_without_the_sql_extra_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for module in ("sqlalchemy", "sqlalchemy.engine", "sqlalchemy.exc", "psycopg"):
        monkeypatch.setitem(sys.modules, module, None)  # as if not installed
    with pytest.raises(StateError, match=r"pip install 'tajo-brevo\[sql\]'") as missing:
        SyncState("postgresql://u:s3cretpw@127.0.0.1:1/db", account="a", program="p")
    assert "s3cretpw" not in str(missing.value)


def test_an_older_postgresql_schema_is_refused_not_used(postgres_url: str) -> None:
    # No PostgreSQL migration exists yet: a schema older than this version reads must
    # not be written as if it were current (SQLite's files are migrated instead).
    with opened(postgres_url) as state:
        state.db.execute("UPDATE tajo_brevo.info SET value = '2' WHERE key = 'schema_version'")
    with pytest.raises(StateError, match="schema 2"):
        opened(postgres_url)
    with opened(postgres_url, read_only=True) as history:
        assert history.history() == []
