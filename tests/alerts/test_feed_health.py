"""Feed health end to end: a real HTTP feed answering 500, the collector's poll path publishing
``FeedStatus`` events to a real bus, and the alert stage delivering to a file channel and a real
webhook receiver. One alert per debounce step (1 and 5 failures, not one per failure), one
recovery notice, nothing repeated when the alert stage restarts after a crash."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from alert_servers import WebhookReceiver

import alerts.stage
import collectors.stage
from newswatch.app import make_bus
from newswatch.config import parse_config

FEED = b"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
<title>Harbour Bulletin</title><link>https://harbour.test/</link>
<item><guid>hb-1</guid><link>https://harbour.test/1</link>
<title>Ferry timetable changes for the winter season</title>
<description>The ferry company publishes its winter timetable.</description>
<pubDate>Sun, 22 Nov 2026 10:00:00 GMT</pubDate></item></channel></rss>"""


class FlakyFeed:
    """An RSS feed on 127.0.0.1 answering ``status`` (500 until the test says otherwise)."""

    def __init__(self) -> None:
        self.status, self.hits = 500, 0
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                feed.hits += 1
                body = FEED if feed.status == 200 else b"upstream exploded"
                self.send_response(feed.status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/harbour.xml"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def flaky() -> Iterator[FlakyFeed]:
    server = FlakyFeed()
    yield server
    server.stop()


def config(tmp_path: Path, bus_url: str, prefix: str, feed_url: str, hook_url: str):  # noqa: ANN201
    return parse_config(f"""
[service]
data_dir = "{tmp_path}/data"

[bus]
url = "{bus_url}"
topic_prefix = "{prefix}"
[bus.kafka]
partitions = 1
session_timeout_ms = 6000
heartbeat_interval_ms = 1000

[collect]
health_event_failures = [1, 5, 20]

[alerts]
feed_health_channels = ["ops", "hook"]
feed_health_failures = 1

[[feeds]]
id = "harbour"
url = "{feed_url}"
interval_secs = 60
jitter_secs = 0

[[watches]]
name = "w"
[watches.keywords]
any = ["flood"]

[[channels]]
name = "ops"
url = "file://{tmp_path}/ops.jsonl"

[[channels]]
name = "hook"
url = "{hook_url}"
secret = "hmac-key-Zq81"
backoff_base_secs = 0.2
backoff_max_secs = 1
""", "health.toml", {})


def lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def settle(stage: alerts.stage.AlertStage, path: Path, expected: int,
           timeout: float = 60) -> list[dict]:
    """Drain until ``expected`` lines are in the file channel (Kafka joins take seconds), then
    keep draining a little longer to catch anything extra."""
    deadline = time.monotonic() + timeout
    while len(lines(path)) < expected and time.monotonic() < deadline:
        stage.drain()
    for _ in range(3):
        stage.drain()
    return lines(path)


def crash_after_delivery(stage: alerts.stage.AlertStage, records: int) -> None:
    """Handle and deliver ``records`` events but die before committing them to the bus."""
    got, deadline = 0, time.monotonic() + 60
    while got < records and time.monotonic() < deadline:
        batch = stage.consumer.poll(max_records=100, timeout_secs=0.5)
        if batch:
            stage.handle(batch)
            got += len(batch)
    assert got == records
    stage.tick(force=True)
    stage.pump()
    stage.close()  # no commit: the restarted stage gets these events again


def run_feed_health(tmp_path: Path, bus_url: str, prefix: str, feed: FlakyFeed) -> None:
    receiver = WebhookReceiver(secret="hmac-key-Zq81").start()
    try:
        cfg = config(tmp_path, bus_url, prefix, feed.url, receiver.url)
        out = tmp_path / "ops.jsonl"
        with make_bus(cfg) as bus:
            collect = collectors.stage.build_stage(cfg, bus)
            harbour = collect.feeds[0]
            try:
                first = alerts.stage.build_stage(cfg, bus)
                for n in range(1, 5):
                    assert collect.poll(harbour).consecutive_failures == n
                crash_after_delivery(first, records=1)  # only failure 1 was announced
                assert len(lines(out)) == 1

                for n in range(5, 8):
                    state = collect.poll(harbour)
                    assert state.consecutive_failures == n and "HTTP 500" in state.last_error
                restarted = alerts.stage.build_stage(cfg, bus)
                try:
                    assert len(settle(restarted, out, 2)) == 2  # failure 5; failure 1 not again
                finally:
                    restarted.close()

                feed.status = 200
                assert collect.poll(harbour).consecutive_failures == 0
                assert collect.poll(harbour).consecutive_failures == 0  # still ok: no event
                third = alerts.stage.build_stage(cfg, bus)
                try:
                    got = settle(third, out, 3)
                    sent = third.ledger.conn.execute(
                        "SELECT channel, COUNT(*) FROM deliveries WHERE state='sent' "
                        "GROUP BY channel").fetchall()
                finally:
                    third.close()
            finally:
                collect.close()
        assert feed.hits == 9
    finally:
        receiver.stop()

    assert len(got) == 3, [g["alert"]["title"] for g in got]
    texts = [g["alert"]["text"] for g in got]
    assert "Feed harbour has failed 1 time since " in texts[0]
    assert "Feed harbour has failed 5 times since " in texts[1]
    assert "Feed harbour recovered after 7 failures since " in texts[2]
    since = texts[0].split(" since ", 1)[1].split(" UTC", 1)[0]
    for g, text in zip(got, texts, strict=True):
        assert since in text and "HTTP 500" in text  # the episode start and the last error
        assert g["alert"]["sources"] == ["harbour"]
        assert g["alert"]["matches"][0]["article"]["feed_id"] == "harbour"
        assert "HTTP 500" in g["alert"]["matches"][0]["article"]["summary"]
    assert [g["alert"]["severity"] for g in got] == ["high", "high", "normal"]
    assert [g["type"] for g in got] == ["alert", "follow_up", "follow_up"]  # one thread
    assert {g["alert"]["follow_up_of"] for g in got[1:]} == {got[0]["alert"]["id"]}
    keys = [g["idempotency_key"] for g in got]
    assert len(set(keys)) == 3
    assert dict(receiver.accepted) == dict.fromkeys(keys, 1)  # exactly once at the webhook
    assert receiver.bad_signatures == 0
    assert dict(sent) == {"hook": 3, "ops": 3}


def test_feed_health_alerts_embedded_bus(tmp_path: Path, flaky: FlakyFeed) -> None:
    run_feed_health(tmp_path, f"sqlite:///{tmp_path}/bus.db", "nw.", flaky)


@pytest.mark.kafka
def test_feed_health_alerts_kafka(tmp_path: Path, flaky: FlakyFeed, kafka_url: str,
                                  unique_name: str) -> None:
    run_feed_health(tmp_path, kafka_url, f"{unique_name}.", flaky)
