"""The geography's on-disk form, made to load in a few hundredths of a second.

A ``marshal`` file of a few large strings and byte arrays rather than of 700,000 small
objects: alias keys and place fields joined by newlines, the (place, population, demonym)
entries of all aliases in one int64 array. Loading splits the strings and builds one dict of
keys; the entries of an alias become tuples when the matcher first looks it up, and a Place
when it is first asked for. (The nested dicts that ``marshal`` used to store took 0.5-1 s to
load: one object per alias, entry and population.)
"""

from __future__ import annotations

import marshal
from array import array
from collections.abc import Iterator, Sequence
from typing import Any

from newswatch.models import Place

Entry = tuple[int, int, int]  # place index, population, 1 for a demonym


def pack(places: Sequence[Sequence[str]], table: dict[str, tuple[Entry, ...]],
         names: dict[str, tuple[int, ...]], lengths: dict[str, tuple[int, ...]]
         ) -> dict[str, Any]:
    """The compact fields of a geography (see :class:`Table` and :class:`Places`)."""
    flat, offsets = array("q"), array("q", [0])
    for entries in table.values():
        for entry in entries:
            flat.extend(entry)
        offsets.append(len(flat))
    combos = sorted(set(lengths.values()))
    code = {c: i for i, c in enumerate(combos)}
    pairs = sorted({" ".join(k.split(" ", 2)[:2]) for k in table if " " in k})
    return {
        "places": ["\n".join(p[f] for p in places) for f in range(5)],
        "keys": "\n".join(table), "entries": flat.tobytes(), "offsets": offsets.tobytes(),
        "firsts": "\n".join(lengths), "combos": combos,
        "codes": bytes(code[c] for c in lengths.values()) if len(combos) < 256 else None,
        "lengths": None if len(combos) < 256 else lengths,
        "pairs": "\n".join(pairs), "names": marshal.dumps(names),
    }


def unpack_lengths(data: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    if data["lengths"] is not None:
        return data["lengths"]
    combos = [tuple(c) for c in data["combos"]]
    return dict(zip(data["firsts"].split("\n"), map(combos.__getitem__, data["codes"]),
                    strict=True))


def unpack_pairs(data: dict[str, Any]) -> frozenset[str]:
    return frozenset(data["pairs"].split("\n")) if data["pairs"] else frozenset()


class Table:
    """Folded alias -> its entries, best first (a read-only mapping, decoded on lookup)."""

    def __init__(self, keys: str, entries: bytes, offsets: bytes):
        self._keys = keys.split("\n") if keys else []
        self._index = dict(zip(self._keys, range(len(self._keys)), strict=True))
        self._flat, self._offsets = array("q", entries), array("q", offsets)
        self._seen: dict[str, tuple[Entry, ...]] = {}

    def get(self, key: str, default: Any = None) -> Any:
        found = self._seen.get(key)
        if found is not None:
            return found
        k = self._index.get(key)
        if k is None:
            return default
        flat, lo, hi = self._flat, self._offsets[k], self._offsets[k + 1]
        found = tuple((flat[j], flat[j + 1], flat[j + 2]) for j in range(lo, hi, 3))
        self._seen[key] = found
        return found

    def __getitem__(self, key: str) -> tuple[Entry, ...]:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


class Places(Sequence[Place]):
    """Places by index, each made when first asked for."""

    def __init__(self, fields: list[str]):
        self.ids, self.names, self.kinds, self.countries, self.regions = (
            f.split("\n") if f else [] for f in fields)
        self._made: list[Place | None] = [None] * len(self.ids)

    def __getitem__(self, i: Any) -> Any:
        if i.__class__ is int:  # the common case first: a Place made before
            place = self._made[i]
            if place is not None:
                return place
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        place = self._made[i]
        if place is None:
            place = Place(self.ids[i], self.names[i], self.kinds[i], self.countries[i],
                          self.regions[i])
            self._made[i] = place
        return place

    def __len__(self) -> int:
        return len(self.ids)

    def homes(self) -> list[str]:
        """The country of each place, or the place itself for a disputed territory."""
        return [c or i for i, c in zip(self.ids, self.countries, strict=True)]
