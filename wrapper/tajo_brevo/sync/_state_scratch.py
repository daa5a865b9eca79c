"""The sync state's scratch tables: what one run has read, kept beside the state.

Temporary tables (SQLite ``temp``; PostgreSQL TEMP tables, this session's own): the keys
and loyalty ids of this run's source, the contacts a read of the program found, the
members read of lists, and the rows of import chunks being built. Gone with the connection.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ._state_records import ContactState, Member, parse_lists
from ._state_schema import Database

__all__ = ["IN_BATCH", "JOIN_BATCH", "ScratchTables"]

#: Rows per SQL statement with an IN (...) list (SQLite's default limit is 32766).
IN_BATCH = 500
#: Keys per joined lookup (seen + contacts): one statement for a block of rows.
JOIN_BATCH = 900


class ScratchTables:
    """The scratch-table methods of ``SyncState`` (``db``: its open backend)."""

    db: Database

    def transaction(self) -> contextlib.AbstractContextManager[Any]:
        """One atomic write (see ``SyncState``)."""
        return self.db.transaction()

    def in_batches(self, sql: str, keys: Sequence[str], *before: Any) -> Iterator[Any]:
        """The rows of ``sql`` for ``keys``, ``IN_BATCH`` keys a statement: its
        ``{marks}`` is the IN list's placeholders; ``before``: parameters ahead of it."""
        for start in range(0, len(keys), IN_BATCH):
            part = keys[start : start + IN_BATCH]
            marks = ",".join("?" * len(part))
            yield from self.db.execute(sql.format(marks=marks), (*before, *part))

    def lookup_seen(self, keys: Sequence[str]) -> dict[str, tuple[int, ContactState | None]]:
        """For each key of this run: the index of its last row, and what the state knows.

        One query per 900 keys (the seen table joined with the contacts), where a lookup
        per row would cost a statement each (a sync reads a million rows).
        """
        found: dict[str, tuple[int, ContactState | None]] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), JOIN_BATCH):
            part = unique[start : start + JOIN_BATCH]
            marks = ",".join("?" * len(part))
            for key, idx, digest_, tier, lists, run, raw in self.db.execute(
                "SELECT s.key, s.idx, c.digest, c.tier, c.lists, c.run, c.raw FROM seen s "
                f"LEFT JOIN contacts c ON c.key = s.key WHERE s.key IN ({marks})",
                part,
            ):
                known = (
                    None
                    if lists is None
                    else ContactState(key, digest_, tier, parse_lists(lists), run, raw)
                )
                found[key] = (idx, known)
        return found

    def reset_present(self) -> None:
        """A scratch table of the contacts a read of the program found, emptied."""
        self.db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS present (key TEXT PRIMARY KEY) WITHOUT ROWID"
        )
        self.db.execute("DELETE FROM present")

    def add_present(self, keys: Iterable[str]) -> None:
        """Remember contacts the program read found."""
        with self.transaction():
            self.db.executemany(
                "INSERT INTO present VALUES (?) ON CONFLICT DO NOTHING", ((k,) for k in keys)
            )

    def absent(self) -> Iterator[ContactState]:
        """Confirmed contacts that the program read did not find (deleted in Brevo, or
        taken off every list of the program)."""
        self.db.analyze("present")
        for key, digest_, tier, lists, run, raw in self.db.rows(
            "SELECT key, digest, tier, lists, run, raw FROM contacts c WHERE digest IS NOT NULL "
            "AND tier IS NOT NULL AND NOT EXISTS (SELECT 1 FROM present p WHERE p.key = c.key) "
            "ORDER BY key",
            snapshot=True,
        ):
            yield ContactState(key, digest_, tier, parse_lists(lists), run, raw)

    def reset_listed(self) -> None:
        """A scratch table of the members read of lists (``list_id``, ``key``), emptied."""
        self.db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS listed (list_id INTEGER NOT NULL, "
            "key TEXT NOT NULL, PRIMARY KEY (list_id, key)) WITHOUT ROWID"
        )
        self.db.execute("DELETE FROM listed")

    def add_listed(self, list_id: int, keys: Iterable[str]) -> None:
        """Remember members read of a list (see :meth:`reset_listed`)."""
        with self.transaction():
            self.db.executemany(
                "INSERT INTO listed VALUES (?, ?) ON CONFLICT DO NOTHING",
                ((list_id, k) for k in keys),
            )

    def listed(self, list_id: int, keys: Sequence[str]) -> set[str]:
        """Which of these keys were read as members of the list."""
        sql = "SELECT key FROM listed WHERE list_id = ? AND key IN ({marks})"
        return {k for (k,) in self.in_batches(sql, keys, list_id)}

    def reset_seen(self) -> None:
        """Scratch tables of this run's keys and loyalty ids, emptied.

        ``seen``: each email key with the index of its last row and the line numbers of
        all its rows; ``seen_ids``: each LOYALTY_ID with the key of its last row and the
        line numbers of all its rows. A key or id on two rows is a duplicate.
        """
        # WITHOUT ROWID: one B-tree (not a table and its key index) per inserted key.
        self.db.execute("DROP TABLE IF EXISTS temp.seen")
        self.db.execute(
            "CREATE TEMP TABLE seen (key TEXT PRIMARY KEY, idx INTEGER NOT NULL, "
            "lines TEXT NOT NULL DEFAULT '') WITHOUT ROWID"
        )
        self.db.execute("DROP TABLE IF EXISTS temp.seen_ids")
        self.db.execute(
            "CREATE TEMP TABLE seen_ids (id TEXT PRIMARY KEY, key TEXT NOT NULL, "
            "lines TEXT NOT NULL) WITHOUT ROWID"
        )

    def add_seen(
        self,
        rows: Iterable[tuple[str, int] | tuple[str, int, int | None]],
        ids: Iterable[tuple[str, str, int | None]] = (),
    ) -> None:
        """Remember keys with their latest row index and line (a later row wins the index;
        every line is kept), and ``(loyalty id, key, line)`` of the rows that have one."""
        keys = [(r[0], r[1], str(r[2] if len(r) > 2 else r[1])) for r in rows]
        found = [(i, k, str(line)) for i, k, line in ids]
        with self.transaction():
            if not self.db.merge("seen", keys):
                self.db.executemany(
                    "INSERT INTO seen VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
                    "idx = excluded.idx, lines = seen.lines || ',' || excluded.lines",
                    keys,
                )
            if not self.db.merge("seen_ids", found):
                self.db.executemany(
                    "INSERT INTO seen_ids VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                    "key = excluded.key, lines = seen_ids.lines || ',' || excluded.lines",
                    found,
                )

    def duplicates(self) -> tuple[dict[str, str], dict[str, str]]:
        """Keys and loyalty ids on more than one row of this run: ``{key: lines}`` and
        ``{id: lines}`` (line numbers joined by commas). Few, so held in memory."""
        self.db.analyze("seen", "seen_ids")  # pass one is over: they are full now
        keys = dict(self.db.execute("SELECT key, lines FROM seen WHERE instr(lines, ',') > 0"))
        ids = dict(self.db.execute("SELECT id, lines FROM seen_ids WHERE instr(lines, ',') > 0"))
        return keys, ids

    def in_source(self, keys: Sequence[str]) -> set[str]:
        """Which of these keys this run's source has (after pass one)."""
        return {k for (k,) in self.in_batches("SELECT key FROM seen WHERE key IN ({marks})", keys)}

    def last_index(self, keys: Sequence[str]) -> dict[str, int]:
        """For each key, the index of its last row in the source."""
        return dict(self.in_batches("SELECT key, idx FROM seen WHERE key IN ({marks})", keys))

    # The rows of import chunks being built (see ``_plan.Chunker``): a scratch table, so
    # that a chunk of up to 8 MB is on disk until it is sent, not in memory.

    def _spill_table(self) -> None:
        # Keyed by (bucket, row index): a row's index is unique in a run, and one B-tree
        # serves the inserts, the reads and the deletes of a bucket.
        self.db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS spill (bucket INTEGER NOT NULL, key TEXT NOT NULL,"
            " email TEXT NOT NULL, digest BLOB NOT NULL, tier TEXT NOT NULL, idx INTEGER NOT NULL,"
            " raw BLOB, line TEXT NOT NULL, PRIMARY KEY (bucket, idx)) WITHOUT ROWID"
        )

    def spill(self, rows: Sequence[tuple[int, str, Member]]) -> None:
        """Keep rows of open chunks: ``(bucket, CSV line, member)``, in order."""
        self._spill_table()
        with self.transaction():
            self.db.copy(
                "spill",
                ("bucket", "key", "email", "digest", "tier", "idx", "raw", "line"),
                (
                    (b, m.key, m.email, m.digest, m.tier, m.index, m.raw, line)
                    for b, line, m in rows
                ),
            )

    def spilled_lines(self, bucket: int) -> str:
        """A bucket's CSV lines as one text."""
        self._spill_table()
        # Joined by SQLite: no Python string per line (an import file has up to 100,000).
        # Line order does not matter to an import (one line per contact).
        found = self.db.execute(
            "SELECT group_concat(line, '') FROM spill WHERE bucket = ?", (bucket,)
        ).fetchone()
        return str(found[0] or "")

    def spilled_members(self, bucket: int) -> list[Member]:
        """A bucket's rows (a dry run predicts their outcomes)."""
        self._spill_table()
        return self._members_of("spill", "bucket", bucket)

    def _members_of(self, table: str, group_column: str, group: int) -> list[Member]:
        """The rows of one group of a table of members (a bucket of ``spill``, a chunk of
        ``inflight_rows``), in source order."""
        return [
            Member(k, e, d, t, i, r)
            for k, e, d, t, i, r in self.db.execute(
                f"SELECT key, email, digest, tier, idx, raw FROM {table} "
                f"WHERE {group_column} = ? ORDER BY idx",
                (group,),
            ).fetchall()
        ]

    def drop_spilled(self, bucket: int) -> None:
        """Forget a bucket (a dry run sends nothing)."""
        self._spill_table()
        with self.transaction():
            self.db.execute("DELETE FROM spill WHERE bucket = ?", (bucket,))

    def missing(self) -> Iterator[ContactState]:
        """Contacts in the state that this run's source does not have (mirror mode).

        A contact whose loyalty id the source has under another email is not missing:
        its email changes (see ``_identity``).
        """
        for key, digest_, tier, lists, run, raw in self.db.rows(
            "SELECT key, digest, tier, lists, run, raw FROM contacts c "
            "WHERE NOT EXISTS (SELECT 1 FROM seen s WHERE s.key = c.key) AND NOT EXISTS ("
            "SELECT 1 FROM loyalty_ids m JOIN seen_ids s ON s.id = m.id WHERE m.key = c.key) "
            "ORDER BY key"
        ):
            yield ContactState(key, digest_, tier, parse_lists(lists), run, raw)
