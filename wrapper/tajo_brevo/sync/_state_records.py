"""What the sync state holds, as Python values (both backends)."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Confirmed",
    "ContactState",
    "InFlight",
    "Member",
    "RunInfo",
    "lists_text",
    "parse_lists",
    "text_of",
]


@dataclass(frozen=True, slots=True)
class ContactState:
    """What the state knows about one contact."""

    key: str
    digest: bytes | None
    tier: str | None
    lists: tuple[int, ...]
    run: int
    raw: bytes | None = None


@dataclass(frozen=True, slots=True)
class Confirmed:
    """A contact as Brevo confirmed it: values hash, tier, lists, and whether a list is due
    to be left (``stale``)."""

    key: str
    digest: bytes | None
    tier: str | None
    lists: tuple[int, ...]
    stale: bool = False
    raw: bytes | None = None


@dataclass(frozen=True, slots=True)
class Member:
    """One row of an in-flight chunk."""

    key: str
    email: str
    digest: bytes
    tier: str
    index: int
    raw: bytes | None = None


@dataclass(frozen=True, slots=True)
class InFlight:
    """A chunk recorded before sending: its kind, lists, rows and Brevo process id."""

    id: int
    run: int
    kind: str
    lists: tuple[int, ...]
    process_id: int | None
    maybe: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class RunInfo:
    """One entry of the run history."""

    id: int
    started: str
    finished: str | None
    source: str
    mode: str
    status: str
    summary: Mapping[str, Any]


def lists_text(lists: Iterable[int]) -> str:
    return ",".join(str(i) for i in sorted(set(lists)))


@functools.lru_cache(maxsize=256)
def _tuple_text(lists: tuple[int, ...]) -> str:
    """:func:`lists_text` of a tuple, remembered: a run has a handful of list sets."""
    return lists_text(lists)


def text_of(lists: Iterable[int]) -> str:
    return _tuple_text(lists) if type(lists) is tuple else lists_text(lists)


@functools.lru_cache(maxsize=256)
def parse_lists(text: str) -> tuple[int, ...]:
    # Remembered: a state holds a handful of list sets, read a million times a run.
    return tuple(int(i) for i in text.split(",") if i)
