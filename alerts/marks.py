"""What makes two similar reports two events: places, armed groups, numbers of dead, dates.

Wire copy reuses sentences: "gunmen crossed the border and attacked a village in X" is the same
sentence for every raid, so word overlap alone merges raids in different places. A report carries
*marks*; two reports whose marks conflict are never one story, however similar their words.

Marks are short strings: ``P:`` the event place and ``p:`` every place (``id/country/region``,
from the classifier's ``Match.places``), ``g:`` named groups, ``n:`` numbers of dead, ``d:``
dates (month-day), and ``c:`` capitalised name-like words of the title and first sentence, the
fallback for the place when a report has no places. Conflicts (:func:`conflict`):

- places: the event places do not nest and neither report names the other's event place (or a
  place inside it);
- names (fallback, when either report has no places): each report has a capitalised name the
  other does not mention at all ("Tillaberi" against "Dosso");
- groups, numbers of dead, dates: both reports state some and they share none. A report that
  updates a toll ("the death toll rose to 30", ``u:toll``) does not conflict on numbers: its new
  figure is the same event's (places, groups and dates still tell two events apart).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from newswatch.models import Match, Place

_MONTHS = {m: i + 1 for i, m in enumerate(
    "january february march april may june july august september october november december".split()  # noqa: SIM905
)}
_NUMBER_WORDS = {w: i + 1 for i, w in enumerate((  # noqa: SIM905
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty").split()
)}
_DEATH = (r"(?:killed|killing|dead|died|deaths|bodies|slain|murdered|massacred|lives|"
          r"tués|morts|muertos|mortos|asesinados|getötet|tote|uccisi|morti)")
_NUM = r"(\d{1,5}|" + "|".join(_NUMBER_WORDS) + r")"
_DEAD_AFTER = re.compile(r"\b" + _NUM + r"\s+(?:[^\W\d_]+\s+){0,3}?" + _DEATH + r"\b", re.I)
_DEAD_BEFORE = re.compile(
    r"\b(?:kill(?:s|ed|ing)?|toll\s+(?:rises|rose|climbs|reaches|at)\s+(?:to\s+)?|left)\s+"
    r"(?:at\s+least\s+|some\s+|about\s+|nearly\s+|more\s+than\s+)?" + _NUM + r"\b", re.I)
_TOLL_UPDATE = re.compile(
    r"\b(?:toll|number of (?:dead|deaths|victims)|casualties)\b[^.!?]{0,40}?\b(?:rises|rose|risen|"
    r"climbs|climbed|jumps|jumped|reaches|reached|passes|passed|increases|increased|hits|"
    r"surpasses|tops|topped|grows|grew)\b|\brises?\s+to\s+\d", re.I)
_DATE_DM = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(" + "|".join(_MONTHS) + r")\b", re.I)
_DATE_MD = re.compile(r"\b(" + "|".join(_MONTHS) + r")\s+(\d{1,2})(?:st|nd|rd|th)?\b", re.I)
_DATE_ISO = re.compile(r"\b20\d\d-(\d\d)-(\d\d)\b")
WORD = re.compile(r"[^\W\d_]{3,}|\d{2,}", re.UNICODE)
_LEDE = re.compile(r".*?[.!?](?=\s+[A-Z\"“«]|$)", re.S)
_ENDS = ".!?:;\"“”«»"  # a word right after these starts a sentence
# Capitalised words that name no place or party: time words, titles, institutions, agencies.
_COMMON_CAPS = frozenset("""
    monday tuesday wednesday thursday friday saturday sunday today yesterday tonight
    president minister prime governor mayor police army military government ministry officials
    official spokesman spokeswoman forces troops authorities state region province district
    village city town border breaking update live exclusive video photos watch analysis opinion
    reuters afp associated press news agency north south east west northern southern eastern
    western central mr mrs ms dr gen col lt
