"""Factories the app wiring calls: the collector (shared by fetch and replay) and its stage."""

from __future__ import annotations

from collectors.collector import Collector
from collectors.schedule import FeedScheduler
from collectors.seen import SqliteSeenStore
from newswatch.bus import Bus
from newswatch.config import Config
from newswatch.stage import ARTICLES


def build_collector(config: Config, bus: Bus) -> Collector:
    seen = SqliteSeenStore(config.data_path("seen.db"))
    return Collector(bus, config.bus.topic(ARTICLES), seen)


def build_stage(config: Config, bus: Bus) -> FeedScheduler:
    return FeedScheduler(config.feeds, build_collector(config, bus))
