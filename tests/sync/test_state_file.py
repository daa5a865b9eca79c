"""The state as an SQLite file: round trip, schema migration, refusals (``sync/_state.py``;
the tests run on both backends are in ``test_state_backends.py``)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from _parts_support import write
from tajo_brevo.errors import StateError
from tajo_brevo.sync._state import SCHEMA_VERSION, Confirmed, SyncState


def test_state_round_trip_and_compact(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with SyncState(path) as state:
        run = state.start_run("in.csv", "upsert")
        state.confirm(
            [Confirmed(f"c{n}@example.com", b"0" * 16, "Gold", (1, 4)) for n in range(3)], run
        )
        state.finish_run(run, "ok", {"counts": {"applied": 3}})
    with SyncState(path) as state:
        known = state.lookup(["c0@example.com", "nobody@example.com"])
        assert list(known) == ["c0@example.com"]
        assert known["c0@example.com"].lists == (1, 4)
        [entry] = state.history()
        assert entry.status == "ok" and entry.summary["counts"] == {"applied": 3}
        columns = [r[1] for r in state.db.execute("PRAGMA table_info(contacts)")]
        assert columns == ["key", "digest", "tier", "lists", "run", "stale", "raw"]


#: The schema 1 tables as tajo-brevo 0.1 wrote them (before the raw-row hash).
_SCHEMA_1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE contacts (key TEXT PRIMARY KEY, digest BLOB, tier TEXT, lists TEXT NOT NULL,
    run INTEGER NOT NULL, stale INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
CREATE INDEX contacts_stale ON contacts (stale) WHERE stale = 1;
CREATE TABLE runs (id INTEGER PRIMARY KEY, started TEXT NOT NULL, finished TEXT,
    source TEXT NOT NULL, mode TEXT NOT NULL, status TEXT NOT NULL, summary TEXT);
CREATE TABLE inflight (id INTEGER PRIMARY KEY, run INTEGER NOT NULL, kind TEXT NOT NULL,
    lists TEXT NOT NULL, process_id INTEGER, maybe TEXT NOT NULL DEFAULT '');
CREATE TABLE inflight_rows (chunk INTEGER NOT NULL, key TEXT NOT NULL, email TEXT NOT NULL,
    digest BLOB NOT NULL, tier TEXT NOT NULL, idx INTEGER NOT NULL,
    PRIMARY KEY (chunk, key)) WITHOUT ROWID;
INSERT INTO meta VALUES ('application', 'tajo-brevo sync state');
INSERT INTO meta VALUES ('schema_version', '1');
INSERT INTO contacts VALUES ('a@example.com', x'31313131313131313131313131313131', 'Gold',
    '1,4', 1, 0);
INSERT INTO inflight VALUES (7, 1, 'import', '1,4', 99, '');
INSERT INTO inflight_rows VALUES (7, 'b@example.com', 'B@example.com',
    x'32323232323232323232323232323232', 'Silver', 3);
"""


def schema_1_state(path: Path) -> Path:
    db = sqlite3.connect(path)
    db.executescript(_SCHEMA_1)
    db.close()
    return path


def test_a_schema_1_state_is_migrated_keeping_everything_without_raw_hashes(
    tmp_path: Path,
) -> None:
    path = schema_1_state(tmp_path / "old.db")
    with SyncState(path, read_only=True) as old:  # history reads it as it is
        assert old.history() == []
    with SyncState(path) as state:
        version = state.db.execute("SELECT value FROM meta WHERE key = 'schema_version'")
        assert version.fetchone()[0] == str(SCHEMA_VERSION) == "3"
        [known] = state.lookup(["a@example.com"]).values()
        assert (known.digest, known.tier, known.lists, known.raw) == (
            b"1" * 16,
            "Gold",
            (1, 4),
            None,
        )
        [chunk] = state.inflight()
        assert (chunk.id, chunk.process_id) == (7, 99)
        [m] = state.chunk_rows(7)
        assert (m.key, m.email, m.digest, m.tier, m.index, m.raw) == (
            "b@example.com",
            "B@example.com",
            b"2" * 16,
            "Silver",
            3,
            None,
        )
        # The migrated state takes new rows with their raw hash.
        state.confirm([Confirmed("c@example.com", b"3" * 16, "Bronze", (1, 2), raw=b"r" * 16)], 2)
        assert state.lookup(["c@example.com"])["c@example.com"].raw == b"r" * 16


def test_a_newer_or_foreign_state_is_refused_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    SyncState(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    db.commit()
    db.close()
    with pytest.raises(StateError, match="newer tajo-brevo"):
        SyncState(path)
    other = tmp_path / "other.db"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE x (a)")
    db.commit()
    db.close()
    with pytest.raises(StateError, match="not a tajo-brevo sync state"):
        SyncState(other)
    junk = write(tmp_path / "junk.db", "this is not sqlite at all, not even close" * 50)
    with pytest.raises(StateError, match="not a tajo-brevo state file"):
        SyncState(junk)


@pytest.mark.parametrize("name", ["a#b.db", "what?.db", "100%41.db"])
def test_history_reads_a_state_whose_name_a_uri_would_misread(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    with SyncState(path) as state:
        state.start_run("x.csv", "upsert")
    with SyncState(path, read_only=True) as state:
        assert [r.source for r in state.history()] == ["x.csv"]
    # No stray file made (a name cut at the '#' or '?'); the WAL's own files may be.
    assert all(p.name.startswith(name) for p in tmp_path.iterdir())


def test_a_write_sqlite_already_rolled_back_raises_its_own_error(tmp_path: Path) -> None:
    # SQLite ends the transaction itself on some errors (a full disk, an I/O error): the
    # caller must see that error, not "cannot rollback - no transaction is active".
    with SyncState(tmp_path / "state.db") as state:
        with pytest.raises(ZeroDivisionError), state.transaction():
            state.db.execute("INSERT INTO meta VALUES ('x', '1')")
            state.db.execute("ROLLBACK")  # as SQLite does on SQLITE_FULL
            raise ZeroDivisionError
        assert state.meta("x") is None
        state.set_meta("x", "2")  # the next write starts a transaction of its own
        assert state.meta("x") == "2"


def test_a_lock_taken_then_failed_is_released_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tajo_brevo.sync import _state_sqlite

    def disk_full() -> str:
        raise OSError(28, "No space left on device")

    # The lock is taken, then writing the holder's line fails.
    monkeypatch.setattr(_state_sqlite, "utc_now", disk_full)
    with pytest.raises(OSError) as failed:
        SyncState(tmp_path / "state.db")
    monkeypatch.undo()
    assert failed.value.errno == 28  # its traceback (kept here) holds the frames alive
    SyncState(tmp_path / "state.db").close()  # not busy: the lock went with the error