""".split()) | frozenset(_MONTHS)  # noqa: SIM905
# Languages that capitalise every noun: the capitalised-name fallback means nothing there.
_NOUN_CAPS_LANGUAGES = {"de", "lb"}


def fold(word: str) -> str:
    """A crude plural/tense fold, so "floods"/"flooded"/"flood" agree."""
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _dead(found: Iterable[re.Match]) -> set[str]:
    out = set()
    for m in found:
        text = m.group(1)
        n = int(text) if text.isdigit() else _NUMBER_WORDS[text.lower()]
        if not 1900 <= n <= 2100:  # "the 2019 attack that killed": a year, not a toll
            out.add(f"n:{n}")
    return out


def _place(p: Place) -> str:
    return f"{p.id}/{p.country}/{p.region}"


def _names(segment: str) -> set[str]:
    """Capitalised name-like words not starting a sentence; none from a Title Case headline."""
    words = [w for w in WORD.finditer(segment) if not w.group().isdigit()]
    long = [w.group() for w in words if len(w.group()) >= 4]
    if long and sum(w[0].isupper() for w in long) / len(long) >= 0.6:
        return set()  # "Gunmen Attack Village In Tillaberi": capitals say nothing here
    out = set()
    for w in words:
        text = w.group()
        if len(text) < 3 or not text[0].isupper() or text.lower() in _COMMON_CAPS:
            continue
        before = segment[max(0, w.start() - 4) : w.start()].rstrip()
        if w.start() == 0 or not before and not segment[: w.start()].strip() or \
                before and before[-1] in _ENDS:
            continue
        out.add(fold(text.lower()))
    return out


def text_marks(title: str, summary: str, language: str | None = None) -> set[str]:
    """Numbers of dead, dates and (unless the language capitalises nouns) capitalised names."""
    text = f"{title}\n{summary}"
    marks = _dead(_DEAD_AFTER.finditer(text)) | _dead(_DEAD_BEFORE.finditer(text))
    if _TOLL_UPDATE.search(text):
        marks.add("u:toll")
    for m in _DATE_DM.finditer(text):
        marks.add(f"d:{_MONTHS[m.group(2).lower()]:02d}-{int(m.group(1)):02d}")
    for m in _DATE_MD.finditer(text):
        marks.add(f"d:{_MONTHS[m.group(1).lower()]:02d}-{int(m.group(2)):02d}")
    marks |= {f"d:{m.group(1)}-{m.group(2)}" for m in _DATE_ISO.finditer(text)}
    if (language or "").split("-")[0].lower() not in _NOUN_CAPS_LANGUAGES:
        lede = _LEDE.match(summary)  # the event's place is in the title or the first sentence
        parts = (title, lede.group() if lede else summary)
        marks |= {f"c:{n}" for part in parts for n in _names(part)}
    return marks


def match_marks(match: Match, title: str, summary: str) -> frozenset[str]:
    marks = text_marks(title, summary, match.article.language)
    if match.places:  # the names guess stays: it decides when the other report has no places
        marks.add(f"P:{_place(match.places[0])}")
        marks |= {f"p:{_place(p)}" for p in match.places}
    marks |= {f"g:{g.casefold()}" for g in match.groups}
    return frozenset(marks)


def _kind(marks: Iterable[str], prefix: str) -> set[str]:
    return {m[len(prefix):] for m in marks if m.startswith(prefix)}


def _inside(a: str, b: str) -> bool:
    """``a`` is ``b`` or lies inside it (places as ``id/country/region``)."""
    a_id, a_country, a_region = a.split("/")
    b_id = b.split("/")[0]
    return b_id in (a_id, a_country, a_region)


def _same_place(ev_a: set[str], ev_b: set[str], places_a: set[str], places_b: set[str]) -> bool:
    """The event places nest, or either report names the other's event place (or a place in
    it): a raid on two villages may lead with either. A shared country alone says nothing."""
    return any(_inside(x, y) or _inside(y, x) for x in ev_a for y in ev_b) or \
        any(_inside(p, e) for p in places_a for e in ev_b) or \
        any(_inside(p, e) for p in places_b for e in ev_a)


def conflict(a: frozenset[str], b: frozenset[str], a_words: frozenset[str],
             b_words: frozenset[str]) -> str | None:
    """Why reports with marks ``a`` and ``b`` (and folded words) are two events, or None."""
    ev_a, ev_b = _kind(a, "P:"), _kind(b, "P:")
    if ev_a and ev_b:
        if not _same_place(ev_a, ev_b, _kind(a, "p:"), _kind(b, "p:")):
            return "places"
    else:
        only_a, only_b = _kind(a, "c:") - b_words, _kind(b, "c:") - a_words
        if only_a and only_b:
            return "names"
    for prefix, why in (("g:", "groups"), ("n:", "numbers of dead"), ("d:", "dates")):
        if prefix == "n:" and ("u:toll" in a or "u:toll" in b):
            continue
        x, y = _kind(a, prefix), _kind(b, prefix)
        if x and y and not x & y:
            return why
    return None
