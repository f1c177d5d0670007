"""The real ``newswatch run`` process against slow-drip feeds and a full disk under feeds.db.

Two feeds on one host that send ``<?xml version="1.0"?>`` and then a byte a second must not
starve a normal feed on that host (per-host limit 2): every fetch ends by its total deadline.
A feed-state write that fails (disk full) backs off like a fetch error, is reported, and the
feed is polled again and recovers once there is space. SIGTERM ends the process within
``shutdown_timeout_secs`` although a fetch with a ten-minute deadline is still dripping.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile_peers import DiskFull, HostileFeeds, json_log, messages
from svc_peers import NewswatchProcess, rss, wait_for

RAID = ("d1", "Patrol reports incursion at the northern ford",
        "Fighters crossed the shallow ford before dawn and withdrew by noon.")
SHUTDOWN_SECS = 3


def config(tmp_path: Path, feeds: HostileFeeds) -> Path:
    data = tmp_path / "data"
    path = tmp_path / "newswatch.toml"
    path.write_text(f"""
[service]
data_dir = "{data}"
log_format = "json"
shutdown_timeout_secs = {SHUTDOWN_SECS}
reload = false

[collect]
per_host_concurrency = 2
fetch_deadline_secs = 2

[classifier]
kind = "keywords"

[[feeds]]
id = "drip-a"
url = "{feeds.url('/drip-a')}"
interval_secs = 10
jitter_secs = 0

[[feeds]]
id = "drip-b"
url = "{feeds.url('/drip-b')}"
interval_secs = 10
jitter_secs = 0

[[feeds]]
id = "normal"
url = "{feeds.url('/normal.rss')}"
interval_secs = 10
jitter_secs = 0

[[feeds]]
id = "drip-long"
url = "{feeds.url('/drip-long', host='localhost')}"
interval_secs = 10
jitter_secs = 0
fetch_deadline_secs = 600

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


def feed_status(cfg: Path, feed_id: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "newswatch", "feeds", "--json", "-c", str(cfg)],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    return next(row for row in map(json.loads, out.splitlines()) if row["id"] == feed_id)


@pytest.mark.slow
def test_slow_drip_feeds_and_a_full_state_disk(tmp_path: Path) -> None:
    disk = DiskFull(tmp_path)
    with HostileFeeds(drip_secs=0.5) as feeds:
        feeds.drips |= {"/drip-a", "/drip-b", "/drip-long"}
        feeds.feeds["/normal.rss"] = rss("Normal", [RAID])
        cfg = config(tmp_path, feeds)
        nw = NewswatchProcess(cfg, log=tmp_path / "run.log", env=disk.env)
        try:
            nw.wait_ready()
            # The normal feed on the drip feeds' host is polled again and again.
            wait_for(lambda: feeds.hit("/normal.rss") >= 2, 40, "a second poll of the normal feed")
            lines = (tmp_path / "alerts.jsonl").read_text().splitlines()
            assert len(lines) == 1 and RAID[1] in lines[0]
            wait_for(lambda: any("no complete response within 2s (fetch_deadline_secs)" in m
                                 for m in messages(nw.log())), 10, "the deadline in the log")
            assert nw.metric("newswatch_fetch_errors_total") >= 1
            assert nw.metric("newswatch_feed_consecutive_failures", feed="drip-a") >= 1

            # Disk full under feeds.db: the poll after it fails is followed by another one.
            disk.on("feeds.db")
            polls = feeds.hit("/normal.rss")
            wait_for(lambda: any("cannot save the feed state (feeds.db): database or disk is full"
                                 in m and "'normal'" in m for m in messages(nw.log())),
                     30, "the state error of the normal feed")
            disk.off()
            wait_for(lambda: feeds.hit("/normal.rss") >= polls + 2, 30,
                     "a poll after the failed state write")
            wait_for(lambda: any("feed 'normal': recovered after 1 failures" in m
                                 for m in messages(nw.log())), 15, "the recovery")
            assert nw.metric("newswatch_feed_state_errors_total") >= 1
            assert feed_status(cfg, "normal")["status"] == "ok"

            # SIGTERM while a fetch with a 10-minute deadline is dripping.
            wait_for(lambda: feeds.dripping >= 1, 20, "a fetch in flight")
            started = time.monotonic()
            nw.signal(signal.SIGTERM)
            status = nw.wait(SHUTDOWN_SECS + 20)
            took = time.monotonic() - started
        finally:
            nw.kill()
    assert took < SHUTDOWN_SECS + 2, (took, nw.log()[-3000:])
    assert status == 0, nw.log()[-3000:]
    assert "stopped cleanly" in messages(nw.log())
    warnings = [d for d in json_log(nw.log()) if d["level"] == "WARNING"]
    assert not any("cancelled" in d["msg"] for d in warnings)  # stopping is not a feed failure
