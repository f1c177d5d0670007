"""APScheduler: one job per feed at its interval; no overlapping runs of the same feed."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

import httpx
from apscheduler.schedulers.background import BackgroundScheduler

from collectors.base import FetchedFeed
from collectors.collector import Collector
from newswatch import __version__
from newswatch.config.feeds import FeedConfig
from newswatch.models import utcnow

log = logging.getLogger("newswatch.collect")


class FeedScheduler:
    name = "collect"

    def __init__(self, feeds: Sequence[FeedConfig], collector: Collector):
        self.feeds = [f for f in feeds if f.enabled]
        self.collector = collector
        self.client = httpx.Client(
            timeout=httpx.Timeout(20.0, connect=10.0),
            follow_redirects=True,
            headers={"User-Agent": f"newswatch/{__version__} (+feed monitor)"},
        )
        self.scheduler = BackgroundScheduler(timezone="UTC")

    def poll(self, feed: FeedConfig) -> None:
        try:
            resp = self.client.get(feed.url)
            resp.raise_for_status()
        except httpx.HTTPError as exc:
            log.warning("feed %r (%s): fetch failed: %s", feed.id, feed.url, exc)
            return
        fetched = FetchedFeed(
            feed.id, resp.content, utcnow(), feed.url, dict(resp.headers), str(resp.url)
        )
        summary = self.collector.ingest(fetched)
        log.info("feed %r: %d new, %d duplicates", feed.id, summary.articles, summary.duplicates)

    def run(self, stop: threading.Event) -> None:
        for feed in self.feeds:
            self.scheduler.add_job(
                self.poll,
                "interval",
                args=[feed],
                id=feed.id,
                seconds=feed.interval_secs,
                next_run_time=utcnow(),
                max_instances=1,
                coalesce=True,
                jitter=min(30, feed.interval_secs // 10),
            )
        self.scheduler.start()
        stop.wait()
        self.scheduler.shutdown(wait=True)

    def drain(self) -> int:
        for feed in self.feeds:
            self.poll(feed)
        return len(self.feeds)

    def close(self) -> None:
        self.client.close()
        self.collector.close()
