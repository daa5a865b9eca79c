"""Sharded dicts and sets for the account's big indexes (a million contacts and more).

CPython grows a dict or a set by rehashing all of it at once: at 699,051 contacts the
contacts-by-id and contacts-by-email dicts both grew during the same row, 53 ms holding
the GIL, so every other request of the mock waited that long (an import of 1M rows).
Split into shards of at most ~16k entries, each growth copies one shard (well under a
millisecond) and the cost is a method call per lookup.

:class:`IdMap` and :class:`IdSet` shard by id range (``id >> SHIFT``): ids only grow,
so iterating shard after shard keeps the insertion (= id) order a dict had.
:class:`KeyMap` shards by hash (order does not matter for its uses: email and SMS
lookups).
"""

from __future__ import annotations

import itertools
from collections.abc import (
    Callable,
    Container,
    ItemsView,
    Iterator,
    KeysView,
    Mapping,
    MutableMapping,
    MutableSet,
    ValuesView,
)
from typing import Any, TypeVar

V = TypeVar("V")
S = TypeVar("S")
#: Ids per shard of IdMap / IdSet: 2**14.
SHIFT = 14
#: Shards of a KeyMap (a power of two).
KEY_SHARDS = 64


def _id_of(key: object) -> int | None:
    """``key`` as the int a dict would find it under (5.0 and True are 5 and 1), or None."""
    if type(key) is int:
        return key
    if isinstance(key, int | float):
        try:
            as_int = int(key)
        except (OverflowError, ValueError):
            return None
        return as_int if as_int == key else None
    return None


def _in_shards(shards: Mapping[int, Container[int]], key: object) -> bool:
    """Whether an id range's shards hold ``key`` (IdMap's keys, IdSet's members)."""
    number = _id_of(key)
    if number is None:
        return False
    shard = shards.get(number >> SHIFT)
    return shard is not None and number in shard


def _shard_for(
    shards: dict[int, S], key: object, new: Callable[[], S], refusal: str
) -> tuple[int, S]:
    """``key`` as an id and the shard it goes in (made when missing), for an insert.

    Raises:
        TypeError: ``key`` is no integer id (``refusal`` says so).
    """
    number = _id_of(key)
    if number is None:
        raise TypeError(refusal)
    shard = shards.get(number >> SHIFT)
    if shard is None:
        shard = shards[number >> SHIFT] = new()
    return number, shard


class IdMap(MutableMapping[int, V]):
    """A dict keyed by int ids, in shards of an id range; iterates in insertion order as
    long as new keys are never below existing ones (ids only grow)."""

    __slots__ = ("_len", "_shards")

    def __init__(self) -> None:
        self._shards: dict[int, dict[int, V]] = {}
        self._len = 0

    def __getitem__(self, key: int) -> V:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def get(self, key: int, default: V | None = None) -> V | None:  # type: ignore[override]
        number = _id_of(key)
        if number is None:
            return default
        shard = self._shards.get(number >> SHIFT)
        return default if shard is None else shard.get(number, default)

    def __contains__(self, key: object) -> bool:
        return _in_shards(self._shards, key)

    def __setitem__(self, key: int, value: V) -> None:
        number, shard = _shard_for(self._shards, key, dict, "IdMap keys are integer ids")
        if number not in shard:
            self._len += 1
        shard[number] = value

    def __delitem__(self, key: int) -> None:
        found = _id_of(key)
        shard = None if found is None else self._shards.get(found >> SHIFT)
        if found is None or shard is None or found not in shard:
            raise KeyError(key)
        del shard[found]
        self._len -= 1
        if not shard:
            del self._shards[found >> SHIFT]

    def __iter__(self) -> Iterator[int]:
        return itertools.chain.from_iterable(list(self._shards.values()))

    def __len__(self) -> int:
        return self._len

    def values(self) -> ValuesView[V]:
        return _IdMapValues(self)

    def items(self) -> ItemsView[int, V]:
        return _IdMapItems(self)

    def keys(self) -> KeysView[int]:
        return KeysView(self)

    def __repr__(self) -> str:
        return f"IdMap({dict(self.items())!r})"


class _IdMapValues(ValuesView[V]):
    _mapping: IdMap[V]

    def __iter__(self) -> Iterator[V]:
        shards = list(self._mapping._shards.values())
        return itertools.chain.from_iterable(shard.values() for shard in shards)


class _IdMapItems(ItemsView[int, V]):
    _mapping: IdMap[V]

    def __iter__(self) -> Iterator[tuple[int, V]]:
        shards = list(self._mapping._shards.values())
        return itertools.chain.from_iterable(shard.items() for shard in shards)


class KeyMap(MutableMapping[str, V]):
    """A dict keyed by strings, in :data:`KEY_SHARDS` shards by hash (no order kept)."""

    __slots__ = ("_shards",)

    def __init__(self) -> None:
        self._shards: list[dict[str, V]] = [{} for _ in range(KEY_SHARDS)]

    def __getitem__(self, key: str) -> V:
        return self._shards[hash(key) & (KEY_SHARDS - 1)][key]

    def get(self, key: str, default: V | None = None) -> V | None:  # type: ignore[override]
        return self._shards[hash(key) & (KEY_SHARDS - 1)].get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._shards[hash(key) & (KEY_SHARDS - 1)]

    def __setitem__(self, key: str, value: V) -> None:
        self._shards[hash(key) & (KEY_SHARDS - 1)][key] = value

    def __delitem__(self, key: str) -> None:
        del self._shards[hash(key) & (KEY_SHARDS - 1)][key]

    def pop(self, key: str, *default: Any) -> Any:
        return self._shards[hash(key) & (KEY_SHARDS - 1)].pop(key, *default)

    def __iter__(self) -> Iterator[str]:
        return itertools.chain.from_iterable(list(self._shards))

    def __len__(self) -> int:
        return sum(len(shard) for shard in self._shards)

    def __repr__(self) -> str:
        return f"KeyMap({dict(self.items())!r})"


class IdSet(MutableSet[int]):
    """A set of int ids, in shards of an id range (a list's members)."""

    __slots__ = ("_len", "_shards")

    def __init__(self) -> None:
        self._shards: dict[int, set[int]] = {}
        self._len = 0

    def __contains__(self, key: object) -> bool:
        return _in_shards(self._shards, key)

    def add(self, value: int) -> None:
        number, shard = _shard_for(self._shards, value, set, "IdSet holds integer ids")
        if number not in shard:
            shard.add(number)
            self._len += 1

    def discard(self, value: int) -> None:
        found = _id_of(value)
        if found is None:
            return
        value = found
        number = value >> SHIFT
        shard = self._shards.get(number)
        if shard is not None and value in shard:
            shard.remove(value)
            self._len -= 1
            if not shard:
                del self._shards[number]

    def __iter__(self) -> Iterator[int]:
        return itertools.chain.from_iterable(list(self._shards.values()))

    def __len__(self) -> int:
        return self._len

    def __repr__(self) -> str:
        return f"IdSet({sorted(self)!r})"


__all__ = ["KEY_SHARDS", "SHIFT", "IdMap", "IdSet", "KeyMap"]
