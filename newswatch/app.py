"""Wiring only: open the bus, build each stage from its package's factory, run or replay."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import alerts.stage
import classifiers.stage
import collectors.stage
from collectors.base import IngestSummary
from collectors.replay import feed_files, load_saved
from newswatch.bus import Bus, open_bus
from newswatch.config import Config
from newswatch.stage import ARTICLES, EVENTS, MATCHES

STAGES = ("collect", "classify", "alert")
FACTORIES = {
    "collect": collectors.stage.build_stage,
    "classify": classifiers.stage.build_stage,
    "alert": alerts.stage.build_stage,
}


def make_bus(config: Config) -> Bus:
    url = config.bus_url()
    options = config.bus.kafka.model_dump() if url.startswith("kafka://") else {}
    bus = open_bus(url, **options)
    bus.create_topics([config.bus.topic(t) for t in (ARTICLES, MATCHES, EVENTS)])
    return bus


@dataclass
class ReplaySummary(IngestSummary):
    matches: int = 0
    alerts: int = 0
    files: list[str] = field(default_factory=list)


def replay(config: Config, paths: Iterable[str]) -> ReplaySummary:
    """Saved feeds through the collector's path, then classify and alert to completion."""
    summary = ReplaySummary()
    with make_bus(config) as bus:
        collector = collectors.stage.build_collector(config, bus)
        try:
            for path in feed_files(paths):
                summary.files.append(str(path))
                summary.add(collector.ingest(load_saved(path)))
        finally:
            collector.close()
        classify = classifiers.stage.build_stage(config, bus)
        alert = alerts.stage.build_stage(config, bus)
        try:
            classify.drain()
            alert.drain()
        finally:
            classify.close()
            alert.close()
        summary.matches, summary.alerts = classify.matched, alert.sent
    return summary


def run(
    config: Config,
    stop: threading.Event,
    stages: Sequence[str] = STAGES,
    *,
    config_path: str | None = None,
    reload: threading.Event | None = None,
) -> int:
    """Run the chosen stages as a supervised service until ``stop`` is set; the exit status.

    Edits of ``config_path`` (or ``reload`` being set, e.g. by SIGHUP) are applied live."""
    from newswatch.service import run_service

    return run_service(
        config, stop, FACTORIES, make_bus, stages, config_path=config_path, reload_event=reload
    )
