"""Progress bars for long CLI work (replay, train, evaluate, OPML import), quiet off a terminal.

    from newswatch.progress import progress
    for path in progress(paths, desc="replay", unit="file"):
        ...

Bars go to stderr and only when stderr is a terminal, so logs, pipes, CI and the service stay
clean. ``NEWSWATCH_PROGRESS=0`` turns them off, ``=1`` forces them on (e.g. under ``script``).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

T = TypeVar("T")


def enabled(stream: Any = None) -> bool:
    """True when bars should be drawn on ``stream`` (default: stderr)."""
    forced = os.environ.get("NEWSWATCH_PROGRESS", "").strip().lower()
    if forced in ("0", "false", "no", "off"):
        return False
    if forced in ("1", "true", "yes", "on"):
        return True
    stream = stream or sys.stderr
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def progress(
    iterable: Iterable[T] | None = None,
    *,
    total: int | float | None = None,
    desc: str = "",
    unit: str = "it",
    leave: bool = False,
    **kwargs: Any,
) -> tqdm:
    """A tqdm bar on stderr, disabled when not on a terminal (it still iterates and counts).

    Use it as an iterator wrapper, or without ``iterable`` as a manual bar with ``update(n)``
    (``with progress(total=n, desc="train") as bar: ... bar.update(1)``).
    """
    return tqdm(
        iterable,
        total=total,
        desc=desc,
        unit=unit,
        leave=leave,
        file=sys.stderr,
        disable=not enabled(),
        dynamic_ncols=True,
        **kwargs,
    )


def track(iterable: Iterable[T], desc: str = "", unit: str = "it", **kwargs: Any) -> Iterator[T]:
    """Iterate ``iterable`` with a bar (typed convenience over :func:`progress`)."""
    yield from progress(iterable, desc=desc, unit=unit, **kwargs)


def logs_above_bars() -> contextlib.AbstractContextManager[Any]:
    """While bars are drawn, route log lines through tqdm so a warning does not break the bar
    line (a no-op when bars are off)."""
    return logging_redirect_tqdm() if enabled() else contextlib.nullcontext()
