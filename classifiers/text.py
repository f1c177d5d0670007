"""Text folding and tokenising shared by the gazetteer, the features and the watch rules.

Folding is case- and accent-insensitive and Cyrillic aware (``\\w`` is Unicode); hyphens,
quotes and apostrophes become spaces so "Al-Aqsa Martyrs' Brigades", "Al Aqsa Martyrs Brigades"
and "Легион «Свобода России»" all tokenise the way their aliases do.
"""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\-\u2010-\u2015_'\u2018\u2019\u02bc`\"\u201c\u201d\u201e\u00ab\u00bb/]")
_TOKEN = re.compile(r"\w+")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower-case and strip accents, so 'Kursk', 'KURSK' and 'Kúrsk' compare equal."""
    return strip_accents(text.casefold())


def tokens(text: str) -> list[str]:
    """Accent-stripped tokens in their original case (hyphens and quotes split words)."""
    return _TOKEN.findall(_SEPARATORS.sub(" ", strip_accents(text)))


def folded_tokens(text: str) -> list[str]:
    return [t.casefold() for t in tokens(text)]


def normalise(text: str) -> str:
    """Folded text with separators collapsed: the form watch phrases are searched in."""
    return " ".join(folded_tokens(text))
