"""The user's own groups (``[[groups]]`` and ``[classifier] groups_file``) merged with the
bundled gazetteer, validated as a whole.

A user group whose name is a bundled canonical name (case- and accent-folded) extends that
group; any other is new. Every problem is collected and reported at once as a
:class:`newswatch.config.Problem`, located at ``groups[1].aliases[0]`` for the config's own
tables (the loader adds the line) or at ``classifier.groups_file`` with ``FILE: entry 3`` for a
groups file, and, for a collision, naming the group that already has the alias.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from classifiers.gazetteer import LIST_KEYS, Gazetteer, alias_key, default_gazetteer, load_entries
from classifiers.text import fold
from newswatch.config import Config, Problem
from newswatch.config.base import key_path
from newswatch.config.groups import GroupConfig

FILE_LOC = ("classifier", "groups_file")
Where = tuple[tuple[str | int, ...], str]  # (loc of the group, prefix naming it in a file)



class GroupsError(ValueError):
    """User groups that cannot be merged: ``items`` (Problems) and ``problems`` (as text)."""

    def __init__(self, items: Iterable[Problem]):
        self.items = list(items)
        self.problems = [f"{key_path(p.loc)}: {p.message}" for p in self.items]
        super().__init__("user groups: " + "; ".join(self.problems))


def _at(where: Where, *key: str | int) -> tuple[tuple[str | int, ...], str]:
    """(loc, message prefix) of ``key`` (e.g. "aliases", 2) of the group at ``where``."""
    loc, prefix = where
    if not prefix:
        return (*loc, *key), ""
    return loc, prefix + "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in key) + ": "


def _text(where: Where, *key: str | int) -> str:
    loc, prefix = _at(where, *key)
    return prefix[:-2] if prefix else key_path(loc)


def groups_file(config: Config) -> Path | None:
    path = config.classifier.groups_file
    return Path(path) if path else None


def read_groups_file(path: Path) -> list[tuple[Where, GroupConfig]]:
    """(where, group) for each group of a JSON or TOML groups file; errors name file and entry."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise GroupsError([Problem(FILE_LOC, f"{path}: cannot read groups file: "
                                             f"{exc.strerror}")]) from None
    try:
        if path.suffix == ".toml":
            raw = tomllib.loads(text)
            unknown = sorted(set(raw) - {"groups"})
            if unknown:
                raise ValueError(f"unknown top-level key(s) {unknown}; expected [[groups]]")
            items = raw.get("groups", [])
            label = "groups[{}]"
        else:
            items = json.loads(text)
            label = "entry {}"
        if not isinstance(items, list):
            raise ValueError("expected a list of groups")
    except (json.JSONDecodeError, tomllib.TOMLDecodeError, ValueError) as exc:
        raise GroupsError([Problem(FILE_LOC, f"{path}: bad groups file: {exc}")]) from None
    out: list[tuple[Where, GroupConfig]] = []
    problems = []
    for i, item in enumerate(items):
        where = f"{path}: {label.format(i)}"
        try:
            out.append(((FILE_LOC, where), GroupConfig.model_validate(item)))
        except ValidationError as exc:
            for err in exc.errors():
                what = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
                key = key_path(err["loc"]) or "(entry)"
                problems.append(Problem(FILE_LOC, f"{where}: {key}: {what}"))
    if problems:
        raise GroupsError(problems)
    return out


def user_groups(config: Config) -> list[tuple[Where, GroupConfig]]:
    """(where, group): the config's ``[[groups]]`` first, then the groups file's."""
    found: list[tuple[Where, GroupConfig]] = [
        ((("groups", i), ""), g) for i, g in enumerate(config.groups)
    ]
    path = groups_file(config)
    if path is not None:
        found.extend(read_groups_file(path))
    return found


def merge(groups: list[tuple[Where, GroupConfig]], base: Gazetteer | None = None,
          base_entries: list[dict[str, Any]] | None = None) -> Gazetteer:
    """The bundled gazetteer with ``groups`` merged in; GroupsError lists every collision."""
    base = base or default_gazetteer()
    entries = {e["name"]: {**e, "source": "bundled"} for e in (base_entries or load_entries())}
    by_fold = {fold(name): name for name in entries}
    problems: list[Problem] = []
    user_keys: dict[tuple[bool, tuple[str, ...]], tuple[str, str]] = {}
    names: dict[str, str] = {}

    def problem(where: Where, key: tuple[str | int, ...], message: str) -> None:
        loc, prefix = _at(where, *key)
        problems.append(Problem(loc, prefix + message))

    for where, group in groups:
        target = by_fold.get(fold(group.name), group.name)
        if fold(group.name) in names:
            problem(where, ("name",), f"group {group.name!r} is also defined at "
                                      f"{names[fold(group.name)]}")
            continue
        names[fold(group.name)] = _text(where)
        seen: set[tuple[bool, tuple[str, ...]]] = set()
        for j, alias in enumerate([group.name, *group.aliases]):
            key: tuple[str | int, ...] = ("name",) if j == 0 else ("aliases", j - 1)
            akey = alias_key(alias)
            if akey in seen:
                problem(where, key, f"alias {alias!r} is listed twice for {group.name!r}")
                continue
            seen.add(akey)
            others = [g for g in base.owners(alias) if g != target]
            if others:
                problem(where, key, f"alias {alias!r} of {group.name!r} already names the "
                                    f"bundled group {others[0]!r}")
            elif akey in user_keys and user_keys[akey][0] != target:
                problem(where, key, f"alias {alias!r} of {group.name!r} is also an alias of "
                                    f"{user_keys[akey][0]!r} ({user_keys[akey][1]})")
            user_keys.setdefault(akey, (target, _text(where, *key)))
        entries[target] = _combine(entries.get(target), group)
    if problems:
        raise GroupsError(problems)
    return Gazetteer(entries.values())


def _combine(old: dict[str, Any] | None, group: GroupConfig) -> dict[str, Any]:
    new = group.entry()
    if old is None:
        return {**new, "source": "user"}
    out = dict(old)
    for key in LIST_KEYS:  # every list of an entry: merged
        out[key] = list(dict.fromkeys([*old.get(key, []), *new[key]]))
    for key in ("kind", "region", "home"):
        out[key] = new[key] or old.get(key, "")
    out["source"] = "bundled+user"
    return out


def user_gazetteer(config: Config) -> Gazetteer:
    """The gazetteer for ``config``: the bundled one when the user defines no groups."""
    groups = user_groups(config)
    return merge(groups) if groups else default_gazetteer()
