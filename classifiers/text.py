"""Text folding and tokenising shared by the gazetteer, the features and the watch rules.

Folding is case- and accent-insensitive and Cyrillic aware (``\\w`` is Unicode); hyphens,
quotes and apostrophes become spaces so "Al-Aqsa Martyrs' Brigades", "Al Aqsa Martyrs Brigades"
and "Легион «Свобода России»" all tokenise the way their aliases do.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

# The lede: what the model's n-grams read (title + the start of the text). The gazetteer reads
# the whole text.
LEDE_CHARS = 2000


def ledes(texts: Iterable[str]) -> list[str]:
    """The first :data:`LEDE_CHARS` characters of each text."""
    return [t[:LEDE_CHARS] for t in texts]

# Letters and digits; hyphens, quotes, apostrophes and underscores separate tokens.
_TOKEN = re.compile(r"[^\W_]+")
# The same tokens of an ASCII text, found faster (no Unicode class lookups): most news is ASCII.
_ASCII_TOKEN = re.compile(r"[^\W_]+", re.ASCII)
# Faster still: ASCII separators to spaces (and letters to lower case), then str.split. As
# byte tables: bytes.translate is one table lookup per character (str.translate looks each
# distinct character up in a dict again for every text).
_ASCII_SPLIT = bytes(i if chr(i).isalnum() else 32 for i in range(128)) + b" " * 128
_ASCII_FOLD = bytes(ord(chr(i).lower()) if chr(i).isalnum() else 32 for i in range(128)) + (
    b" " * 128)


_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def strip_accents(text: str) -> str:
    if text.isascii():
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


def fold(text: str) -> str:
    """Lower-case and strip accents, so 'Kursk', 'KURSK' and 'Kúrsk' compare equal."""
    return strip_accents(text.casefold())


@lru_cache(maxsize=8192)
def _tokens(text: str) -> tuple[str, ...]:
    if text.isascii():
        return tuple(text.encode().translate(_ASCII_SPLIT).decode().split())
    return tuple(_TOKEN.findall(strip_accents(text)))


token_tuple = _tokens  # the same, as the cached tuple itself (read-only callers)


def tokens(text: str) -> list[str]:
    """Accent-stripped tokens in their original case (hyphens and quotes split words)."""
    return list(_tokens(text))


@lru_cache(maxsize=8192)
def _folded(text: str) -> tuple[str, ...]:
    if text.isascii():  # lower-casing ASCII moves no token boundary
        return tuple(text.encode().translate(_ASCII_FOLD).decode().split())
    # Fold the whole text once (casefold never creates a separator), then tokenise.
    return tuple(_TOKEN.findall(strip_accents(text.casefold())))


folded_tuple = _folded


def folded_tokens(text: str) -> list[str]:
    """Case- and accent-folded tokens (cached: features of one batch share them)."""
    return list(_folded(text))


# "Related: <headline>; <headline>" and "Read more: ..." trailing a plain-text description:
# other stories' headlines, cut from the marker to the end of its line before classification
# (the collector drops the HTML form of these lists; this catches the plain-text form).
_RELATED = re.compile(
    r"(?:(?<=[.!?\u2026])[ \t]+|(?<=\n))(?:related(?:[ \t]+(?:stories|coverage|articles|news|"
    r"links))?|read[ \t]+(?:more|also)|also[ \t]+read|see[ \t]+also|more[ \t]+from[ \t]+[\w \t]"
    r"{1,30}|more[ \t]+stories|top[ \t]+stories|latest[ \t]+news|recommended)[ \t]*:[^\n]*",
    re.IGNORECASE,
)

# Every marker above contains one of these words (a quick test before the pattern).
_MARKER_WORDS = ("related", "read", "see", "more", "top", "latest", "recommended")


def strip_related(text: str) -> str:
    """``text`` without trailing lists of related headlines ("Related: ...", "Read more: ...")."""
    if ":" not in text:
        return text
    if text.isascii():  # (ASCII: case-insensitive is lower case) no marker word, no list
        low = text.lower()
        if not any(word in low for word in _MARKER_WORDS):
            return text
    return _RELATED.sub("", text)


def normalise(text: str) -> str:
    """Folded text with separators collapsed: the form watch phrases are searched in."""
    return " ".join(folded_tokens(text))


def model_texts(X: Iterable[str]) -> list[str]:
    """The texts a model reads (related-headline lists cut); ValueError for anything but an
    iterable of strings."""
    if isinstance(X, str):
        raise ValueError("X must be an iterable of texts, not a single string")
    texts = list(X)
    if not all(isinstance(t, str) for t in texts):
        raise ValueError("X must contain only strings (title + summary of each article)")
    return [strip_related(t) for t in texts]
