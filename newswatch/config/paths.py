"""Relative paths in a config file mean "next to the file", not "wherever newswatch was started".

``data_dir = "state"`` in ``/etc/newswatch/newswatch.toml`` is ``/etc/newswatch/state`` whether
the service starts from ``/`` (systemd) or from a shell in the home directory. ``~`` is expanded.
Environment overrides (``NEWSWATCH_SERVICE__DATA_DIR``) are resolved the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

# (table, key) of every option that names a file or directory; "*" = each item of an array.
PATH_KEYS: tuple[tuple[str, ...], ...] = (
    ("service", "data_dir"),
    ("alerts", "ledger_path"),
    ("classifier", "model_path"),
    ("classifier", "user_corpus_path"),
    ("classifier", "groups_file"),
    ("collect", "record_dir"),
    ("channels", "*", "password_file"),
    ("channels", "*", "secret_file"),
    ("channels", "*", "ca_file"),
    ("channels", "*", "templates", "subject_file"),
    ("channels", "*", "templates", "text_file"),
    ("channels", "*", "templates", "html_file"),
)


def _resolve(value: Any, base: Path) -> Any:
    if not isinstance(value, str) or not value.strip():
        return value  # empty means "the default under data_dir"; bad types fail validation
    path = Path(value.strip()).expanduser()
    return str(path if path.is_absolute() else base / path)


def _apply(node: Any, keys: tuple[str, ...], base: Path) -> None:
    key, rest = keys[0], keys[1:]
    if key == "*":
        for item in node if isinstance(node, list) else []:
            _apply(item, rest, base)
        return
    if not isinstance(node, dict) or key not in node:
        return
    if rest:
        _apply(node[key], rest, base)
    else:
        node[key] = _resolve(node[key], base)


def resolve_paths(raw: dict[str, Any], base: Path) -> dict[str, Any]:
    """``raw`` (parsed TOML, modified in place) with relative paths joined to ``base``."""
    for keys in PATH_KEYS:
        _apply(raw, keys, base)
    return raw
