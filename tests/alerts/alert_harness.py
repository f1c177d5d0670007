"""Helpers for the alert tests: a controllable clock, matches, config text and a stage harness.

A module of its own (not conftest) so test files import it by a name no other test directory
uses."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alerts.stage import AlertStage, build_stage
from newswatch import serde
from newswatch.bus import open_bus
from newswatch.config import Config, parse_config
from newswatch.models import Article, LabelScore, Match, Source, stable_id
from newswatch.stage import MATCHES

# 2031-03-04 12:00:00 UTC, a Tuesday: far from any quiet hours used in tests.
NOON = datetime(2031, 3, 4, 12, 0, tzinfo=UTC).timestamp()


class FakeClock:
    def __init__(self, now: float = NOON):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, secs: float) -> None:
        self.now += secs


def make_match(n: int | str, title: str = "", feed: str = "feed-a", watch: str = "w",
               severity: str = "normal", summary: str = "", url: str = "") -> Match:
    title = title or f"Report number {n} about subject {stable_id(str(n))}"
    article = Article(
        id=stable_id("article", feed, str(n)), feed_id=feed, url=url or f"https://{feed}.test/{n}",
        title=title, summary=summary,
        published=datetime(2031, 3, 4, 11, 30, tzinfo=UTC),
        source=Source(feed_id=feed, feed_title=f"The {feed.title()} Gazette"),
    )
    return Match(article=article, watch=watch, score=0.9, severity=severity,
                 labels=(LabelScore("flood", 0.91), LabelScore("other", 0.1)),
                 groups=("Valdoria Relief Corps",), reasons=("keyword 'flood' in title",))


def config_text(tmp_path: Path, channels: str, extra: str = "", watch_channels: str = "[]") -> str:
    return f"""
[service]
data_dir = "{tmp_path}/data"

[[watches]]
name = "w"
channels = {watch_channels}
[watches.keywords]
any = ["flood"]

{channels}
{extra}
"""


class Harness:
    """A config, an embedded bus and an alert stage on a fake clock."""

    def __init__(self, tmp_path: Path, text: str, clock: FakeClock | None = None,
                 environ: dict | None = None):
        self.config: Config = parse_config(text, "test.toml", environ or {})
        self.clock = clock or FakeClock()
        self.bus = open_bus(f"sqlite:///{tmp_path}/bus.db")
        self.topic = self.config.bus.topic(MATCHES)
        self.bus.create_topics([self.topic])
        self.stage: AlertStage = build_stage(self.config, self.bus, clock=self.clock)

    def publish(self, *matches: Match) -> None:
        for m in matches:
            self.bus.publish(self.topic, m.id, serde.dumps(m))
        self.bus.flush()

    def drain(self) -> int:
        """Consume everything, force waiting groups out, send what is due."""
        return self.stage.drain()

    def step(self) -> int:
        """What one loop of ``run`` does: consume, respect group waits and digests, send."""
        n = 0
        while batch := self.stage.consumer.poll(max_records=100, timeout_secs=0.2):
            self.stage.handle(batch)
            self.stage.consumer.commit(batch)
            n += len(batch)
        self.stage.tick()
        self.stage.pump()
        return n

    def states(self, channel: str) -> dict[str, int]:
        rows = self.stage.ledger.conn.execute(
            "SELECT state, COUNT(*) FROM deliveries WHERE channel=? GROUP BY state", (channel,)
        ).fetchall()
        return dict(rows)

    def close(self) -> None:
        self.stage.close()
        self.bus.close()


