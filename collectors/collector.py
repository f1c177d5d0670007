"""parse -> normalise -> dedupe -> publish: the one path for fetched and replayed feeds."""

from __future__ import annotations

import logging
from collections.abc import Callable

from collectors.base import FetchedFeed, IngestSummary, SeenStore
from collectors.parse import parse_feed
from newswatch import serde
from newswatch.bus import Bus

log = logging.getLogger("newswatch.collect")


class Collector:
    def __init__(
        self,
        bus: Bus,
        topic: str,
        seen: SeenStore,
        on_article: Callable[[object], None] | None = None,
    ):
        self.bus, self.topic, self.seen, self.on_article = bus, topic, seen, on_article

    def ingest(self, feed: FetchedFeed) -> IngestSummary:
        parsed = parse_feed(feed)
        summary = IngestSummary(feeds=1, warnings=list(parsed.warnings))
        for warning in parsed.warnings:
            log.warning(warning)
        for article in parsed.articles:
            if self.seen.first_seen(article.id, article.id) is not None:
                summary.duplicates += 1
                continue
            self.bus.publish(self.topic, article.id, serde.dumps(article))
            summary.articles += 1
            if self.on_article is not None:
                self.on_article(article)
        self.bus.flush()
        return summary

    def close(self) -> None:
        self.seen.close()
