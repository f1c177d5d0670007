"""Contested and conflict territories (Gaza Strip, Crimea, Donbas, Kashmir, Karabakh...).

No maintained package lists them with the names news uses, so this is the one hand-written
list of the geography (``classifiers/data/territories.json``): the territory's canonical
English name (its Place id), the ISO country it lies in by ISO 3166 ("" where two states claim
it, with ``neighbours`` then), an ISO 3166-2 region where one exists, aliases in the languages
we know and adjectives ("Gazan", "Crimean").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class TerritoryData:
    id: str
    country: str
    region: str
    names: tuple[str, ...]
    adjectives: tuple[str, ...]
    neighbours: frozenset[str]


@cache
def load_territories() -> tuple[TerritoryData, ...]:
    raw = json.loads(
        resources.files("classifiers.data").joinpath("territories.json").read_text("utf-8")
    )
    out = []
    for i, t in enumerate(raw):
        try:
            out.append(TerritoryData(
                t["id"], t.get("country", ""), t.get("region", ""),
                tuple(dict.fromkeys([t["id"], *t.get("aliases", [])])),
                tuple(t.get("adjectives", [])), frozenset(t.get("neighbours", [])),
            ))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"classifiers/data/territories.json: entry {i}: {exc}") from None
    return tuple(out)
