"""Interfaces of the collector stage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from newswatch.models import Article, Source


@dataclass(frozen=True, slots=True)
class FetchedFeed:
    """One feed body as fetched (or as saved on disk), before parsing."""

    feed_id: str
    body: bytes
    fetched: datetime
    url: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    origin: str = ""  # file path for replays, final URL for fetches
    # True for saved files without a recorded fetch time: the parser then takes the newest
    # date in the feed itself (else a fixed epoch), so a replay is the same on every checkout.
    fetched_estimated: bool = False
    language: str = ""  # declared in the config, used when detection is not confident


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    feed_id: str
    title: str
    articles: tuple[Article, ...]
    warnings: tuple[str, ...] = ()
    link: str = ""
    ttl_secs: int | None = None  # from <ttl> (RSS) when the feed has one
    fetched: datetime | None = None  # the reference time the articles were normalised against
    reader: str = ""  # 'fast', 'json' or 'feedparser (why the fast path was not taken)'


@dataclass(slots=True)
class IngestSummary:
    feeds: int = 0
    articles: int = 0
    duplicates: int = 0
    warnings: list[str] = field(default_factory=list)
    syndicated: int = 0  # duplicates that came from another feed (recorded as also seen in)
    ttl_secs: int | None = None  # the feed's <ttl>, for the scheduler (not summed)
    article_ids: list[str] = field(default_factory=list)  # every entry of the body, new or not

    def add(self, other: IngestSummary) -> None:
        self.feeds += other.feeds
        self.articles += other.articles
        self.duplicates += other.duplicates
        self.syndicated += other.syndicated
        self.warnings.extend(other.warnings)


@dataclass(frozen=True, slots=True)
class SeenResult:
    """What the seen-store knows of an article: None if new, else the first id and its feed."""

    article_id: str
    feed_id: str


class SeenStore(Protocol):
    def find(self, keys: list[tuple[str, bool]], at: datetime) -> SeenResult | None:
        """The earlier article any of ``keys`` (key, windowed) belongs to, or None if new."""

    def find_many(
        self, items: list[tuple[list[tuple[str, bool]], datetime]]
    ) -> list[SeenResult | None]:
        """:meth:`find` for each (keys, at) of one feed body (one read transaction)."""

    def record(
        self, article: Article, keys: list[tuple[str, bool]], at: datetime,
        first: SeenResult | None,
    ) -> None:
        """Remember the keys (after the article was published, or as a duplicate of ``first``,
        linking a copy from another feed as an additional source)."""

    def record_many(
        self, items: list[tuple[Article, list[tuple[str, bool]], datetime, SeenResult | None]]
    ) -> None:
        """:meth:`record` for every article of one feed body, in one transaction."""

    def remember(self, article_ids: list[str], at: datetime) -> int:
        """Treat these article ids as published (their ``id:`` keys); returns how many were
        new to the store."""

    def sources(self, article_id: str) -> list[Source]:
        """Additional sources recorded for ``article_id`` (syndication)."""

    def prune(self, now: datetime | None = None) -> int:
        """Forget windowed keys that can no longer match; returns how many (never the
        permanent URL/GUID/id keys)."""

    def close(self) -> None: ...
