"""Candidate group names: capitalised names that look like armed groups ("Black Sea Partisan
Brigade") but are not in the gazetteer, in a text with armed vocabulary.

A candidate is never a group already matched, an alias of one, nor a part of one ("Russia
Legion" beside "Freedom of Russia Legion"); known state or civic bodies ("American Legion",
"Armed Forces") are not candidates. The scan is one regex pass over the text: linear in its
length.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from classifiers.lexicon import ARMED, CANDIDATE_SUFFIXES, NOT_GROUPS, STATE_OR_FILLER
from classifiers.text import fold, folded_tokens, folded_tuple, tokens

if TYPE_CHECKING:
    from classifiers.gazetteer import Gazetteer, Mention

_NAME_WORD = r"(?:[A-Z\u0400-\u042F][\w\u2019'.-]*|of|the|for|al|el|de|du|la)"
# Words of a name are separated by spaces within one line ([ \t], never a line break).
_PATTERN = (
    rf"\b(?:{_NAME_WORD}[ \t]+){{1,5}}(?:{'|'.join(CANDIDATE_SUFFIXES)})\b"
    r"(?:[ \t]+(?:of|for)[ \t]+(?:the[ \t]+)?[A-Z][\w'-]+(?:[ \t]+(?:of[ \t]+)?[A-Z][\w'-]+)"
    r"{0,3})?"
)
_CANDIDATE = re.compile(_PATTERN)
_ASCII_CANDIDATE = re.compile(_PATTERN, re.ASCII)  # the same matches in ASCII text, faster
_SUFFIXES = frozenset(fold(s) for s in CANDIDATE_SUFFIXES)
_ARMED_NOT_SUFFIX = ARMED - _SUFFIXES


def _words(name: str) -> str:
    return f" {' '.join(folded_tokens(name))} "


_NOT = frozenset(_words(n) for n in NOT_GROUPS)


def candidates(gaz: Gazetteer, text: str, known: Iterable[Mention] = ()) -> list[str]:
    low = folded_tuple(text)
    if _ARMED_NOT_SUFFIX.isdisjoint(low):
        return []
    if text.isascii() and _SUFFIXES.isdisjoint(low):
        return []  # in ASCII text a suffix the pattern matches is a token of its own
    # Names of what is matched already: the aliases as written and the canonical names.
    taken = {_words(m.alias) for m in known} | {_words(m.group) for m in known}
    out: list[str] = []
    title_case: dict[int, bool] = {}  # line start -> the line is a Title Case headline
    pattern = _ASCII_CANDIDATE if text.isascii() else _CANDIDATE
    for m in pattern.finditer(text):  # one pass over the text; lines judged when matched
        start = text.rfind("\n", 0, m.start()) + 1
        if start not in title_case:
            end = text.find("\n", m.end())
            words = text[start : end if end >= 0 else len(text)].split()
            capitals = len([w for w in words if w[:1].isupper()])
            title_case[start] = len(words) >= 4 and capitals > 0.6 * len(words)
        if title_case[start]:
            continue  # Title Case headline: every word looks like a name
        name = _trim(m.group(0))
        if name and name not in out and _new(gaz, name, taken):
            out.append(name)
    return out


def _new(gaz: Gazetteer, name: str, taken: set[str]) -> bool:
    folded = _words(name)
    if any(n in folded for n in _NOT):
        return False
    # Contains a matched name, or is a part of one.
    if any(t in folded or folded in t for t in taken):
        return False
    return not gaz.resolve(name)


def _trim(name: str) -> str:
    words = name.split()
    while len(words) > 1 and (
        words[0][:1].islower() or fold(words[0]) in STATE_OR_FILLER or fold(words[0]) in ARMED
    ):
        words.pop(0)
    if len(words) < 2 or not tokens(name):
        return ""
    return " ".join(words)
