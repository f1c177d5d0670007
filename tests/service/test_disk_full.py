"""A full disk under the real ``newswatch run`` process: no duplicate records on the embedded
bus, every alert exactly once after the space is back.

The disk fills (every SQLite file refuses writes, as on a full file system) just before a
feed gets new stories; polls fail and back off, health events and feed state cannot be
written. When space is freed, each story is published once, classified once and alerted once.
"""

from __future__ import annotations

import json
import signal
import sqlite3
from pathlib import Path

import pytest
from hostile_peers import DiskFull, messages
from svc_peers import FeedServer, NewswatchProcess, rss, wait_for

SYLLABLES = ("ka", "lo", "mi", "nu", "pe", "ra", "si", "to", "ve", "zu")


def item(i: int) -> tuple[str, str, str]:
    """Made-up words unique to ``i`` keep every story its own alert."""
    words = ["".join(SYLLABLES[int(d)] for d in f"{w}{i:03d}") for w in (1, 2, 3, 4)]
    title = "Incursion at " + " ".join(w.capitalize() for w in words)
    return f"s{i}", title, f"Report {i} from the border districts."


def config(tmp_path: Path, feed_url: str) -> Path:
    path = tmp_path / "newswatch.toml"
    path.write_text(f"""
[service]
data_dir = "{tmp_path}/data"
log_format = "json"
reload = false

[classifier]
kind = "keywords"

[[feeds]]
id = "wire"
url = "{feed_url}"
interval_secs = 10
jitter_secs = 0

[[watches]]
name = "raids"
channels = ["out"]
[watches.keywords]
any = ["incursion"]

[[channels]]
name = "out"
url = "file://{tmp_path}/alerts.jsonl"
""")
    return path


def alerted(tmp_path: Path) -> list[str]:
    path = tmp_path / "alerts.jsonl"
    if not path.exists():
        return []
    docs = [json.loads(line) for line in path.read_text().splitlines()]
    return [m["article"]["title"] for d in docs for m in d["alert"]["matches"]]


def bus_counts(bus_db: Path, topic: str) -> tuple[int, int]:
    conn = sqlite3.connect(bus_db)
    try:
        return conn.execute("SELECT COUNT(*), COUNT(DISTINCT key) FROM records WHERE topic=?",
                            (topic,)).fetchone()
    finally:
        conn.close()


@pytest.mark.slow
def test_disk_full_leaves_no_duplicates_and_loses_nothing(tmp_path: Path) -> None:
    first, second = [item(i) for i in range(3)], [item(i) for i in range(3, 23)]
    disk = DiskFull(tmp_path)
    with FeedServer() as feeds:
        feeds.feeds["/wire.rss"] = rss("Wire", first)
        cfg = config(tmp_path, feeds.url("/wire.rss"))
        nw = NewswatchProcess(cfg, log=tmp_path / "run.log", env=disk.env)
        try:
            nw.wait_ready()
            wait_for(lambda: len(alerted(tmp_path)) == 3, 60, "the first 3 alerts")
            disk.on("*")
            feeds.feeds["/wire.rss"] = rss("Wire", first + second)
            wait_for(lambda: any("database or disk is full" in m and "feed 'wire'" in m
                                 for m in messages(nw.log())), 30, "a poll failing on the disk")
            hits = feeds.hits["/wire.rss"]
            disk.off()
            wait_for(lambda: len(alerted(tmp_path)) >= 23, 60, "every alert after the disk")
            assert feeds.hits["/wire.rss"] > hits
            wait_for(lambda: nw.metric("newswatch_consumer_lag") == 0
                     and len(nw.samples("newswatch_consumer_lag")) >= 2, 30, "lag 0")
            nw.signal(signal.SIGTERM)
            assert nw.wait(60) == 0, nw.log()[-3000:]
        finally:
            nw.kill()
    titles = alerted(tmp_path)
    assert sorted(titles) == sorted(t for _, t, _ in first + second)  # each exactly once
    bus_db = tmp_path / "data" / "bus.db"
    assert bus_counts(bus_db, "newswatch.articles") == (23, 23)
    assert bus_counts(bus_db, "newswatch.matches") == (23, 23)
    log = "\n".join(messages(nw.log()))
    assert "cannot rollback" not in log
