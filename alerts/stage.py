"""The alert stage: matches topic -> ledger (stories, groups, alerts) -> channels.

Per batch: record matches, groups and due alerts in the ledger (one transaction), then commit the
bus offsets. Sending happens from the ledger, one worker thread per channel, so a slow or failing
channel never holds up the others and a crash anywhere re-sends only what was not confirmed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence

from alerts.base import Channel
from alerts.deliver import ChannelPolicy, build_digest
from alerts.dispositions import Notes
from alerts.grouping import flush, ingest, load_stories
from alerts.health import WATCH as HEALTH_WATCH
from alerts.health import health_match, health_route
from alerts.ledger import Ledger
from alerts.router import build_routes, digest_boundary, select_routes
from alerts.sender import Policy, Sender, TokenBucket
from alerts.story import StoryIndex
from newswatch import serde
from newswatch.bus import Bus, Record
from newswatch.config import Config
from newswatch.config.channels import ChannelConfig
from newswatch.config.routing import AlertSettings, RouteConfig
from newswatch.models import FeedStatus, Match
from newswatch.stage import EVENTS, MATCHES

log = logging.getLogger("newswatch.alert")


def ledger_path(config: Config) -> str:
    return config.alerts.ledger_path or str(config.data_path("alerts.db"))


class AlertStage:
    name = "alert"

    def __init__(
        self,
        bus: Bus,
        topics: Sequence[str],
        channels: Mapping[str, Channel],
        channel_configs: Sequence[ChannelConfig],
        routes: Sequence[RouteConfig],
        ledger: Ledger,
        settings: AlertSettings | None = None,
        clock: Callable[[], float] = time.time,
        group: str = "newswatch-alert",
    ):
        self.channels, self.ledger, self.clock = dict(channels), ledger, clock
        self.settings = settings or AlertSettings()
        self.routes = list(routes)
        health = health_route(self.settings)
        if health is not None:
            self.routes.append(health)
        self.route_map = {r.name: r for r in self.routes}
        self.configs = {c.name: c for c in channel_configs}
        self.policies = {
            c.name: ChannelPolicy(c.name, digest=c.digest != "off") for c in channel_configs
        }
        self.senders = {
            name: Sender(ledger, ch, self._policy(self.configs.get(name)), clock)
            for name, ch in self.channels.items()
        }
        self.index = StoryIndex(self.settings.story_similarity, self.settings.story_window_secs)
        load_stories(ledger.conn, self.index, clock())
        self.consumer = bus.consumer(group, list(topics))
        self._wake = threading.Event()

    @staticmethod
    def _policy(cfg: ChannelConfig | None) -> Policy:
        if cfg is None:
            return Policy()
        bucket = TokenBucket(cfg.rate_limit.per_minute, cfg.rate_limit.burst) if cfg.rate_limit \
            else None
        return Policy(cfg.max_attempts, cfg.backoff_base_secs, cfg.backoff_max_secs, bucket,
                      give_up_after_secs=cfg.give_up_after_secs,
                      redrive_dead_max=cfg.redrive_dead_max)

    @property
    def sent(self) -> int:
        return sum(s.sent for s in self.senders.values())

    # -- input -----------------------------------------------------------------------------
    def _decode(self, record: Record) -> Match | None:
        try:
            message = serde.loads(record.value)
        except serde.SerdeError as exc:
            log.error("skipping undecodable record at %s@%d: %s", record.topic, record.offset, exc)
            return None
        if isinstance(message, FeedStatus):
            return health_match(message, self.settings) if self.settings.feed_health_channels \
                else None
        return message if isinstance(message, Match) else None

    def handle(self, batch: list[Record]) -> None:
        """Record a batch of matches (and the alerts now due) in the ledger, atomically."""
        items = []
        for record in batch:
            match = self._decode(record)
            if match is None:
                continue
            if match.watch == HEALTH_WATCH:  # only its own route: a catch-all must not stop it
                routes = [r for r in self.routes if r.name == HEALTH_WATCH]
            else:
                routes = [r for r in select_routes(self.routes, match) if r.name != HEALTH_WATCH]
            items.append((match, routes))
        now, notes = self.clock(), Notes()
        try:
            with self.ledger.transaction() as conn:
                self.ledger.note_consumed(conn, now)
                ingest(conn, items, self.index, now, notes)
                created = flush(conn, self.route_map, self.policies, now, notes=notes)
        except Exception:
            self._reload_index()
            raise
        self._log_created(created)
        notes.emit()

    def _reload_index(self) -> None:
        self.index = StoryIndex(self.settings.story_similarity, self.settings.story_window_secs)
        load_stories(self.ledger.conn, self.index, self.clock())

    def _log_created(self, alerts: list) -> None:
        for alert in alerts:
            log.info("alert %s (%d matches, route %s%s)", alert.id, len(alert.matches),
                     alert.route, f", follow-up of {alert.follow_up_of}" if alert.follow_up_of
                     else "", extra={"alert_id": alert.id})

    def tick(self, force: bool = False) -> None:
        """Flush groups whose wait has passed (all with ``force``) and build due digests."""
        now, notes = self.clock(), Notes()
        with self.ledger.transaction() as conn:
            created = flush(conn, self.route_map, self.policies, now, force=force, notes=notes)
            for name, cfg in self.configs.items():
                if cfg.digest != "off" and name in self.channels:
                    boundary = digest_boundary(cfg.digest, cfg.digest_at, cfg.digest_timezone, now)
                    digest = build_digest(conn, name, boundary, now)
                    if digest is not None:
                        created.append(digest)
        self._log_created(created)
        notes.emit()
        self.index.expire(now)

    # -- output ----------------------------------------------------------------------------
    def pump(self) -> int:
        """Send everything due now on every channel (no waiting); returns deliveries made."""
        before = self.sent
        for sender in self.senders.values():
            for _ in range(10_000):
                nxt = sender.pump()
                if nxt is None or nxt > self.clock():
                    break
        return self.sent - before

    def _worker(self, sender: Sender, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                nxt = sender.pump()
            except Exception:
                log.exception("channel %s: sender failed; retrying", sender.channel.name)
                nxt = self.clock() + 5
            wait = 1.0 if nxt is None else min(1.0, max(0.0, nxt - self.clock()))
            if wait > 0:
                self._wake.wait(wait)
                self._wake.clear()

    def run(self, stop: threading.Event) -> None:
        inner = threading.Event()
        workers = [
            threading.Thread(target=self._worker, args=(s, inner), name=f"alert-{n}", daemon=True)
            for n, s in self.senders.items()
        ]
        for w in workers:
            w.start()
        log.info("alert stage running: %d channels, %d routes, ledger %s", len(self.senders),
                 len(self.routes), self.ledger.path)
        try:
            while not stop.is_set():
                batch = self.consumer.poll(max_records=100, timeout_secs=0.5)
                if batch:
                    self.handle(batch)
                    self.consumer.commit(batch)
                self.tick()
                self._wake.set()
        finally:
            inner.set()
            self._wake.set()
            for w in workers:
                w.join(timeout=30)

    def drain(self) -> int:
        handled = 0
        while True:
            batch = self.consumer.poll(max_records=100, timeout_secs=0.2)
            if not batch:
                break
            self.handle(batch)
            self.consumer.commit(batch)
            handled += len(batch)
        self.tick(force=True)
        self.pump()
        return handled

    def close(self) -> None:
        self.consumer.close()
        for channel in self.channels.values():
            channel.close()
        self.ledger.close()


def build_stage(config: Config, bus: Bus, clock: Callable[[], float] = time.time) -> AlertStage:
    from alerts.channels import open_channel
    from newswatch.links import Links, public_base

    channels = {c.name: open_channel(c) for c in config.channels}
    if public_base(config):  # one-click feedback links for whoever reads the message
        provider = Links.from_config(config).provider
        for channel in channels.values():
            if channel.kind not in ("console", "file") and hasattr(channel, "renderer"):
                channel.renderer.links = provider
    topics = [config.bus.topic(MATCHES)]
    if config.alerts.feed_health_channels:
        topics.append(config.bus.topic(EVENTS))
    group = config.bus.group("alert")
    return AlertStage(
        bus, topics, channels, config.channels, build_routes(config),
        Ledger(ledger_path(config)), config.alerts, clock, group,
    )
