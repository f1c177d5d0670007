"""Gazetteer and cue-word features: a small dense block beside the word and char n-grams
(computed here without scikit-learn; :class:`classifiers.features.CueFeatures` is the
transformer).

They carry what n-grams learnt from our corpus cannot: that an unseen alias names a group,
that border and violence words occur together, that a "raid" story is about police or trade.
Groups and candidates are read from the whole text (title, summary, content: a long report may
name its groups only in its last paragraphs); word counts from the lede only (the first
:data:`classifiers.text.LEDE_CHARS` characters), as the n-grams are. A group named only as a
government or in a war's name is a passing mention: it has its own feature and does not count
as a named group.
"""

from __future__ import annotations

from functools import lru_cache
from math import log1p

from classifiers.context import active_groups
from classifiers.gazetteer import Gazetteer, Mention, default_gazetteer
from classifiers.geo import words as W
from classifiers.lexicon import ARMED, BLAZE, BORDER, FIRE, OFF_TOPIC, VIOLENCE
from classifiers.text import LEDE_CHARS, folded_tuple

FEATURES = (
    "group named",
    "groups named (count)",
    "group named with armed words",
    "candidate group name",
    "armed words",
    "border words",
    "violence words",
    "border and violence words",
    "border words and a group",
    "off-topic words (police, trade, sport...)",
    "group named only as a government or in a war's name",
)


# Each cue word's lists as bits (armed 1, border 2, violence 4, off-topic 8, "fire" 16, blaze
# 32, a violence word that is a weapon 64): one dict lookup per token of the lede instead of
# one set lookup per list.
_KIND: dict[str, int] = {}
for _bit, _words in ((1, ARMED), (2, BORDER), (4, VIOLENCE), (8, OFF_TOPIC), (16, FIRE),
                     (32, BLAZE), (64, VIOLENCE & W.WEAPONS)):
    for _w in _words:
        _KIND[_w] = _KIND.get(_w, 0) | _bit


@lru_cache(maxsize=4096)
def _mentions(text: str, gaz: Gazetteer) -> tuple[Mention, ...]:
    return tuple(gaz.mentions(text))


def mentions_of(text: str, gaz: Gazetteer | None = None) -> tuple[Mention, ...]:
    """Gazetteer mentions, cached: features and explanations of one batch share them."""
    return _mentions(text, gaz or default_gazetteer())


@lru_cache(maxsize=4096)
def _candidates(text: str, gaz: Gazetteer) -> tuple[str, ...]:
    return tuple(gaz.candidates(text, _mentions(text, gaz)))


def candidates_of(text: str, gaz: Gazetteer | None = None) -> tuple[str, ...]:
    return _candidates(text, gaz or default_gazetteer())


def cue_vector(text: str, gaz: Gazetteer | None = None) -> list[float]:
    gaz = gaz or default_gazetteer()
    low = folded_tuple(text[:LEDE_CHARS])
    mentions = mentions_of(text, gaz)
    groups = set(active_groups(mentions)) if mentions else ()
    passing = bool(mentions) and not groups
    armed = border = violence = off = fire = blaze = weapons = 0
    for k in filter(None, map(_KIND.get, low)):
        armed += k & 1
        border += k >> 1 & 1
        violence += k >> 2 & 1
        off += k >> 3 & 1
        fire += k & 20 == 20  # "fire" counted as a violence word
        blaze += k >> 5 & 1
        weapons += k >> 6
    if blaze:  # a house or forest fire, not gunfire (lexicon.BLAZE)
        violence -= fire
    if violence and violence == weapons and W.buildup_in(text[:LEDE_CHARS], low):
        violence = 0  # "masses troops and rockets on the border": weapons moved, not fired
    candidates = candidates_of(text, gaz) if armed else ()
    return [
        float(bool(groups)),
        log1p(len(groups)),
        float(bool(groups) and armed > 0),
        float(bool(candidates)),
        log1p(armed),
        log1p(border),
        log1p(violence),
        float(border > 0 and violence > 0),
        float(border > 0 and bool(groups or candidates)),
        log1p(off),
        float(passing),
    ]
