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
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from classifiers.geo import words as W
from classifiers.geo.index import Geography, stem
from classifiers.geo.words import common_words
from classifiers.text import _ASCII_TOKEN, folded_tuple, strip_accents, token_tuple
from newswatch.models import Place

_TOKEN = re.compile(r"[^\W_]+")
_CYRILLIC = re.compile("[\u0400-\u04ff]")


class PlaceMention(NamedTuple):
    """One place name or demonym in a text (a tuple: made for every name in every article)."""

    place: Place
    start: int  # token offsets
    end: int
    demonym: bool  # "Ukrainian", "Gazans"


class _Layout:
    """Where token ``i`` stands: mid-sentence in a line that is not Title Case? Computed on
    demand (only for names that are also common words or look like people's names)."""

    __slots__ = ("plain", "_found", "_spans", "lines")

    def __init__(self, text: str):
        self.plain = strip_accents(text)
        # Token spans as far as asked for (names are mostly near the start of a text)
        self._found = (_ASCII_TOKEN if self.plain.isascii() else _TOKEN).finditer(self.plain)
        self._spans: list[tuple[int, int]] = []
        self.lines: dict[int, bool] = {}

    def span(self, i: int) -> tuple[int, int]:
        spans = self._spans
        while len(spans) <= i:
            spans.append(next(self._found).span())
        return spans[i]

    def _line(self, i: int) -> tuple[int, list[str]]:
        """Where token ``i``'s line starts, and its words."""
        start = self.span(i)[0]
        lo = self.plain.rfind("\n", 0, start) + 1
        hi = self.plain.find("\n", start)
        return lo, self.plain[lo : hi if hi >= 0 else len(self.plain)].split()

    def title_case(self, i: int) -> bool:
        lo, words = self._line(i)
        if lo not in self.lines:
            caps = sum(1 for w in words if w[:1].isupper())
            self.lines[lo] = len(words) >= 4 and caps > 0.6 * len(words)
        return self.lines[lo]

    def shouting(self, i: int) -> bool:
        """Token ``i``'s line is mostly words in capitals ("BREAKING: US TROOPS ...")."""
        words = [w for w in self._line(i)[1] if w[:1].isalpha()]
        return sum(1 for w in words if w.isupper()) > 0.5 * len(words)

    def starts_sentence(self, i: int) -> bool:
        if i == 0:
            return True
        gap = self.plain[self.span(i - 1)[1] : self.span(i)[0]]
        return _BOUNDARY.search(gap) is not None

    def plain_name_position(self, i: int) -> bool:
        """Mid-sentence in a line that is not Title Case: capitals there mean a name."""
        return not self.title_case(i) and not self.starts_sentence(i)


_BOUNDARY = re.compile(r"[.!?:\"“\n]")
LONE_TOWN_POPULATION = 50_000
_PLACING = W.LOCATIVE | W.ATTACK | W.ORIGIN


