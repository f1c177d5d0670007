"""Wiring only: validate the config with every stage's checks, open the bus, build each stage
from its package's factory, run or replay."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import alerts.checks
import alerts.stage
import classifiers.checks
import classifiers.stage
import collectors.checks
import collectors.stage
from collectors.base import IngestSummary
from collectors.replay import SidecarError, feed_files, load_saved
from newswatch import samples
from newswatch.bus import Bus, open_bus
from newswatch.config import Check, Config, load_config, parse_config
from newswatch.models import Article
from newswatch.stage import ARTICLES, EVENTS, MATCHES

STAGES = ("collect", "classify", "alert")
FACTORIES = {
    "collect": collectors.stage.build_stage,
    "classify": classifiers.stage.build_stage,
    "alert": alerts.stage.build_stage,
}

# What each stage would reject at start, checked before anything starts (and on reload).
CHECKS: tuple[Check, ...] = (
    collectors.checks.check_config, classifiers.checks.check_config, alerts.checks.check_config
)


def load(path: str | None) -> Config:
    """The config at ``path`` (None: the bundled sample), validated as ``run`` needs it:
    the schema, references between tables and every stage's checks. ``check-config``,
    ``run``, ``replay`` and hot reload all come through here."""
    if path is None:
        return parse_config(samples.config_text(), samples.SOURCE, checks=CHECKS)
    return load_config(path, checks=CHECKS)


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
    # Channels replay did not deliver to (without ``deliver``): name -> kind, and how many
    # deliveries each would have had (written to ``withheld_dir`` instead).
    withheld: dict[str, str] = field(default_factory=dict)
    withheld_sent: dict[str, int] = field(default_factory=dict)
    withheld_dir: str = ""
    skipped: dict[str, str] = field(default_factory=dict)  # path -> why it is not a feed


LOCAL_KINDS = ("console", "file")


def withhold_remote(config: Config, directory: Path) -> tuple[Config, dict[str, str]]:
    """``config`` with every channel that is not console:// or file:// writing its alerts to
    ``directory/<name>.jsonl`` instead (a replay must not e-mail or post what the service
    already sent), and the withheld channels' kinds by name."""
    kinds: dict[str, str] = {}
    channels = []
    for ch in config.channels:
        if ch.kind in LOCAL_KINDS:
            channels.append(ch)
            continue
        kinds[ch.name] = ch.kind
        directory.mkdir(parents=True, exist_ok=True)
        stand_in = f"file://{directory / (ch.name + '.jsonl')}"
        channels.append(ch.model_copy(update={"url": stand_in, "format": None}))
    return config.model_copy(update={"channels": channels}), kinds


def replay(
    config: Config,
    paths: Iterable[str],
    on_article: Callable[[Article], None] | None = None,
    track: Callable[[list[Path]], Iterable[Path]] | None = None,
    *,
    deliver: bool = False,
) -> ReplaySummary:
    """Saved feeds through the collector's path (in sorted file order, each file's entries in
    feed order), then classify and alert to completion. ``on_article`` sees each new article;
    ``track`` wraps the list of files (e.g. in a progress bar) and yields them back in order.
    Alerts reach console:// and file:// channels only, unless ``deliver``: the others'
    alerts go to ``<data_dir>/replay-withheld/<channel>.jsonl`` (see :func:`withhold_remote`)."""
    summary = ReplaySummary()
    # a missing path fails before anything is published
    files = list(feed_files(paths, summary.skipped))
    if not deliver:
        out = Path(config.service.data_dir) / "replay-withheld"
        config, summary.withheld = withhold_remote(config, out)
        summary.withheld_dir = str(out) if summary.withheld else ""
    with make_bus(config) as bus:
        collector = collectors.stage.build_collector(config, bus, on_article)
        try:
            for path in track(files) if track else files:
                summary.files.append(str(path))
                try:
                    saved = load_saved(path, config.collect.max_bytes)
                except (OSError, SidecarError) as exc:
                    summary.feeds += 1
                    summary.warnings.append(f"{path}: cannot read: {exc}")
                    continue
                summary.add(collector.ingest(saved))
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
        sent = {name: sender.sent for name, sender in alert.senders.items()}
        summary.matches = classify.matched
        summary.alerts = sum(n for name, n in sent.items() if name not in summary.withheld)
        summary.withheld_sent = {name: sent.get(name, 0) for name in summary.withheld}
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
        config, stop, FACTORIES, make_bus, stages, config_path=config_path, reload_event=reload,
        load=load,
    )
