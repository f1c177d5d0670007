"""Identity and deduplication: publisher churn, syndication across feeds, restarts, and no
loss when the bus fails between publish and the seen-store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from feedhelp import FIXTURES, read_articles, rss

from collectors.base import FetchedFeed
from collectors.collector import Collector
from collectors.replay import load_saved
from collectors.seen import SqliteSeenStore
from newswatch.bus import open_bus

TOPIC = "t.articles"
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def make(tmp_path: Path, **kw: object) -> tuple[Collector, str]:
    url = f"sqlite:///{tmp_path}/bus.db"
    bus = open_bus(url)
    bus.create_topics([TOPIC])
    return Collector(bus, TOPIC, SqliteSeenStore(tmp_path / "seen.db"), **kw), url


def feed(feed_id: str, body: bytes, at: datetime = NOW) -> FetchedFeed:
    return FetchedFeed(feed_id, body, at, f"https://{feed_id}.test/rss")


STORY = ("g-1", "https://pub.test/a/story-one", "Ministers agree on a new water treaty today")


def test_same_entry_twice_is_published_once_even_after_restart(tmp_path: Path) -> None:
    collector, url = make(tmp_path)
    body = rss("Pub", [STORY, ("g-2", "https://pub.test/b", "Second story about the harbour")])
    assert collector.ingest(feed("pub", body)).articles == 2
    again = collector.ingest(feed("pub", body))
    assert (again.articles, again.duplicates) == (0, 2)
    collector.bus.close()
    collector.close()
    restarted, _ = make(tmp_path)  # same files: a restart
    assert restarted.ingest(feed("pub", body)).duplicates == 2
    restarted.bus.close()
    restarted.close()
    assert len(read_articles(url, TOPIC)) == 2


@pytest.mark.parametrize(
    "churned",
    [
        ("g-1-renamed", STORY[1], STORY[2]),  # new GUID, same URL
        ("g-1-renamed", STORY[1] + "?utm_source=x&fbclid=y#top", STORY[2]),  # + tracking junk
        ("g-1", "https://pub.test/2026/moved/story-one", STORY[2]),  # new URL, same GUID
        ("g-1", "https://pub.test/2026/moved/story-one", "Ministers agree water treaty"),  # +title
        ("g-9", "https://pub.test/elsewhere", "Ministers  agree on a NEW water treaty, today!"),
    ],
)
def test_identity_survives_guid_url_or_title_churn(tmp_path: Path, churned: tuple) -> None:
    collector, url = make(tmp_path)
    collector.ingest(feed("pub", rss("Pub", [STORY])))
    later = collector.ingest(feed("pub", rss("Pub", [churned]), NOW + timedelta(hours=2)))
    assert (later.articles, later.duplicates, later.syndicated) == (0, 1, 0)
    collector.close()
    assert [a.title for a in read_articles(url, TOPIC)] == [STORY[2]]


def test_a_recurring_title_is_new_again_after_the_window(tmp_path: Path) -> None:
    collector, _ = make(tmp_path)
    first = ("d-1", "https://pub.test/briefing/1", "Morning briefing for the harbour district")
    second = ("d-2", "https://pub.test/briefing/2", first[2])
    collector.ingest(feed("pub", rss("Pub", [first])))
    assert collector.ingest(feed("pub", rss("Pub", [second]), NOW + timedelta(days=1))).duplicates
    third = ("d-3", "https://pub.test/briefing/3", first[2])
    assert collector.ingest(feed("pub", rss("Pub", [third]), NOW + timedelta(days=9))).articles
    collector.close()


def test_syndicated_story_is_linked_not_republished(tmp_path: Path) -> None:
    collector, url = make(tmp_path)
    a = collector.ingest(load_saved(FIXTURES / "wire-a.rss"))
    b = collector.ingest(load_saved(FIXTURES / "wire-b.rss"))
    assert (a.articles, b.articles, b.duplicates, b.syndicated) == (2, 1, 2, 2)
    published = read_articles(url, TOPIC)
    assert [x.feed_id for x in published] == ["wire-a", "wire-a", "wire-b"]
    depot, theatre = published[0], published[1]
    # same title + summary under another URL, and the same canonical URL with tracking params
    assert [s.feed_id for s in collector.seen.sources(depot.id)] == ["wire-b"]
    assert collector.seen.sources(depot.id)[0].url.startswith("https://southern-daily.example")
    assert [s.feed_id for s in collector.seen.sources(theatre.id)] == ["wire-b"]
    assert collector.seen.syndication_counts() == {"wire-a": 2}
    collector.close()


def test_repeated_entry_inside_one_body_is_published_once(tmp_path: Path) -> None:
    collector, url = make(tmp_path)
    summary = collector.ingest(feed("pub", rss("Pub", [STORY, STORY])))
    assert (summary.articles, summary.duplicates) == (1, 1)
    collector.close()
    assert len(read_articles(url, TOPIC)) == 1


class FailingBus:
    """A real sqlite bus whose flush fails once: what a broker outage looks like."""

    def __init__(self, inner: object) -> None:
        self.inner, self.fail = inner, True

    def publish(self, topic: str, key: str, value: bytes) -> None:
        self.inner.publish(topic, key, value)

    def flush(self, timeout_secs: float = 30.0) -> None:
        if self.fail:
            self.fail = False
            raise RuntimeError("broker unavailable")
        self.inner.flush(timeout_secs)


def test_bus_failure_before_flush_loses_nothing(tmp_path: Path) -> None:
    collector, url = make(tmp_path)
    collector.bus = FailingBus(collector.bus)  # type: ignore[assignment]
    with pytest.raises(RuntimeError):
        collector.ingest(feed("pub", rss("Pub", [STORY])))
    retry = collector.ingest(feed("pub", rss("Pub", [STORY])))  # the next poll
    assert retry.articles == 1  # not swallowed by the seen-store
    collector.close()
    assert STORY[2] in [a.title for a in read_articles(url, TOPIC)]