def find(geo: Geography, text: str, skip: Iterable[tuple[int, int]] = ()) -> list[PlaceMention]:
    """Place mentions in ``text``, in order; token spans in ``skip`` (group names) are left out."""
    orig, low = token_tuple(text), folded_tuple(text)
    if len(orig) != len(low):
        return []
    if not text.isascii() and _CYRILLIC.search(text):  # (stem changes Cyrillic words only)
        low = tuple(map(stem, low))
    table, lengths, pairs, common = geo.table, geo.lengths, geo.pairs, common_words()
    kinds = geo.places.kinds  # by place index (no Place made to read its kind)
    # Names start with a capital (or are in a script without case): lower-case words, most of
    # a text, are skipped before any lookup.
    # (The capital first: a cheap test that most tokens fail, before the large table's.)
    candidates = [i for i, t in enumerate(low) if not orig[i][0].islower() and t in lengths]
    if not candidates:
        return []
    blocked = {i for a, b in skip for i in range(a, b)} if skip else ()
    raw: list[tuple[int, int, tuple[tuple[int, int, int], ...]]] = []
    layout: _Layout | None = None
    n, nxt = len(low), 0
    for i in candidates:
        if i < nxt or i in blocked:
            continue
        t = low[i]
        options = lengths[t]
        pair = f"{t} {low[i + 1]}" if options[0] > 1 and i + 1 < n else ""
        for length in options:
            if i + length > n or (length > 1 and pair not in pairs):
                continue
            hit = table.get(" ".join(low[i : i + length]) if length > 1 else t)
            if not hit:
                continue
            first = orig[i][0]
            if first.islower() or (length == 1 and len(orig[i]) <= 3 and not orig[i].isupper()
                                   and first.lower() != first.upper()):
                continue  # names are capitalised; short ones ("US", "UAE") in capitals
            if length == 1:
                if orig[i].isupper() and len(orig[i]) <= 4:
                    # "UN", "IS", "CAR": an acronym names a country or territory, not a town
                    hit = tuple(e for e in hit if kinds[e[0]] in ("country", "territory"))
                    if not hit:
                        continue
                # A town's name beside another capitalised word may be a person's ("David
                # Cameron") or a thing's ("Iron Dome"): look closer only then.
                town = _small_town(kinds, hit) and (
                    (i + 1 < n and orig[i + 1][0].isupper()) or (i and orig[i - 1][0].isupper()))
                if t in common and orig[i].isupper() and len(orig[i]) <= 4:
                    # An abbreviation in capitals ("US", "UK") is a name, unless the line
                    # is all capitals
                    layout = layout or _Layout(text)
                    if layout.shouting(i):
                        continue
                elif t in common or town:
                    layout = layout or _Layout(text)
                    plain = layout.plain_name_position(i)
                    if t in common and not plain:
                        continue
                    if town and plain and _in_person_name(
                            layout.plain, orig, i, layout.starts_sentence(i - 1) if i else True):
                        continue
            raw.append((i, i + length, hit))
            nxt = i + length
            break
    return _choose(geo, raw, low)


def _small_town(kinds: Sequence[str], hit: tuple) -> bool:
    e = hit[0]
    return not e[2] and kinds[e[0]] == "city" and e[1] < 1_000_000


def _in_person_name(plain: str, orig: Sequence[str], i: int, prev_starts: bool) -> bool:
    """A town's name inside a run of capitalised words ("David Cameron", "Iron Dome")."""
    nxt = orig[i + 1] if i + 1 < len(orig) else ""
    prev = orig[i - 1] if i else ""
    return _joined(plain, orig, i, nxt) or (
        not prev_starts and prev[:1].isupper() and _joined(plain, orig, i - 1, orig[i]))


def _joined(plain: str, orig: Sequence[str], i: int, nxt: str) -> bool:
    """``orig[i]`` is followed by ``nxt`` with only a space between, and ``nxt`` is capitalised
    (``plain``: the text without accents, as tokens are)."""
    if not nxt[:1].isupper():
        return False
    return f"{orig[i]} {nxt}" in plain


def _choose(geo: Geography, raw: list, low: Sequence[str]) -> list[PlaceMention]:
    if len(raw) == 1:
        (start, end, hit), = raw
        return [PlaceMention(geo.places[hit[0][0]], start, end, bool(hit[0][2]))]
    homes, places, kinds = geo.homes, geo.places, geo.places.kinds
    sure = {homes[h[0][0]] for _, _, h in raw if len(h) == 1}
    chosen = []
    for start, end, hit in raw:
        best = hit[0] if len(hit) == 1 else next(
            (e for e in hit if homes[e[0]] in sure), hit[0])
        chosen.append((start, end, best))
    # A small town of a country the text names nowhere else, beside a region or town of another
    # country and not placed by a word ("in", "stormed", "from"), is a word that happens to be a
    # town's name ("the Lido beach hotel" in Mogadishu, "the Fairview fire" in California).
    local = {homes[e[0]] for _, _, e in chosen if not e[2] and kinds[e[0]] != "country"}
    return [PlaceMention(places[e[0]], start, end, bool(e[2])) for start, end, e in chosen
            if not (_lone_town(kinds, e) and local - {homes[e[0]]}
                    and (not start or low[start - 1] not in _PLACING)
                    and sum(homes[o[0]] == homes[e[0]] for _, _, o in chosen) == 1)]


def _lone_town(kinds: Sequence[str], e: tuple) -> bool:
    return not e[2] and kinds[e[0]] == "city" and e[1] < LONE_TOWN_POPULATION

