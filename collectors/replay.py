"""Saved feed files -> FetchedFeed, in a deterministic order, for the collector's one path."""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from collectors.base import FetchedFeed

FEED_SUFFIXES = {".xml", ".rss", ".atom", ".rdf", ".json", ".feed"}


def feed_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Files named by ``paths`` (directories walked in sorted order)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and _is_feed(child):
                    yield child
        elif path.exists():
            yield path
        else:
            raise FileNotFoundError(f"replay: no such file or directory: {path}")


def _is_feed(path: Path) -> bool:
    name = path.name[:-3] if path.name.endswith(".gz") else path.name
    return Path(name).suffix.lower() in FEED_SUFFIXES


def load_saved(path: Path) -> FetchedFeed:
    body = path.read_bytes()
    if path.suffix == ".gz":
        body = gzip.decompress(body)
    stem = path.name[:-3] if path.name.endswith(".gz") else path.name
    feed_id = Path(stem).stem
    fetched = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return FetchedFeed(feed_id=feed_id, body=body, fetched=fetched, origin=str(path))
