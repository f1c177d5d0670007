"""First-level regions (oblasts, provinces, governorates, states) from pycountry's ISO 3166-2.

ISO 3166-2 names are local romanisations ("Belgorodskaya oblast'", "Kharkivska oblast",
"Ḩalab"); news writes "Belgorod region", "Kharkiv oblast", "Aleppo province". So each region
is paired with the GeoNames first-level division (``admin1code``) whose largest cities share its
stem ("Belgorod", "Halab" = Aleppo), which gives the English name and the region of every city
in it. Names: the ISO name, its Russian/Ukrainian translations, and the English name with and
without a type word ("region", "oblast", "province", ...).
"""

from __future__ import annotations

import gettext
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from classifiers.text import fold, tokens

TYPE_WORDS = frozenset(
    """oblast oblast' oblasti province provincia provinsi governorate muhafazat state region
    regione kray krai respublika republic of territory district division county prefecture
    department departement autonomous avtonomnyy avtonomna okrug wilayah wilaya vilayeti
    estado departamento""".split()  # noqa: SIM905 (a word list reads better as text)
)
TYPE_SUFFIXES = ("region", "oblast", "province", "governorate", "state")
_STEM_ENDINGS = ("skaya", "skiy", "skyi", "ska", "ske", "ka", "aya", "iy", "ya", "a")
LANGUAGES = ("ru", "uk")
# Regions named by a bare direction ("Western", "Central") are found only with a type word.
_DIRECTIONS = frozenset("""north south east west northern southern eastern western central
    northeast northwest southeast southwest north-east north-west south-east south-west
    centre center upper lower coast coastal""".split())  # noqa: SIM905
# Regions named after a wider area that news means far more often: Burkina Faso's Sahel region
# is "Sahel Region", while "the Sahel" is the belt from Senegal to Sudan.
_WIDE_AREAS = frozenset({"sahel"})
_NOT_NAMES = _DIRECTIONS | _WIDE_AREAS


@dataclass(frozen=True, slots=True)
class RegionData:
    code: str  # ISO 3166-2, e.g. "RU-BEL"
    country: str
    name: str  # English name where one was found, else the ISO name
    names: tuple[str, ...]
    bare: bool  # the English name alone names the region (no city of that name)


def _stems(name: str) -> set[str]:
    words = [w for w in fold(" ".join(tokens(name))).split() if w not in TYPE_WORDS]
    stem = " ".join(words)
    out = {stem} if stem else set()
    for ending in _STEM_ENDINGS:
        if stem.endswith(ending) and len(stem) - len(ending) >= 3:
            out.add(stem[: -len(ending)])
    return out


def _prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _score(stems: set[str], city_names: list[tuple[str, str]]) -> tuple[int, str]:
    best, name = 0, ""
    for stem in stems:
        for city, folded in city_names:
            if folded[:3] != stem[:3]:
                continue
            p = _prefix(stem, folded)
            if p >= 3 and p >= min(len(stem), len(city)) - 2 and p > best:
                best, name = p, city
    return best, name


_DIGRAPHS = str.maketrans({"š": "sh", "Š": "Sh", "ž": "zh", "Ž": "Zh", "č": "ch", "Č": "Ch",
                            "ġ": "gh", "ṙ": "r", "'": "", "’": ""})


def digraphs(name: str) -> str | None:
    """The English-news spelling of a scientific transliteration ("Tavuš" -> "Tavush",
    "Syunik'" -> "Syunik"), or None when it is the same."""
    out = name.translate(_DIGRAPHS)
    return out if out != name else None


def _translations() -> list[gettext.NullTranslations]:
    import pycountry

    out = []
    for lang in LANGUAGES:
        try:
            out.append(gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[lang]))
        except OSError:
            continue
    return out


@cache
def load_regions(cities: tuple[tuple[str, str, str, tuple[str, ...]], ...]) -> tuple[
        dict[str, RegionData], dict[tuple[str, str], str]]:
    """Regions by ISO code, and (country, GeoNames admin1code) -> ISO code.

    ``cities``: (country, admin1code, name, latin alternate names), largest first."""
    import pycountry

    groups: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    sizes: dict[tuple[str, str], int] = defaultdict(int)
    for country, admin1, name, alternates in cities:
        key = (country, admin1)
        sizes[key] += 1
        if sizes[key] <= 3:
            groups[key].extend((name, fold(n)) for n in (name, *alternates))
    by_country: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for country, admin1 in groups:
        by_country[country].append((country, admin1))
    translations = _translations()
    regions: dict[str, RegionData] = {}
    admin1_map: dict[tuple[str, str], str] = {}
    city_names = {fold(name) for _, _, name, _ in cities}
    for sub in pycountry.subdivisions:
        if getattr(sub, "parent_code", None):
            continue
        country = sub.country_code
        stems = _stems(sub.name)
        scored = [(_score(stems, groups[key]), key) for key in by_country.get(country, [])]
        scored = [s for s in scored if s[0][0]]
        english = " ".join(w for w in sub.name.split() if fold(w) not in TYPE_WORDS)
        if scored:
            (_, city), key = max(scored)
            if key not in admin1_map:
                admin1_map[key] = sub.code
                english = city if city.isascii() else english
        english = digraphs(english or sub.name) or english or sub.name
        names = [sub.name, *(t.gettext(sub.name) for t in translations)]
        names += [f"{english} {suffix}" for suffix in TYPE_SUFFIXES]
        bare = (fold(english) not in city_names and not english.endswith(" Sea")
                and fold(english) not in _DIRECTIONS)
        if bare:
            names.append(english)
        names += [d for d in map(digraphs, names) if d]
        names = [n for n in names if fold(n) not in _NOT_NAMES]
        regions[sub.code] = RegionData(sub.code, country, english,
                                       tuple(dict.fromkeys(names)), bare)
    return regions, admin1_map
