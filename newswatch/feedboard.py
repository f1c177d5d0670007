"""Bounded feed health for ``/metrics``: how many feeds are ok / failing / never polled, and
the consecutive failures of the worst few, whatever the number of feeds.

A scrape costs the same with 100 or 100,000 feeds: the counts are kept up to date as feeds are
polled, and only failing feeds are looked at to pick the worst (usually a handful)."""

from __future__ import annotations

import heapq
import threading
from collections.abc import Iterator

from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

STATUSES = ("ok", "failing", "never_polled")
TOP = 10


class FeedBoard(Collector):
    def __init__(self, top: int = TOP, register: bool = True):
        self.top = top
        self._lock = threading.Lock()
        self._status: dict[str, str] = {}
        self._failing: dict[str, int] = {}
        self._counts = dict.fromkeys(STATUSES, 0)
        if register:
            REGISTRY.register(self)

    def update(self, feed_id: str, polled: bool, failures: int) -> None:
        status = "failing" if failures else "ok" if polled else "never_polled"
        with self._lock:
            old = self._status.get(feed_id)
            if old != status:
                if old is not None:
                    self._counts[old] -= 1
                self._counts[status] += 1
                self._status[feed_id] = status
            if failures:
                self._failing[feed_id] = failures
            else:
                self._failing.pop(feed_id, None)

    def forget(self, feed_id: str) -> None:
        """The feed is no longer this process's (removed, or polled by another shard)."""
        with self._lock:
            old = self._status.pop(feed_id, None)
            if old is not None:
                self._counts[old] -= 1
            self._failing.pop(feed_id, None)

    def clear(self) -> None:
        with self._lock:
            self._status.clear()
            self._failing.clear()
            self._counts = dict.fromkeys(STATUSES, 0)

    def worst(self) -> list[tuple[str, int]]:
        with self._lock:
            return heapq.nlargest(self.top, self._failing.items(), key=lambda kv: (kv[1], kv[0]))

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self._lock:
            counts = dict(self._counts)
        feeds = GaugeMetricFamily("newswatch_feeds", "Feeds of this process by status",
                                  labels=["status"])
        for status in STATUSES:
            feeds.add_metric([status], counts[status])
        yield feeds
        worst = GaugeMetricFamily(
            "newswatch_feed_consecutive_failures",
            f"Consecutive failures of the {self.top} worst failing feeds (all: newswatch feeds)",
            labels=["feed"],
        )
        for feed_id, failures in self.worst():
            worst.add_metric([feed_id], failures)
        yield worst
