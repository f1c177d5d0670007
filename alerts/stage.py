"""The alert stage: matches topic -> alerts -> channels."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence

from alerts.base import Channel, DeliveryError
from newswatch import serde
from newswatch.bus import Bus, Record, consume
from newswatch.config import Config
from newswatch.models import Alert, Match, stable_id
from newswatch.stage import MATCHES

log = logging.getLogger("newswatch.alert")


class AlertStage:
    name = "alert"

    def __init__(
        self,
        bus: Bus,
        matches_topic: str,
        channels: Mapping[str, Channel],
        routes: Mapping[str, Sequence[str]],
        group: str = "newswatch-alert",
    ):
        self.channels, self.routes = dict(channels), dict(routes)
        self.consumer = bus.consumer(group, [matches_topic])
        self.sent = 0

    def _handle(self, batch: list[Record]) -> None:
        for record in batch:
            try:
                match = serde.loads(record.value, Match)
            except serde.SerdeError as exc:
                log.error(
                    "skipping undecodable match at %s@%d: %s", record.topic, record.offset, exc
                )
                continue
            alert = Alert(
                id=stable_id("alert", match.id),
                route=match.watch,
                matches=(match,),
                severity=match.severity,
            )
            for name in self.routes.get(match.watch, ()):
                try:
                    self.channels[name].send(alert)
                    self.sent += 1
                except DeliveryError as exc:
                    log.error("alert %s on channel %s failed: %s", alert.id, name, exc)
                    raise

    def run(self, stop: threading.Event) -> None:
        consume(self.consumer, self._handle, stop, batch_size=100)

    def drain(self) -> int:
        return consume(
            self.consumer,
            self._handle,
            threading.Event(),
            batch_size=100,
            poll_timeout_secs=0.2,
            until_idle=True,
        )

    def close(self) -> None:
        self.consumer.close()
        for channel in self.channels.values():
            channel.close()


def build_stage(config: Config, bus: Bus) -> AlertStage:
    from alerts.channels import open_channel

    channels = {c.name: open_channel(c) for c in config.channels}
    routes = {w.name: w.channels for w in config.watches}
    return AlertStage(bus, config.bus.topic(MATCHES), channels, routes)
