"""Full article text: feeds with full_text = true get the main text of each new entry's page
from a real loopback server (robots.txt honoured, size cap, per-host politeness, feed headers
kept off the pages); without the extra, a clear per-feed warning and the feed's own text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from feedhelp import FeedServer, Response, read_articles

from collectors.collector import Collector
from collectors.schedule import FeedScheduler
from collectors.seen import SqliteSeenStore
from collectors.state import FeedStateStore
from newswatch.bus import open_bus
from newswatch.config.collect import CollectConfig
from newswatch.config.feeds import FeedConfig

ARTICLES = "ft.articles"
STORY = (
    "Customs officers at the northern crossing reported that a group of armed men cut through "
    "the fence shortly after midnight and exchanged fire with the night patrol before retreating "
    "across the river. The regional governor said two outbuildings were set alight and that "
    "residents of the nearest village were moved to the school hall until morning. Engineers "
    "began repairing the damaged power line at dawn, and the crossing reopened to lorries by noon."
)


def page(title: str, body: str) -> bytes:
    nav = "".join(f'<li><a href="/s/{n}">Section {n}</a></li>' for n in range(12))
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title></head><body>"
        f"<header><nav><ul>{nav}</ul></nav></header><main><article><h1>{title}</h1>"
        + "".join(f"<p>{s.strip()}.</p>" for s in body.split(".") if s.strip())
        + "</article></main><footer><p>Subscribe to our newsletter for weekly offers and "
        "cookie settings.</p></footer></body></html>"
    ).encode()


def feed_xml(server: FeedServer, paths: list[str]) -> bytes:
    items = "".join(
        f"<item><title>Story at {p}</title><link>{server.url(p)}</link><guid>{p}</guid>"
        f"<description>One line about {p}.</description></item>" for p in paths
    )
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Border desk</title>'
            f"{items}</channel></rss>").encode()


@pytest.fixture
def site(feed_server: FeedServer) -> FeedServer:
    s = feed_server
    paths = ["/news/1", "/news/2", "/private/3", "/news/big"]
    s.route("/feed.xml", lambda r: Response(200, feed_xml(s, paths),
                                            {"Content-Type": "application/rss+xml"}))
    s.route("/robots.txt", lambda r: Response(200, b"User-agent: *\nDisallow: /private/\n",
                                              {"Content-Type": "text/plain"}))
    html = {"Content-Type": "text/html; charset=utf-8"}
    s.route("/news/1", lambda r: Response(200, page("Night raid on the crossing", STORY), html))
    s.route("/news/2", lambda r: Response(200, b"%PDF-1.4 not a page", {"Content-Type":
                                                                         "application/pdf"}))
    s.route("/private/3", lambda r: Response(200, page("Private", STORY), html))
    s.route("/news/big", lambda r: Response(200, page("Big", STORY * 1000), html))
    return s


def poll(tmp_path: Path, feed: FeedConfig, **collect: object) -> list:  # noqa: ANN001
    bus_url = f"sqlite:///{tmp_path}/bus.db"
    bus = open_bus(bus_url)
    bus.create_topics([ARTICLES])
    sched = FeedScheduler([feed], Collector(bus, ARTICLES, SqliteSeenStore(tmp_path / "s.db")),
                          collect=CollectConfig(**collect),  # type: ignore[arg-type]
                          state=FeedStateStore(tmp_path / "f.db"))
    try:
        sched.drain()
    finally:
        sched.close()
        bus.close()
    return read_articles(bus_url, ARTICLES)


def test_full_text_fetches_pages_and_honours_robots(site: FeedServer, tmp_path: Path) -> None:
    feed = FeedConfig(id="desk", url=site.url("/feed.xml"), full_text=True,
                      headers={"Authorization": "Bearer feed-secret"})
    arts = {a.guid: a for a in poll(tmp_path, feed, full_text_max_bytes=200_000)}
    assert len(arts) == 4
    first = arts["/news/1"]
    assert "exchanged fire with the night patrol" in first.content  # the page's main text
    assert "Section 3" not in first.content and "newsletter" not in first.content
    assert first.summary == "One line about /news/1."  # the feed's own text stays
    assert arts["/news/2"].content == ""  # not HTML: feed text kept
    assert arts["/private/3"].content == ""  # robots.txt disallows it ...
    assert not site.hits("/private/3")  # ... so it is never requested
    assert arts["/news/big"].content == ""  # over full_text_max_bytes
    assert len(site.hits("/robots.txt")) == 1  # cached per host
    pages = site.hits("/news/1") + site.hits("/robots.txt")
    assert all("authorization" not in r.headers for r in pages)  # feed credentials stay home
    assert all(r.headers["user-agent"].startswith("newswatch/") for r in pages)


def test_without_full_text_no_page_is_fetched(site: FeedServer, tmp_path: Path) -> None:
    arts = poll(tmp_path, FeedConfig(id="desk", url=site.url("/feed.xml")))
    assert len(arts) == 4 and all(a.content == "" for a in arts)
    assert not site.hits("/news/1") and not site.hits("/robots.txt")


def test_unreachable_robots_means_no_pages(site: FeedServer, tmp_path: Path) -> None:
    site.route("/robots.txt", lambda r: Response(503, b"down"))
    arts = poll(tmp_path, FeedConfig(id="desk", url=site.url("/feed.xml"), full_text=True))
    assert all(a.content == "" for a in arts) and not site.hits("/news/1")


def test_missing_robots_allows_pages(site: FeedServer, tmp_path: Path) -> None:
    site.route("/robots.txt", lambda r: Response(404, b"no such file"))
    arts = {a.guid: a for a in poll(tmp_path, FeedConfig(id="desk", url=site.url("/feed.xml"),
                                                         full_text=True))}
    assert "night patrol" in arts["/news/1"].content
    assert "night patrol" in arts["/private/3"].content  # no rules: allowed


def test_missing_extra_warns_once_per_feed_and_keeps_feed_text(site: FeedServer,
                                                               tmp_path: Path) -> None:
    code = f"""
import sys, logging
sys.modules["trafilatura"] = None  # the extra is not installed: importing it fails
sys.path.insert(0, {str(Path(__file__).parent)!r})
logging.basicConfig(level=logging.WARNING, format="%(message)s")
from pathlib import Path
from test_fulltext import poll
from newswatch.config.feeds import FeedConfig
arts = poll(Path({str(tmp_path)!r}), FeedConfig(id="desk", url={site.url('/feed.xml')!r},
                                                full_text=True))
assert len(arts) == 4 and all(a.content == "" for a in arts)
"""
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stderr
    warnings = [ln for ln in res.stderr.splitlines() if "full-text extra" in ln]
    assert len(warnings) == 1 and "'desk'" in warnings[0]
    assert "pip install 'newswatch[fulltext]'" in warnings[0]
    assert not site.hits("/news/1") and not site.hits("/robots.txt")
