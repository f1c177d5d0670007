"""Wiring only: build each stage from config on the configured bus. No logic lives here."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from alerts.channels import open_channel
from alerts.stage import AlertStage
from classifiers.rules import KeywordWatch
from classifiers.stage import ClassifyStage
from collectors.base import IngestSummary
from collectors.collector import Collector
from collectors.replay import feed_files, load_saved
from collectors.schedule import FeedScheduler
from collectors.seen import SqliteSeenStore
from newswatch.bus import Bus, open_bus
from newswatch.config import Config
from newswatch.stage import ARTICLES, MATCHES, Stage

STAGES = ("collect", "classify", "alert")


def make_bus(config: Config) -> Bus:
    url = config.bus_url()
    options = config.bus.kafka.model_dump() if url.startswith("kafka://") else {}
    bus = open_bus(url, **options)
    bus.create_topics([config.bus.topic(ARTICLES), config.bus.topic(MATCHES)])
    return bus


def make_collector(config: Config, bus: Bus) -> Collector:
    seen = SqliteSeenStore(config.data_path("seen.db"))
    return Collector(bus, config.bus.topic(ARTICLES), seen)


def make_classify(config: Config, bus: Bus) -> ClassifyStage:
    watches = [KeywordWatch(w) for w in config.watches]
    return ClassifyStage(bus, config.bus.topic(ARTICLES), config.bus.topic(MATCHES), watches)


def make_alert(config: Config, bus: Bus) -> AlertStage:
    channels = {c.name: open_channel(c) for c in config.channels}
    routes = {w.name: w.channels for w in config.watches}
    return AlertStage(bus, config.bus.topic(MATCHES), channels, routes)


@dataclass
class ReplaySummary(IngestSummary):
    matches: int = 0
    alerts: int = 0
    files: list[str] = field(default_factory=list)


def replay(config: Config, paths: Iterable[str]) -> ReplaySummary:
    """Saved feeds through the collector's path, then classify and alert to completion."""
    summary = ReplaySummary()
    with make_bus(config) as bus:
        collector = make_collector(config, bus)
        for path in feed_files(paths):
            summary.files.append(str(path))
            summary.add(collector.ingest(load_saved(path)))
        collector.seen.close()
        classify, alert = make_classify(config, bus), make_alert(config, bus)
        try:
            classify.drain()
            alert.drain()
        finally:
            classify.close()
            alert.close()
        summary.matches, summary.alerts = classify.matched, alert.sent
    return summary


def run(config: Config, stop: threading.Event, stages: Sequence[str] = STAGES) -> None:
    """Run the chosen stages in threads on one bus until ``stop`` is set."""
    with make_bus(config) as bus:
        parts: list[Stage] = []
        if "collect" in stages:
            parts.append(FeedScheduler(config.feeds, make_collector(config, bus)))
        if "classify" in stages:
            parts.append(make_classify(config, bus))
        if "alert" in stages:
            parts.append(make_alert(config, bus))
        threads = [threading.Thread(target=p.run, args=(stop,), name=p.name) for p in parts]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for p in parts:
            p.close()
