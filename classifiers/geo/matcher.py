"""Find place names and demonyms in a text: token lookups in the geography's alias table.

Token lookups beat an Aho-Corasick automaton here (see docs/classifier.md: the text is already
tokenised for the model, and most tokens are not the first word of any alias). A match counts
when it is written as a name: with a capital (Latin and Cyrillic), and, for aliases that are
also ordinary words ("Police", "Split", "Mobile"), only mid-sentence in a line that is not in
Title Case. Short single-word aliases (<= 3 letters) must be in capitals ("US", "UAE").
Where an alias names several places ("Tripoli", "Georgia"), the one in a country the text
names elsewhere wins, else the best ranked (territory, country, region, city; then population).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from classifiers.geo.index import Geography, home, stem
from classifiers.geo.words import common_words
from classifiers.text import folded_tokens, strip_accents, tokens
from newswatch.models import Place

_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class PlaceMention:
    place: Place
    start: int  # token offsets
    end: int
    demonym: bool  # "Ukrainian", "Gazans"


def _title_case_lines(text: str) -> list[tuple[int, bool]]:
    """(token offset where each line starts, whether the line is in Title Case)."""
    out, offset = [], 0
    for line in text.splitlines() or [""]:
        words = line.split()
        caps = [w for w in words if w[:1].isupper()]
        out.append((offset, len(words) >= 4 and len(caps) > 0.6 * len(words)))
        offset += len(_TOKEN.findall(strip_accents(line)))
    return out


def _sentence_starts(text: str) -> set[int]:
    """Token offsets that begin a line or follow . ! ? : or a quote."""
    starts, prev_end = set(), 0
    plain = strip_accents(text)
    for n, m in enumerate(_TOKEN.finditer(plain)):
        gap = plain[prev_end : m.start()]
        if n == 0 or "\n" in gap or any(c in gap for c in ".!?:\"“"):
            starts.add(n)
        prev_end = m.end()
    return starts


def _cased_ok(tok: str, single: bool) -> bool:
    first = tok[:1]
    if first.lower() == first.upper():  # Arabic and other scripts without case
        return True
    if single and len(tok) <= 3:
        return tok.isupper()
    return first.isupper()


def find(geo: Geography, text: str, skip: Iterable[tuple[int, int]] = ()) -> list[PlaceMention]:
    """Place mentions in ``text``, in order; token spans in ``skip`` (group names) are left out."""
    orig, low = tokens(text), folded_tokens(text)
    if len(orig) != len(low):
        return []
    if not text.isascii():
        low = [stem(t) for t in low]
    blocked = {i for a, b in skip for i in range(a, b)}
    table, lengths, common = geo.table, geo.lengths, common_words()
    raw: list[tuple[int, int, tuple[tuple[int, int, int], ...]]] = []
    layout: list = []  # (title-case lines, sentence starts), computed when first needed

    def plain_name_position(i: int) -> bool:
        """Mid-sentence in a line that is not Title Case: capitals there mean a name."""
        if not layout:
            layout.extend((_title_case_lines(text), _sentence_starts(text)))
        title = [tc for off, tc in layout[0] if off <= i][-1]
        return not title and i not in layout[1]

    n, nxt = len(low), 0
    for i, t in enumerate(low):
        if i < nxt or t not in lengths or i in blocked:
            continue
        for length in lengths[t]:
            if i + length > n:
                continue
            hit = table.get(" ".join(low[i : i + length]) if length > 1 else t)
            if not hit or not _cased_ok(orig[i], length == 1):
                continue
            if length == 1 and orig[i].isupper() and len(orig[i]) <= 4:
                # "UN", "IS", "CAR": an acronym names a country or territory, never a town
                hit = tuple(e for e in hit if geo.places[e[0]].kind in ("country", "territory"))
                if not hit:
                    continue
            if length == 1 and t in common and not plain_name_position(i):
                continue
            if length == 1 and _small_town(geo, hit) and plain_name_position(i) and (
                    _in_person_name(text, orig, i, i - 1 in layout[1])):
                continue
            raw.append((i, i + length, hit))
            nxt = i + length
            break
    return _choose(geo, raw)


def _small_town(geo: Geography, hit: tuple) -> bool:
    e = hit[0]
    return not e[2] and geo.places[e[0]].kind == "city" and e[1] < 1_000_000


def _in_person_name(text: str, orig: list[str], i: int, prev_starts: bool) -> bool:
    """A town's name inside a run of capitalised words ("David Cameron", "Iron Dome")."""
    nxt = orig[i + 1] if i + 1 < len(orig) else ""
    prev = orig[i - 1] if i else ""
    return _joined(text, orig, i, nxt) or (
        not prev_starts and prev[:1].isupper() and _joined(text, orig, i - 1, orig[i]))


def _joined(text: str, orig: list[str], i: int, nxt: str) -> bool:
    """``orig[i]`` is followed by ``nxt`` with only a space between, and ``nxt`` is capitalised."""
    if not nxt[:1].isupper():
        return False
    return f"{orig[i]} {nxt}" in strip_accents(text)


def _choose(geo: Geography, raw: list) -> list[PlaceMention]:
    sure = {home(geo.places[h[0][0]]) for _, _, h in raw if len({e[0] for e in h}) == 1}
    out = []
    for start, end, hit in raw:
        best = next((e for e in hit if home(geo.places[e[0]]) in sure), hit[0])
        out.append(PlaceMention(geo.places[best[0]], start, end, bool(best[2])))
    return out


@lru_cache(maxsize=4096)
def mentions(text: str) -> tuple[PlaceMention, ...]:
    from classifiers.geo.index import default_geography

    return tuple(find(default_geography(), text))
