"""Seen-store pruning on the collect stage's schedule: expired title/fingerprint keys go, the
permanent id/URL/GUID keys stay, so an old article is still never published again."""

from __future__ import annotations

import sqlite3
import time
from datetime import timedelta
from pathlib import Path

from feedhelp import read_articles, rss

from collectors.base import FetchedFeed
from collectors.collector import Collector
from collectors.schedule import PRUNE_INTERVAL_SECS, PRUNE_JOB, FeedScheduler
from collectors.seen import SqliteSeenStore
from collectors.state import FeedStateStore
from newswatch.bus import open_bus
from newswatch.models import utcnow

TOPIC = "t.articles"
OLD = ("old-1", "https://pub.test/old/harbour-crane", "Harbour crane collapses during heavy storm")
NEW = ("new-1", "https://pub.test/new/bridge-vote", "Council votes to rebuild the river bridge")


def collector(tmp_path: Path, url: str) -> Collector:
    bus = open_bus(url)
    bus.create_topics([TOPIC])
    seen = SqliteSeenStore(tmp_path / "seen.db", window=timedelta(days=1))
    return Collector(bus, TOPIC, seen)


def keys(tmp_path: Path) -> set[str]:
    with sqlite3.connect(tmp_path / "seen.db") as conn:
        return {k.split(":", 1)[0] + ":" + t for k, t in conn.execute(
            "SELECT s.key, a.title FROM seen_keys s JOIN articles a USING(article_id)")}


def test_schedule_prunes_expired_windowed_keys_but_never_identity(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/bus.db"
    now = utcnow()
    first = collector(tmp_path, url)
    old = first.ingest(FetchedFeed("pub", rss("Pub", [OLD]), now - timedelta(days=10)))
    new = first.ingest(FetchedFeed("pub", rss("Pub", [NEW]), now - timedelta(hours=1)))
    assert (old.articles, new.articles) == (1, 1)
    kinds = ("id", "url", "guid", "title", "fp")
    assert keys(tmp_path) == {f"{k}:{t}" for k in kinds for t in (OLD[2], NEW[2])}

    sched = FeedScheduler([], first, state=FeedStateStore(tmp_path / "feeds.db"))
    sched.start()  # the prune job runs at start, then every hour
    try:
        job = sched.scheduler.get_job(PRUNE_JOB)
        assert job is not None and job.trigger.interval == timedelta(seconds=PRUNE_INTERVAL_SECS)
        deadline = time.monotonic() + 30
        while f"title:{OLD[2]}" in keys(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        sched.close()
        first.bus.close()
    # the old story keeps its identity keys; the recent one keeps everything
    assert keys(tmp_path) == (
        {f"{k}:{OLD[2]}" for k in ("id", "url", "guid")} | {f"{k}:{NEW[2]}" for k in kinds}
    )

    again = collector(tmp_path, url)  # a restart; the publisher repeats the old entry today
    try:
        repeat = again.ingest(FetchedFeed("pub", rss("Pub", [OLD, NEW]), now))
        assert (repeat.articles, repeat.duplicates) == (0, 2)
    finally:
        again.bus.close()
        again.close()
    assert [a.title for a in read_articles(url, TOPIC)] == [OLD[2], NEW[2]]
