"""The named armed-group gazetteer: alias resolution, context rules and candidate names.

Aliases are matched on token sequences (see :mod:`classifiers.text`), longest first, so
"Islamic State Khorasan Province" wins over "Islamic State". Abbreviations and other all-caps
aliases ("IS", "RDK", "ЛСР") match case-sensitively, everything else case- and accent-folded.
Aliases the gazetteer marks ambiguous ("IS", "Wagner", "Legion") only count with context (the
group's leaders, its own context words and places, armed words nearby, or another group named
unambiguously): see :mod:`classifiers.context`. Matching is linear in the length of the text,
so whole articles (title, summary and content) are read.

Each entry of ``groups.json`` (and of a user's groups): ``name``, ``aliases``, ``kind``,
``region``, ``home``, ``also_home``, ``ambiguous_aliases``, ``leaders``, ``context``,
``not_context``. ``home``: the country (ISO code) or territory the group is based in;
``also_home``: others its own insurgency is fought in (a Sahel group in Mali, Burkina Faso and
Niger), where its attacks are not cross-border.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from classifiers import context as ctx
from classifiers.candidates import candidates as _candidates
from classifiers.text import fold, folded_tuple, token_tuple, tokens

if TYPE_CHECKING:
    from newswatch.config import Config

LIST_KEYS = ("aliases", "ambiguous_aliases", "leaders", "context", "not_context", "also_home")
TEXT_KEYS = ("kind", "region", "home")


@dataclass(frozen=True, slots=True)
class Mention:
    group: str  # canonical name
    alias: str  # the alias as written in the gazetteer
    start: int  # token offsets
    end: int
    ambiguous: bool
    role: str = ""  # "" | "government" | "war-name" (see classifiers.context.role)
    why: str = ""  # what confirmed an ambiguous alias ("leader", "context", ...)


@dataclass(frozen=True, slots=True)
class GroupInfo:
    name: str
    kind: str
    region: str
    home: str = ""
    aliases: tuple[str, ...] = ()
    source: str = "bundled"
    also_home: tuple[str, ...] = ()

    @property
    def homes(self) -> tuple[str, ...]:
        """``home`` first, then ``also_home`` (none when the group has no home)."""
        return (self.home, *self.also_home) if self.home else ()


def case_sensitive(alias: str) -> bool:
    letters = [c for c in alias if c.isalpha()]
    return sum(c.isupper() for c in letters) >= 2 and len(alias.replace(" ", "")) <= 6


def alias_key(alias: str) -> tuple[bool, tuple[str, ...]]:
    """(case-sensitive?, tokens): two aliases with the same key are the same alias."""
    cs = case_sensitive(alias)
    return cs, tuple(tokens(alias)) if cs else tuple(t.casefold() for t in tokens(alias))


def check_entry(i: int, entry: Any) -> None:
    """Raise ValueError naming entry ``i`` and the key when ``entry`` is malformed."""
    if not isinstance(entry, dict):
        raise ValueError(f"entry {i}: not an object")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"entry {i}: missing or bad field 'name'")
    for key in LIST_KEYS:
        value = entry.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ValueError(f"entry {i} ({name!r}): {key!r} must be a list of non-empty strings")
    for key in TEXT_KEYS:
        if not isinstance(entry.get(key, ""), str):
            raise ValueError(f"entry {i} ({name!r}): {key!r} must be a string")
    known = {fold(a) for a in (name, *entry.get("aliases", []))}
    stray = [a for a in entry.get("ambiguous_aliases", []) if fold(a) not in known]
    if stray:
        raise ValueError(f"entry {i} ({name!r}): ambiguous_aliases {stray} are not aliases")


class Gazetteer:
    def __init__(self, entries: Iterable[dict[str, Any]], source: str = "bundled"):
        self.groups: dict[str, GroupInfo] = {}
        self.rules: dict[str, ctx.GroupRules] = {}
        self._cs: dict[tuple[str, ...], list[tuple[str, str, bool]]] = {}
        self._ci: dict[tuple[str, ...], list[tuple[str, str, bool]]] = {}
        for i, entry in enumerate(entries):
            check_entry(i, entry)
            self._add(entry, entry.get("source", source))
        self._lengths: dict[str, set[int]] = {}
        for key in (*self._cs, *self._ci):
            self._lengths.setdefault(key[0].casefold(), set()).add(len(key))
        self._sorted = {k: sorted(v, reverse=True) for k, v in self._lengths.items()}
        # The first two words of every longer alias, folded: "the" starts an alias, but
        # rarely is what follows it the alias's second word.
        self._pairs = frozenset((k[0].casefold(), k[1].casefold())
                                for k in (*self._cs, *self._ci) if len(k) > 1)

    def _add(self, entry: dict[str, Any], source: str) -> None:
        name = entry["name"]
        aliases = [name, *entry.get("aliases", [])]
        ambiguous = {fold(a) for a in entry.get("ambiguous_aliases", [])}
        self.groups[name] = GroupInfo(
            name, entry.get("kind", ""), entry.get("region", ""), entry.get("home", ""),
            tuple(entry.get("aliases", [])), source, tuple(entry.get("also_home", [])),
        )
        self.rules[name] = ctx.GroupRules.build(
            entry.get("leaders", []), entry.get("context", []), entry.get("not_context", [])
        )
        for alias in aliases:
            cs, key = alias_key(alias)
            if not key:
                continue
            table = self._cs if cs else self._ci
            entries_for_key = table.setdefault(key, [])
            if all(g != name for g, _, _ in entries_for_key):
                entries_for_key.append((name, alias, fold(alias) in ambiguous))

    def is_ambiguous(self, group: str, alias: str) -> bool:
        """True when ``alias`` of ``group`` counts only with context."""
        cs, key = alias_key(alias)
        return any(g == group and amb for g, _, amb in (self._cs if cs else self._ci).get(key, []))

    def owners(self, alias: str) -> list[str]:
        """Groups that ``alias`` already names (for collision checks)."""
        cs, key = alias_key(alias)
        return [g for g, _, _ in (self._cs if cs else self._ci).get(key, [])]

    @classmethod
    def load(cls, path: str | Path | None = None) -> Gazetteer:
        """Load ``groups.json`` (default: the bundled one)."""
        return cls(load_entries(path), "bundled" if path is None else str(path))

    def mentions(self, text: str) -> list[Mention]:
        """Every accepted group mention in ``text`` (ambiguous ones only with context), each
        with its role."""
        low = folded_tuple(text)
        lengths = self._sorted
        if lengths.keys().isdisjoint(low):  # no word starts an alias (a C loop)
            return []
        orig = token_tuple(text)
        found: list[tuple[str, str, int, int, bool]] = []
        n, nxt, pairs, ascii = len(orig), 0, self._pairs, text.isascii()
        for i in [k for k, t in enumerate(low) if t in lengths]:
            if i < nxt:
                continue  # inside the previous match
            # (ASCII: folded tokens are the tokens in lower case, as the pairs' words are)
            two = not ascii or (i + 1 < n and (low[i], low[i + 1]) in pairs)
            for length in lengths[low[i]]:
                if i + length > n or (length > 1 and not two):
                    continue
                hit = self._cs.get(orig[i : i + length]) or self._ci.get(low[i : i + length])
                if hit:
                    found.extend((g, alias, i, i + length, amb) for g, alias, amb in hit)
                    nxt = i + length
                    break
        if not found:
            return []
        sure = any(not f[4] for f in found)
        out = []
        for group, alias, start, end, amb in found:
            why = self._accept(orig, low, group, alias, start, end, sure) if amb else "unambiguous"
            if why:
                out.append(Mention(group, alias, start, end, amb,
                                   ctx.role(low, orig, start, end), why))
        return out

    def _accept(self, orig: Sequence[str], low: Sequence[str], group: str, alias: str,
                start: int, end: int, sure: bool) -> str:
        rules = self.rules.get(group, ctx.NO_RULES)
        if ctx.vetoed(low, start, end, rules):
            return ""
        cs = case_sensitive(alias)
        if ctx.inside_name(orig, start, cs, rules, low) or (cs and ctx.shouting(orig, start, end)):
            return ""
        return ctx.confirmed(low, start, end, rules) or ("another group" if sure else "")

    def resolve(self, text: str) -> list[str]:
        """Canonical names of the groups named in ``text``, in order of first mention."""
        return list(dict.fromkeys(m.group for m in self.mentions(text)))

    def candidates(self, text: str, known: Iterable[Mention] = ()) -> list[str]:
        """Capitalised names that look like armed groups but are not in the gazetteer (and
        are no part of a group already matched)."""
        return _candidates(self, text, known)


def load_entries(path: str | Path | None = None) -> list[dict[str, Any]]:
    """The entries of a groups JSON file (default: the bundled one), errors naming the file."""
    if path is None:
        text = resources.files("classifiers.data").joinpath("groups.json").read_text("utf-8")
        source = "classifiers/data/groups.json"
    else:
        try:
            text, source = Path(path).read_text(encoding="utf-8"), str(path)
        except OSError as exc:
            raise ValueError(f"{path}: cannot read groups: {exc.strerror}") from None
    try:
        entries = json.loads(text)
        if not isinstance(entries, list):
            raise ValueError("the file must hold a JSON array of group objects")
        for i, entry in enumerate(entries):
            check_entry(i, entry)
    except (json.JSONDecodeError, ValueError) as exc:
        raise ValueError(f"{source}: bad gazetteer: {exc}") from None
    return entries


@cache
def default_gazetteer() -> Gazetteer:
    return Gazetteer.load()


def gazetteer_for(config: Config) -> Gazetteer:
    """The gazetteer the classify stage uses under ``config``: the one loader that the stage,
    ``test-watch`` and the config checks share, so a group name one accepts the others know.
    The bundled groups merged with the user's (``[[groups]]``, ``[classifier] groups_file``);
    :class:`classifiers.usergroups.GroupsError` names every bad or colliding alias."""
    from classifiers.usergroups import user_gazetteer

    return user_gazetteer(config)
