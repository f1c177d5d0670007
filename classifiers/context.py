"""Context rules of the gazetteer: when an ambiguous alias names the group, and in what role.

An ambiguous alias ("Wagner", "Legion", "IS", "Houthi") counts when, in this order:

1. none of its group's ``not_context`` words (homonyms: "opera", "composer") is within
   :data:`VETO_WINDOW` tokens, and it is not inside another name ("Richard Wagner");
2. one of its group's ``leaders`` (founders, commanders: "Prigozhin") is within
   :data:`LEADER_WINDOW` tokens, or one of its group's ``context`` words or places (unit words,
   the towns it fought for: "force", "Bakhmut") within :data:`PLACE_WINDOW`, or a generic
   armed word (:data:`classifiers.lexicon.GROUP_CONTEXT`) within :data:`CONTEXT_WINDOW`, or
   another group is named unambiguously in the same text.

Every accepted mention also gets a *role*: ``"government"`` when the group is named as the
government of a place ("the Taliban-run administration", "the health ministry run by Hamas"),
``"war-name"`` when it is named only in the name of a war ("amid the Israel-Hamas war"), else
``""``. A group named only in those roles is a passing mention: it does not count as a named
armed group (see :func:`active_groups`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from classifiers.lexicon import GOVERNMENT, GROUP_CONTEXT, STATE_OR_FILLER, WAR_SIDES
from classifiers.text import folded_tokens

CONTEXT_WINDOW = 3
PLACE_WINDOW = 15
LEADER_WINDOW = 25
VETO_WINDOW = 12

Phrase = tuple[str, ...]


Index = dict[str, tuple[Phrase, ...]]  # first token -> the phrases starting with it


def _index(items: Iterable[str]) -> Index:
    out: dict[str, list[Phrase]] = {}
    for item in items:
        phrase = tuple(folded_tokens(item))
        if phrase:
            out.setdefault(phrase[0], []).append(phrase)
    return {k: tuple(v) for k, v in out.items()}


@dataclass(frozen=True, slots=True)
class GroupRules:
    """A group's own context data, as folded token sequences indexed by their first token."""

    leaders: Index = field(default_factory=dict)
    context: Index = field(default_factory=dict)
    not_context: Index = field(default_factory=dict)

    @classmethod
    def build(cls, leaders: Iterable[str], context: Iterable[str], not_context: Iterable[str]
              ) -> GroupRules:
        return cls(_index(leaders), _index(context), _index(not_context))

    def __bool__(self) -> bool:
        return bool(self.leaders or self.context or self.not_context)

    def __contains__(self, word: str) -> bool:
        """True when ``word`` alone is one of the group's leaders or context words."""
        return (word,) in self.leaders.get(word, ()) or (word,) in self.context.get(word, ())


NO_RULES = GroupRules()


def _has(low: Sequence[str], lo: int, hi: int, phrases: Index, skip: tuple[int, int]) -> bool:
    """True when one of ``phrases`` starts within ``low[lo:hi]`` (outside the alias itself):
    one dict lookup per token of the window."""
    if not phrases:
        return False
    n = len(low)
    for i in range(max(0, lo), min(n, hi)):
        starting = phrases.get(low[i])
        if starting is None or skip[0] <= i < skip[1]:
            continue
        for p in starting:
            if len(p) == 1 or tuple(low[i : i + len(p)]) == p:
                return True
    return False


def vetoed(low: Sequence[str], start: int, end: int, rules: GroupRules) -> bool:
    return _has(low, start - VETO_WINDOW, end + VETO_WINDOW, rules.not_context, (start, end))


def confirmed(low: Sequence[str], start: int, end: int, rules: GroupRules) -> str:
    """Why an ambiguous alias at ``low[start:end]`` names its group ('' when nothing says so)."""
    span = (start, end)
    if _has(low, start - LEADER_WINDOW, end + LEADER_WINDOW, rules.leaders, span):
        return "leader"
    if _has(low, start - PLACE_WINDOW, end + PLACE_WINDOW, rules.context, span):
        return "context"
    window = low[max(0, start - CONTEXT_WINDOW) : end + CONTEXT_WINDOW]
    if not GROUP_CONTEXT.isdisjoint(window):
        return "armed words"
    return ""


_RUN = frozenset({"run", "led", "controlled", "appointed", "installed"})
_BY = frozenset({"run", "led", "controlled", "headed"})
_WAR = frozenset({"war", "conflict", "wars"})
_OWN = frozenset({"s", "de", "facto", "interim", "caretaker", "new", "health", "interior",
                  "foreign", "defence", "defense", "education", "information", "economy",
                  "finance", "acting", "local", "provincial", "the"})


def role(low: Sequence[str], orig: Sequence[str], start: int, end: int) -> str:
    """'government', 'war-name' or '' for the mention at token span ``[start, end)``."""
    after = list(low[end : end + 5])
    # "<group>-run ministry", "<group> government", "<group>'s interim administration"
    k = 1 if after[:1] and after[0] in _RUN else 0
    while k < len(after) and after[k] in _OWN:
        k += 1
    if k < len(after) and after[k] in GOVERNMENT:
        return "government"
    # "the ministry run by Hamas", "the government led by the Taliban"
    before = list(low[max(0, start - 7) : start])
    if before[-1:] == ["the"]:
        before.pop()
    if len(before) >= 2 and before[-1] == "by" and before[-2] in _BY and GOVERNMENT & set(before):
        return "government"
    # "the Israel-Hamas war", "Hamas-Israel conflict": the group beside a country, then "war"
    prev = low[start - 1] if start > 0 else ""
    if after[:1] and after[0] in _WAR and prev in WAR_SIDES:
        return "war-name"
    if len(after) >= 2 and after[0] in WAR_SIDES and after[1] in _WAR:
        return "war-name"
    return ""


def inside_name(orig: Sequence[str], start: int, alias_case_sensitive: bool,
                rules: GroupRules, low: Sequence[str]) -> bool:
    """'American Legion', 'Richard Wagner': a word alias preceded by a capitalised word that
    is not a nationality or a word of the group's own context ('Russian Wagner fighters')."""
    if start == 0 or alias_case_sensitive:
        return False
    prev = orig[start - 1]
    if not prev[:1].isupper():
        return False
    folded = low[start - 1]
    if folded in _SENTENCE_WORDS or folded in STATE_OR_FILLER:
        return False
    return folded not in rules


_SENTENCE_WORDS = frozenset({"the", "a", "and", "but", "as", "in", "on", "says", "said", "kremlin",
                             "moscow", "pro", "ex", "former", "rebel", "rebels"})


def shouting(orig: Sequence[str], start: int, end: int) -> bool:
    """An all-caps abbreviation alias ('IS') between other all-caps words: a shouted headline
    ('WHAT IS THE PLAN'), not the group."""
    def caps(i: int) -> bool:
        return 0 <= i < len(orig) and len(orig[i]) >= 2 and orig[i].isupper()

    return caps(start - 1) and caps(end)


def active_groups(mentions: Iterable[object]) -> list[str]:
    """Groups with at least one mention outside a government or war-name role, in order."""
    return list(dict.fromkeys(m.group for m in mentions if not m.role))  # type: ignore[attr-defined]


def passing_groups(mentions: Iterable[object]) -> dict[str, str]:
    """Groups named *only* as a government or in a war's name -> that role."""
    mentions = list(mentions)
    active = set(active_groups(mentions))
    out: dict[str, str] = {}
    for m in mentions:
        if m.group not in active:  # type: ignore[attr-defined]
            out.setdefault(m.group, m.role)  # type: ignore[attr-defined]
    return out
