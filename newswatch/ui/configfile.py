"""Edits of the config file from the UI (feeds, OPML import, watches), comments preserved.

Each edit reads the file, changes it through ``tomlkit`` (which keeps comments, order and
formatting of everything it does not touch), validates the result exactly as a start-up or a
hot reload would (plus the watch checks the classify stage makes), and only then replaces the
file atomically. The running service's hot reload applies it. An edit made against an older
version of the file (someone changed it meanwhile) is refused rather than merged.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import AoT, Table

from newswatch.config import Config, ConfigError, parse_config

_LOCK = threading.Lock()


class ConfigEditError(ValueError):
    pass


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def check(text: str, path: Path) -> Config:
    """The config ``text`` would load as, validated exactly as ``newswatch run`` and hot
    reload validate it (schema, references, every stage's checks), or
    :class:`ConfigEditError` with every problem."""
    from newswatch.app import CHECKS

    try:
        return parse_config(text, str(path), base_dir=path.resolve().parent, checks=CHECKS)
    except ConfigError as exc:
        raise ConfigEditError("; ".join(exc.problems)) from None


class ConfigFile:
    def __init__(self, path: str | Path):
        self.path = Path(path)

    def read(self) -> tuple[str, str]:
        text = self.path.read_text(encoding="utf-8")
        return text, digest(text)

    def edit(self, change: Callable[[tomlkit.TOMLDocument], str], expect: str = "") -> str:
        """Apply ``change`` (returns what it did, in words) and write the file if it validates."""
        with _LOCK:
            text, current = self.read()
            if expect and expect != current:
                raise ConfigEditError(f"{self.path} changed since this page was opened; "
                                      "reload the page and make the edit again")
            doc = tomlkit.parse(text)
            done = change(doc)
            new = tomlkit.dumps(doc)
            check(new, self.path)
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    f.write(new)
                    f.flush()
                    os.fsync(f.fileno())
                os.chmod(tmp, self.path.stat().st_mode & 0o7777)
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            return done


# -- tables -------------------------------------------------------------------------------------
def _aot(doc: tomlkit.TOMLDocument, name: str) -> AoT:
    if name not in doc:
        doc.append(name, tomlkit.aot())
    return doc[name]  # type: ignore[return-value]


def _find(aot: AoT, key: str, value: str) -> int | None:
    return next((i for i, t in enumerate(aot) if t.get(key) == value), None)


def add_feed(doc: tomlkit.TOMLDocument, feed: dict[str, Any]) -> str:
    feeds = _aot(doc, "feeds")
    if _find(feeds, "id", feed["id"]) is not None:
        raise ConfigEditError(f"a feed with id {feed['id']!r} exists already")
    table = tomlkit.table()
    for key, value in feed.items():
        if value not in ("", None):
            table[key] = value
    table.add(tomlkit.nl())
    feeds.append(table)
    return f"feed {feed['id']} added"


def _remove(doc: tomlkit.TOMLDocument, name: str, key: str, value: str, what: str) -> None:
    """Delete the ``[[name]]`` table whose ``key`` is ``value``; ``what`` names it in errors."""
    tables = _aot(doc, name)
    i = _find(tables, key, value)
    if i is None:
        raise ConfigEditError(f"no {what} {value!r} in the config file")
    del tables[i]


def remove_feed(doc: tomlkit.TOMLDocument, feed_id: str) -> str:
    _remove(doc, "feeds", "id", feed_id, "feed with id")
    return f"feed {feed_id} removed"


def append_feeds(doc: tomlkit.TOMLDocument, block: str) -> None:
    """Append the ``[[feeds]]`` tables of a TOML text (from ``collectors.opml.feeds_toml``)."""
    feeds = _aot(doc, "feeds")
    for table in tomlkit.parse(block).get("feeds", []):
        table.add(tomlkit.nl())
        feeds.append(table)


def _put(table: Table, key: str, value: Any, default: Any) -> None:
    """Set ``key`` (keeping its comment) or drop it when the value is the default."""
    if value == default or value in ([], {}):
        if key in table:
            del table[key]
    elif table.get(key) != value:
        table[key] = value


def _put_sub(table: Table, key: str, values: dict[str, list[str]]) -> None:
    """A sub-table such as ``keywords``: update its lists in place, drop it when empty."""
    wanted = {k: v for k, v in values.items() if v}
    if not wanted:
        if key in table:
            del table[key]
        return
    if key not in table:
        sub = tomlkit.table()
        table[key] = sub
    sub = table[key]
    for k in values:
        _put(sub, k, values[k], [])


def _put_labels(table: Table, labels: dict[str, float]) -> None:
    if not labels:
        if "labels" in table:
            del table["labels"]
        return
    if "labels" not in table:  # written as the examples write it: labels = { x = 0.5 }
        pairs = ", ".join(f"{k if re.fullmatch(r'[A-Za-z0-9_-]+', k) else json.dumps(k)} = {v}"
                          for k, v in labels.items())
        table["labels"] = tomlkit.parse(f"labels = {{ {pairs} }}")["labels"]
    current = table["labels"]
    for label in [k for k in current if k not in labels]:
        del current[label]
    for label, score in labels.items():
        if current.get(label) != score:
            current[label] = score


def set_watch(doc: tomlkit.TOMLDocument, name: str, values: dict[str, Any],
              create: bool = False) -> str:
    """Write one watch's fields (``values`` as parsed from the watch form)."""
    watches = _aot(doc, "watches")
    i = _find(watches, "name", name)
    if create:
        if i is not None:
            raise ConfigEditError(f"a watch named {name!r} exists already")
        table = tomlkit.table()
        table["name"] = name
        watches.append(table)
    elif i is None:
        raise ConfigEditError(f"no watch named {name!r} in the config file")
    else:
        table = watches[i]
    _put(table, "severity", values["severity"], "normal")
    _put_labels(table, values["labels"])
    _put(table, "labels_mode", values["labels_mode"], "any")
    for key in ("groups", "feeds", "languages", "channels"):
        _put(table, key, values[key], [])
    _put(table, "candidates", values["candidates"], False)
    _put_sub(table, "keywords", values["keywords"])
    _put_sub(table, "regexes", values["regexes"])
    return f"watch {name} {'created' if create else 'saved'}"


def delete_watch(doc: tomlkit.TOMLDocument, name: str) -> str:
    _remove(doc, "watches", "name", name, "watch named")
    return f"watch {name} deleted"
