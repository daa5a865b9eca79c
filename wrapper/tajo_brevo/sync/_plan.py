"""Deciding what to send (sans-IO): compare rows with the state, group changes into chunks.

- A row is *unchanged* when the state holds the same hash of its values and target lists
  (confirmed by Brevo in an earlier run): nothing is sent for it.
- Changed rows go out as import chunks (many) or per-contact upserts (few). An import chunk
  holds rows with the same target lists (all-customers + tier list) and the same touched
  columns, so every empty cell means "clear" (see ``_csv``), and stays under the size limit.
- An import adds contacts to lists but can't remove them. After a confirmed tier move the
  state marks the contact *stale*: its old tier list, the one the state recorded, is left
  (150 contacts a request) and then forgotten. No account scan.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..tiers import Tier
from ._csv import IMPORT_ENVELOPE, ImportChunk, encode_row, json_size
from ._program import Program
from ._state import ContactState, Member
from ._validation import Row
from ._values import HEAD, pack

__all__ = ["Chunker", "Program", "is_unchanged", "stale_lists", "state_digest", "unlink_batches"]

#: add/remove members take at most 150 emails or ids per call.
MEMBERS_CHUNK = 150
#: At most this many chunks are built at once; the largest is sent when one more is needed.
_MAX_OPEN_CHUNKS = 16
#: Rows a spilling chunker holds before writing them out.
SPILL_BATCH = 2000


class Spill(Protocol):
    """Where a chunker puts the rows of open chunks (the state's scratch table), so that
    memory does not grow with the chunks (up to 16 open at once)."""

    def spill(self, rows: Sequence[tuple[int, str, Member]]) -> None:
        """Keep ``(bucket, CSV line, member)`` rows, in order."""


def state_digest(row: Row, lists: tuple[int, ...]) -> bytes:
    """What the state stores for a row: its values' hash bound to its target lists."""
    hasher = hashlib.blake2b(row.digest, digest_size=16)
    hasher.update(",".join(map(str, lists)).encode())
    return hasher.digest()


def is_unchanged(row: Row, known: ContactState | None, program: Program) -> bool:
    """Whether Brevo already holds exactly this row (confirmed in an earlier run)."""
    return (
        known is not None
        and known.digest is not None
        and known.digest[:HEAD] == state_digest(row, program.lists_for(row.tier))
    )


def member(row: Row, program: Program, ids: Mapping[str, int] | None = None) -> Member:
    """The in-flight record of a row about to be sent (with its per-attribute entries
    when the attributes' numbers are given)."""
    digest = state_digest(row, program.lists_for(row.tier))
    return Member(
        key=row.key,
        email=row.email,
        digest=digest if ids is None else digest + pack(row.values, ids),
        tier=row.tier.value,
        index=row.index,
        raw=row.raw_digest,
    )


@dataclass
class _Open:
    chunk: ImportChunk
    bucket: int = 0
    count: int = 0
    members: list[Member] = field(default_factory=list)


@dataclass(frozen=True)
class ReadyChunk:
    """A chunk ready to record and send.

    Without a spill: ``chunk.lines`` and ``members`` hold its rows. With one: ``chunk.lines``
    is the header only and the rows are in the spill under ``bucket``.
    """

    chunk: ImportChunk
    members: list[Member]
    bucket: int | None = None
    count: int = 0


class Chunker:
    """Groups changed rows into import chunks under ``max_bytes`` (as a JSON body), closed
    near ``target_bytes`` when given (a body is in memory about three times while it is
    sent: the sync keeps it small).

    :meth:`add` returns the chunks that are full (send them now: memory stays bounded);
    :meth:`finish` returns the rest. A row too large for any chunk is returned by
    :meth:`add` in ``too_large`` and never sent.
    """

    def __init__(
        self,
        program: Program,
        max_bytes: int,
        spill: Spill | None = None,
        *,
        target_bytes: int | None = None,
        ids: Mapping[str, int] | None = None,
    ) -> None:
        self.program = program
        self.ids = ids
        #: The hard limit: a row that does not fit alone is refused.
        self.budget = max_bytes - IMPORT_ENVELOPE
        #: Where a chunk is closed: a row larger than this goes alone (up to the limit).
        self.target = min(self.budget, (target_bytes or max_bytes) - IMPORT_ENVELOPE)
        self._open: dict[tuple[tuple[int, ...], tuple[str, ...]], _Open] = {}
        self.spill = spill
        self._buffer: list[tuple[int, str, Member]] = []
        self._buckets = 0

    def _new(self, lists: tuple[int, ...], columns: tuple[str, ...]) -> _Open:
        self._buckets += 1
        return _Open(ImportChunk(list_ids=lists, columns=columns), bucket=self._buckets)

    def add(self, row: Row) -> tuple[list[ReadyChunk], bool]:
        """Place a row; returns (chunks to send now, whether the row was too large)."""
        lists = self.program.lists_for(row.tier)
        columns = row.columns
        key = (lists, columns)
        line, empty = encode_row(row.email, columns, row.values)
        line_size = json_size(line)
        ready: list[ReadyChunk] = []
        current = self._open.get(key)
        if current is not None and current.chunk.size + line_size > self.target:
            ready.append(self._close(key))
            current = None
        if current is None:
            fresh = self._new(lists, columns)
            if fresh.chunk.size + line_size > self.budget:
                return ready, True  # too large even alone
            if len(self._open) >= _MAX_OPEN_CHUNKS:
                largest = max(self._open, key=lambda k: self._open[k].chunk.size)
                ready.append(self._close(largest))
            self._open[key] = current = fresh
        chunk = current.chunk
        chunk.size += line_size
        chunk.has_empty_cells = chunk.has_empty_cells or empty
        current.count += 1
        if self.spill is None:
            chunk.lines.append(line)
            chunk.keys.append(row.key)
            current.members.append(member(row, self.program, self.ids))
        else:
            self._buffer.append((current.bucket, line, member(row, self.program, self.ids)))
            if len(self._buffer) >= SPILL_BATCH:
                self._flush()
        return ready, False

    def _flush(self) -> None:
        if self.spill is not None and self._buffer:
            self.spill.spill(self._buffer)
            self._buffer = []

    def _close(self, key: tuple[tuple[int, ...], tuple[str, ...]]) -> ReadyChunk:
        done = self._open.pop(key)
        if self.spill is None:
            return ReadyChunk(done.chunk, done.members, None, done.count)
        self._flush()
        return ReadyChunk(done.chunk, [], done.bucket, done.count)

    def finish(self) -> list[ReadyChunk]:
        """Every chunk still open, in a stable order."""
        return [self._close(key) for key in sorted(self._open)]


def stale_lists(known: ContactState, program: Program) -> set[int]:
    """The program's tier lists a contact must leave: every one but its tier's list.

    A contact whose tier is unknown (its last send was never confirmed) leaves nothing yet:
    it is re-sent, and the lists follow once Brevo confirms its tier.
    """
    if known.tier is None:
        return set()
    try:
        keep = program.tier_lists[Tier(known.tier)]
    except (ValueError, KeyError):
        return set()
    return (set(known.lists) & set(program.tier_lists.values())) - {keep}


def unlink_batches(
    contacts: Iterable[ContactState], program: Program
) -> Iterator[tuple[int, list[ContactState]]]:
    """(list id, up to 150 contacts) to remove from it, for every stale contact."""
    by_list: dict[int, list[ContactState]] = {}
    for known in contacts:
        for list_id in sorted(stale_lists(known, program)):
            batch = by_list.setdefault(list_id, [])
            batch.append(known)
            if len(batch) == MEMBERS_CHUNK:
                yield list_id, batch
                by_list[list_id] = []
    for list_id in sorted(by_list):
        if by_list[list_id]:
            yield list_id, by_list[list_id]
