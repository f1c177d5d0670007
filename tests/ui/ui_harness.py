"""Helpers for the web UI tests: matches with labels/groups/places, a ledger filled through the
real alert stage, and the real HTTP endpoint (uvicorn on a free loopback port) serving the UI.

A module of its own (not conftest) so test files import it by a name no other test directory
uses."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from alerts.stage import build_stage
from newswatch import serde
from newswatch.bus import Bus, open_bus
from newswatch.config import Config, load_config, parse_config
from newswatch.models import Article, LabelScore, Match, Place, Source, stable_id
from newswatch.service.http import HttpEndpoint
from newswatch.stage import ARTICLES, MATCHES
from newswatch.ui import Hooks, build_ui

BASE_DAY = datetime(2031, 3, 4, 9, 0, tzinfo=UTC)
BELGOROD = Place("RU-BEL", "Belgorod Oblast", "region", "RU")
SHEBEKINO = Place("Shebekino", "Shebekino", "city", "RU", "RU-BEL")
KHARKIV = Place("UA-63", "Kharkiv Oblast", "region", "UA")


def config_text(data: Path, extra: str = "", ui: str = "") -> str:
    """Two watches with a file channel each (real deliveries), one inbox-only watch."""
    return f"""
# UI test config: comments must survive edits made in the UI.
[service]
data_dir = "{data}"

[classifier]
kind = "keywords"  # no model needed unless a test asks for one

[ui]
retrain = false
{ui}

[[feeds]]
id = "wire"  # the wire
url = "https://wire.example/rss"

[[watches]]
name = "raids"  # cross-border raids
severity = "high"
channels = ["out"]
[watches.keywords]
any = ["raid", "incursion"]  # keep this comment

[[watches]]
name = "groups"
channels = ["out"]
[watches.keywords]
any = ["legion"]

[[watches]]
name = "inbox-only"
[watches.keywords]
any = ["drill"]

[[channels]]
name = "out"
url = "file://{data}/alerts.jsonl"
{extra}
"""


def make_match(n: int, title: str = "", *, watch: str = "raids", feed: str = "wire",
               summary: str = "", labels: Sequence[tuple[str, float]] = (),
               groups: Sequence[str] = (), places: Sequence[Place] = (),
               severity: str = "normal", day: int = 0, url: str = "") -> Match:
    title = title or f"Report {n} on the situation near checkpoint {stable_id(str(n))[:6]}"
    published = BASE_DAY + timedelta(days=day, minutes=n)
    article = Article(
        id=stable_id("ui-article", feed, str(n)), feed_id=feed, title=title, summary=summary,
        url=url or f"https://{feed}.example/{n}", published=published,
        source=Source(feed_id=feed, feed_title=f"{feed.title()} Service"),
    )
    return Match(article=article, watch=watch, score=0.9, severity=severity,
                 labels=tuple(LabelScore(lb, s) for lb, s in labels), groups=tuple(groups),
                 places=tuple(places), reasons=(f"keyword match in report {n}",))


def write_config(tmp_path: Path, **kwargs: str) -> tuple[Path, Config]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "newswatch.toml"
    path.write_text(config_text(tmp_path / "data", **kwargs))
    return path, load_config(path, environ={})


def publish(bus: Bus, config: Config, matches: Sequence[Match]) -> None:
    topic = config.bus.topic(MATCHES)
    bus.create_topics([topic, config.bus.topic(ARTICLES)])
    for m in matches:
        bus.publish(topic, m.article.id, serde.dumps(m))
    bus.flush()


def publish_articles(bus: Bus, config: Config, articles: Sequence[Article]) -> None:
    topic = config.bus.topic(ARTICLES)
    bus.create_topics([topic])
    for a in articles:
        bus.publish(topic, a.id, serde.dumps(a))
    bus.flush()


def through_alert_stage(config: Config, bus: Bus, matches: Sequence[Match]) -> None:
    """Publish matches on the bus and run the real alert stage until it is idle."""
    publish(bus, config, matches)
    stage = build_stage(config, bus)
    try:
        stage.drain()
    finally:
        stage.close()


def open_test_bus(config: Config) -> Bus:
    return open_bus(config.bus_url())


class UiServer:
    """The service's HTTP endpoint with the UI mounted, on 127.0.0.1 (or ``host``)."""

    def __init__(self, config: Config, config_path: Path | None = None, host: str = "127.0.0.1",
                 bus: Bus | None = None):
        self.config = config
        self.reloads = threading.Event()
        hooks = Hooks(reload=self._reload, bus=lambda: bus)
        self.app, self.ctx = build_ui(lambda: self.config, bound_host=host,
                                      config_path=config_path, hooks=hooks)
        self.config_path = config_path
        self.endpoint = HttpEndpoint(host, 0, lambda: (True, {}), lambda: (True, {}), self.app)
        port = self.endpoint.address.rsplit(":", 1)[1]
        self.base = f"http://127.0.0.1:{port}"

    def _reload(self) -> None:  # what the service's hot reload does with a valid file
        if self.config_path is not None:
            self.config = load_config(self.config_path, environ={})
        self.reloads.set()

    def __enter__(self) -> UiServer:
        self.endpoint.start()
        self.ctx.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.endpoint.close()
        self.ctx.close()

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.base, follow_redirects=False, timeout=30, **kwargs)


@contextmanager
def ui_server(config: Config, **kwargs: object) -> Iterator[UiServer]:
    with UiServer(config, **kwargs) as server:  # type: ignore[arg-type]
        yield server


_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "page has no CSRF field"
    return found.group(1)


def titles(html: str) -> list[str]:
    return re.findall(r'class="title">([^<]+)</a>', html)


def parse(text: str) -> Config:
    return parse_config(text, "test.toml", environ={})


class SmtpSink:
    """aiosmtpd on a free loopback port, keeping every message it accepts."""

    def __init__(self) -> None:
        import socket

        from aiosmtpd.controller import Controller

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.messages: list = []
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def mail_channel(port: int) -> str:
    return f"""
[[channels]]
name = "mail"
url = "smtp://127.0.0.1:{port}"
to = ["desk@example.org"]
from_addr = "newswatch@example.org"
starttls = "off"
"""


FEEDBACK_LINK = re.compile(r"(https?://[^\s\"<>]+/act/[A-Za-z0-9_.\-]+)")


def links_in(message) -> dict[str, str]:  # noqa: ANN001
    """label -> URL of the feedback links in an email's text part."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    return dict(re.findall(r"^\s+([A-Za-z ]+): (https?://\S+/act/[A-Za-z0-9_.-]+)", text, re.M))
