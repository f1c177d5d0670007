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
from collectors.state import FeedStateStore
from collectors.text import load_language_model
from newswatch.bus import Bus
from newswatch.config import Config
from newswatch.models import Article
from newswatch.stage import ARTICLES, EVENTS


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
    return FeedScheduler(
        config.feeds,
        build_collector(config, bus),
        collect=config.collect,
        state=FeedStateStore(state_path(config)),
        health=HealthReporter(
            bus, config.bus.topic(EVENTS), config.collect.health_event_failures
        ),
        recorder=Recorder(record_dir(config)),
    )
