"""Saved feed files -> FetchedFeed, in a deterministic order, for the collector's one path.

A saved file may have a sidecar ``FILE.headers.json`` (written by ``newswatch record``)::

    {"feed_id": "wire", "url": "https://...", "final_url": "https://...", "status": 200,
     "fetched": "2026-11-23T08:00:00+00:00", "headers": {"content-type": "..."}}

Its fetch time is the reference for dates (future-date clamping). Without a sidecar the fetch
time is taken from the feed itself (its newest date; see :mod:`collectors.parse`), never from
the file's mtime, which differs per checkout."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from collectors.base import FetchedFeed
from collectors.parse import DEFAULT_MAX_BYTES, FIXED_EPOCH
from collectors.sniff import skip_reason
from newswatch.models import as_utc

FEED_SUFFIXES = {".xml", ".rss", ".atom", ".rdf", ".json", ".feed"}
SIDECAR = ".headers.json"


class SidecarError(ValueError):
    pass


def feed_files(
    paths: Iterable[str | os.PathLike[str]], skipped: dict[str, str] | None = None
) -> Iterator[Path]:
    """Files named by ``paths``; directories are walked in sorted order. In a directory, a file
    with a feed extension is taken, a sidecar is left out, and any other file is taken when its
    content looks like a feed (sniffed), else recorded in ``skipped`` (path -> reason)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if not child.is_file() or child.name.endswith(SIDECAR):
                    continue
                reason = "" if _has_feed_suffix(child) else skip_reason(child)
                if not reason:
                    yield child
                elif skipped is not None:
                    skipped[str(child)] = reason
        elif path.exists():
            yield path
        else:
            raise FileNotFoundError(f"replay: no such file or directory: {path}")


def _bare(name: str) -> str:
    return name[:-3] if name.endswith(".gz") else name


def _has_feed_suffix(path: Path) -> bool:
    return Path(_bare(path.name)).suffix.lower() in FEED_SUFFIXES


def sidecar_of(path: Path) -> Path | None:
    names = (path.name + SIDECAR, _bare(path.name) + SIDECAR)
    for candidate in (path.with_name(n) for n in names):
        if candidate.is_file():
            return candidate
    return None


def read_sidecar(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SidecarError(f"{path}: unreadable sidecar: {exc}") from None
    if not isinstance(doc, dict):
        raise SidecarError(f"{path}: sidecar is not a JSON object")
    headers = doc.get("headers")
    if not isinstance(headers, dict):
        headers = {k: v for k, v in doc.items() if isinstance(v, str) and k != "fetched"}
    doc["headers"] = {str(k): str(v) for k, v in headers.items()}
    if doc.get("fetched") is not None:
        try:
            doc["fetched"] = as_utc(datetime.fromisoformat(str(doc["fetched"])))
        except ValueError:
            raise SidecarError(
                f"{path}: fetched: not an ISO 8601 time: {doc['fetched']!r}"
            ) from None
    return doc


def load_saved(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> FetchedFeed:
    """Read one saved body (at most ``max_bytes`` + 1 bytes: larger is rejected by the parser;
    a .gz body is decompressed there, bounded too) with its sidecar when present."""
    with open(path, "rb") as fh:
        body = fh.read(max_bytes + 1)
    side = sidecar_of(path)
    meta = read_sidecar(side) if side else {}
    feed_id = str(meta.get("feed_id") or Path(Path(_bare(path.name)).stem).name)
    fetched = meta.get("fetched")
    return FetchedFeed(
        feed_id=feed_id,
        body=body,
        fetched=fetched or FIXED_EPOCH,
        url=str(meta.get("final_url") or meta.get("url") or ""),
        headers=meta.get("headers", {}),
        origin=str(path),
        fetched_estimated=fetched is None,
    )
