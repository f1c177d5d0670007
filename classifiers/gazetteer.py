"""The named armed-group gazetteer: alias resolution, context rules and candidate names.

Aliases are matched on token sequences (see :mod:`classifiers.text`), longest first, so
"Islamic State Khorasan Province" wins over "Islamic State". Abbreviations and other all-caps
aliases ("IS", "RDK", "ЛСР") match case-sensitively, everything else case- and accent-folded.
Aliases the gazetteer marks ambiguous ("IS", "Wagner", "Legion") only count when armed
vocabulary is within a few words or another group is named unambiguously in the same text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from classifiers.lexicon import (
    ARMED,
    CANDIDATE_SUFFIXES,
    GROUP_CONTEXT,
    NOT_GROUPS,
    STATE_OR_FILLER,
)
from classifiers.text import fold, folded_tokens, tokens

if TYPE_CHECKING:
    from newswatch.config import Config

CONTEXT_WINDOW = 3


@dataclass(frozen=True, slots=True)
class Mention:
    group: str  # canonical name
    alias: str  # the alias as written in the gazetteer
    start: int  # token offsets
    end: int
    ambiguous: bool


@dataclass(frozen=True, slots=True)
class GroupInfo:
    name: str
    kind: str
    region: str


def _case_sensitive(alias: str) -> bool:
    letters = [c for c in alias if c.isalpha()]
    return sum(c.isupper() for c in letters) >= 2 and len(alias.replace(" ", "")) <= 6


class Gazetteer:
    def __init__(self, entries: Iterable[dict[str, Any]]):
        self.groups: dict[str, GroupInfo] = {}
        self._cs: dict[tuple[str, ...], list[tuple[str, str, bool]]] = {}
        self._ci: dict[tuple[str, ...], list[tuple[str, str, bool]]] = {}
        for i, entry in enumerate(entries):
            try:
                name = entry["name"]
                aliases = [name, *entry.get("aliases", [])]
                ambiguous = {fold(a) for a in entry.get("ambiguous_aliases", [])}
            except (KeyError, TypeError) as exc:
                raise ValueError(f"gazetteer entry {i}: missing or bad field {exc}") from None
            self.groups[name] = GroupInfo(name, entry.get("kind", ""), entry.get("region", ""))
            for alias in aliases:
                cs = _case_sensitive(alias)
                key = tuple(tokens(alias)) if cs else tuple(t.casefold() for t in tokens(alias))
                if not key:
                    continue
                table = self._cs if cs else self._ci
                entries_for_key = table.setdefault(key, [])
                if all(g != name for g, _, _ in entries_for_key):
                    entries_for_key.append((name, alias, fold(alias) in ambiguous))
        self._lengths: dict[str, set[int]] = {}
        for key in (*self._cs, *self._ci):
            self._lengths.setdefault(key[0].casefold(), set()).add(len(key))
        self._sorted = {k: sorted(v, reverse=True) for k, v in self._lengths.items()}

    @classmethod
    def load(cls, path: str | Path | None = None) -> Gazetteer:
        """Load ``groups.json`` (default: the bundled one)."""
        if path is None:
            text = resources.files("classifiers.data").joinpath("groups.json").read_text("utf-8")
            source = "classifiers/data/groups.json"
        else:
            text, source = Path(path).read_text(encoding="utf-8"), str(path)
        try:
            return cls(json.loads(text))
        except (json.JSONDecodeError, ValueError) as exc:
            raise ValueError(f"{source}: bad gazetteer: {exc}") from None

    def mentions(self, text: str) -> list[Mention]:
        """Every accepted group mention in ``text`` (ambiguous ones only with context)."""
        orig = tokens(text)
        low = folded_tokens(text)
        found: list[Mention] = []
        n, lengths, nxt = len(orig), self._sorted, 0
        for i in [k for k, t in enumerate(low) if t in lengths]:
            if i < nxt:
                continue  # inside the previous match
            for length in lengths[low[i]]:
                if i + length > n:
                    continue
                hit = self._cs.get(tuple(orig[i : i + length])) or self._ci.get(
                    tuple(low[i : i + length])
                )
                if hit:
                    found.extend(Mention(g, alias, i, i + length, amb) for g, alias, amb in hit)
                    nxt = i + length
                    break
        if not any(m.ambiguous for m in found):
            return found
        sure = any(not m.ambiguous for m in found)
        return [
            m
            for m in found
            if not m.ambiguous
            or (not _inside_name(orig, m) and (sure or self._armed_near(low, m)))
        ]

    @staticmethod
    def _armed_near(low: list[str], m: Mention) -> bool:
        window = low[max(0, m.start - CONTEXT_WINDOW) : m.end + CONTEXT_WINDOW]
        return any(t in GROUP_CONTEXT for t in window)

    def resolve(self, text: str) -> list[str]:
        """Canonical names of the groups named in ``text``, in order of first mention."""
        return list(dict.fromkeys(m.group for m in self.mentions(text)))

    def candidates(self, text: str, known: Iterable[Mention] = ()) -> list[str]:
        """Capitalised names that look like armed groups but are not in the gazetteer."""
        if _ARMED_NOT_SUFFIX.isdisjoint(folded_tokens(text)):
            return []
        aliases = {fold(" ".join(tokens(m.alias))) for m in known}
        out: list[str] = []
        for line in text.splitlines():
            words = line.split()
            if len(words) >= 4 and len([w for w in words if w[:1].isupper()]) > 0.6 * len(words):
                continue  # Title Case headline: every word looks like a name
            for m in _CANDIDATE.finditer(line):
                name = _trim(m.group(0))
                if name and name not in out and self._new(name, aliases):
                    out.append(name)
        return out

    def _new(self, name: str, aliases: set[str]) -> bool:
        folded = fold(" ".join(tokens(name)))
        if any(f" {n} " in f" {folded} " for n in NOT_GROUPS):
            return False
        return not (any(a in folded for a in aliases) or self.resolve(name))


def _inside_name(orig: list[str], m: Mention) -> bool:
    """'American Legion', 'Richard Wagner': a word alias preceded by a capitalised word."""
    if m.start == 0 or _case_sensitive(m.alias):
        return False
    prev = orig[m.start - 1]
    return prev[:1].isupper() and prev.casefold() not in _SENTENCE_WORDS


_SENTENCE_WORDS = frozenset({"the", "a", "and", "but", "as", "in", "on", "says", "said"})

_NAME_WORD = r"(?:[A-Z\u0400-\u042F][\w\u2019'.-]*|of|the|for|al|el|de|du|la)"
_CANDIDATE = re.compile(
    rf"\b(?:{_NAME_WORD}\s+){{1,5}}(?:{'|'.join(CANDIDATE_SUFFIXES)})\b"
    r"(?:\s+(?:of|for)\s+(?:the\s+)?[A-Z][\w'-]+(?:\s+(?:of\s+)?[A-Z][\w'-]+){0,3})?"
)


_ARMED_NOT_SUFFIX = ARMED - {fold(s) for s in CANDIDATE_SUFFIXES}


def _trim(name: str) -> str:
    words = name.split()
    while len(words) > 1 and (
        words[0][:1].islower() or fold(words[0]) in STATE_OR_FILLER or fold(words[0]) in ARMED
    ):
        words.pop(0)
    if len(words) < 2:
        return ""
    return " ".join(words)


@cache
def default_gazetteer() -> Gazetteer:
    return Gazetteer.load()


def gazetteer_for(config: Config) -> Gazetteer:
    """The gazetteer the classify stage uses under ``config``: the one loader that the stage,
    ``test-watch`` and the config checks share, so a group name one accepts the others know."""
    return default_gazetteer()
