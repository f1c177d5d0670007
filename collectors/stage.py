"""Factories the app wiring calls: the collector (shared by fetch and replay) and its stage."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from collectors.collector import Collector
from collectors.health import HealthReporter
from collectors.record import Recorder
from collectors.schedule import FeedScheduler
from collectors.seen import SqliteSeenStore
from collectors.shard import FeedShard, SharedStateStore
from collectors.single import OneCollector
from collectors.state import FeedStateStore
from collectors.text import load_language_model
from newswatch.bus import Bus
from newswatch.config import Config
from newswatch.models import Article
from newswatch.stage import ARTICLES, EVENTS

FEEDS = "feeds"  # the sharded collect's table: one row (state) per feed, keyed by feed id


def seen_path(config: Config) -> Path:
    return config.data_path("seen.db")


def state_path(config: Config) -> Path:
    return config.data_path("feeds.db")


def record_dir(config: Config) -> Path:
    return Path(config.collect.record_dir) if config.collect.record_dir else config.data_path(
        "recorded", "x"
    ).parent


def build_collector(
    config: Config, bus: Bus, on_article: Callable[[Article], None] | None = None
) -> Collector:
    seen = SqliteSeenStore(
        seen_path(config), window=timedelta(seconds=config.collect.dedupe_window_secs)
    )
    return Collector(
        bus, config.bus.topic(ARTICLES), seen, on_article,
        max_bytes=config.collect.max_bytes, future_skew_secs=config.collect.future_skew_secs,
        fast_xml=config.collect.fast_xml,
    )


def build_stage(config: Config, bus: Bus) -> FeedScheduler:
    load_language_model()  # now, not on the first new article (about 1.4 s)
    lock = OneCollector.for_bus(bus.url)  # the embedded bus keeps one collect process
    try:
        collector = build_collector(config, bus)
        state = FeedStateStore(state_path(config))
        shard = None
        if config.collect.sharded:
            shared = SharedStateStore(state)
            shard = FeedShard(bus, config.bus.topic(FEEDS), config.bus.group("collect"),
                              config.collect.feed_partitions, shared, collector.seen)
            state = shared  # type: ignore[assignment]
    except BaseException:
        if lock is not None:
            lock.__exit__(None, None, None)
        raise
    return FeedScheduler(
        config.feeds,
        collector,
        collect=config.collect,
        state=state,
        health=HealthReporter(
            bus, config.bus.topic(EVENTS), config.collect.health_event_failures
        ),
        recorder=Recorder(record_dir(config)),
        shard=shard,
        lock=lock,
    )
