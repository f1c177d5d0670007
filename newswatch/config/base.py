"""Shared pieces of the typed configuration: strict models and located errors."""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """Every config table: unknown keys are errors, values are immutable once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class ConfigError(ValueError):
    """A configuration problem, naming the file, line and key path of each mistake."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def key_path(loc: Sequence[str | int]) -> str:
    """('feeds', 1, 'interval_secs') -> 'feeds[1].interval_secs'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")


def locate(text: str, loc: Sequence[str | int]) -> int | None:
    """Best-effort 1-based line of the key at ``loc`` in TOML ``text`` (None if not found)."""
    names = [p for p in loc if isinstance(p, str)]
    if not names:
        return None
    # Walk to the table that holds the key: the n-th [[array]] or the [table] header.
    tables, start = [], 0
    lines = text.splitlines()
    idx = 0
    while idx < len(loc) - 1:
        part, nxt = loc[idx], loc[idx + 1]
        if isinstance(part, str) and isinstance(nxt, int):
            tables.append(part)
            start = _nth_header(lines, ".".join(tables), nxt, start, array=True) or start
            idx += 2
            continue
        if isinstance(part, str):
            tables.append(part)
            found = _nth_header(lines, ".".join(tables), 0, start, array=False)
            if found is not None:
                start = found
        idx += 1
    key = names[-1]
    pattern = re.compile(rf"(^|[\s{{,]){re.escape(key)}\s*=|^\s*\[+\s*(.*\.)?{re.escape(key)}\s*\]")
    for n in range(start, len(lines)):
        if n > start and _HEADER.match(lines[n]) and not tables:
            break
        if pattern.search(lines[n]):
            return n + 1
    return None


def _nth_header(lines: list[str], name: str, n: int, start: int, *, array: bool) -> int | None:
    seen = -1
    for i in range(start, len(lines)):
        m = _HEADER.match(lines[i])
        if m and m.group(2) == name and (m.group(1) == "[[") == array:
            seen += 1
            if seen == n:
                return i
    return None
