"""Interfaces of the collector stage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from newswatch.models import Article


@dataclass(frozen=True, slots=True)
class FetchedFeed:
    """One feed body as fetched (or as saved on disk), before parsing."""

    feed_id: str
    body: bytes
    fetched: datetime
    url: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    origin: str = ""  # file path for replays, final URL for fetches


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    feed_id: str
    title: str
    articles: tuple[Article, ...]
    warnings: tuple[str, ...] = ()


@dataclass(slots=True)
class IngestSummary:
    feeds: int = 0
    articles: int = 0
    duplicates: int = 0
    warnings: list[str] = field(default_factory=list)

    def add(self, other: IngestSummary) -> None:
        self.feeds += other.feeds
        self.articles += other.articles
        self.duplicates += other.duplicates
        self.warnings.extend(other.warnings)


class SeenStore(Protocol):
    def first_seen(self, key: str, article_id: str) -> str | None:
        """Record ``key`` for ``article_id``; return the id it was first seen as, or None."""

    def close(self) -> None: ...
