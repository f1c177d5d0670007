"""Sharded collect in one process on the Tansu test broker: the process owns every partition of
the feeds topic, writes each feed's row after polling it, and applies a reload in place (a
removed feed stops and its row is tombstoned, an added feed starts with its own row)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from feedhelp import FeedServer, Response, rss

from collectors.shard import read_states
from collectors.stage import FEEDS, build_stage
from newswatch import app, metrics
from newswatch.config import parse_config


def config_text(kafka_url: str, prefix: str, data: Path, server: FeedServer,
                feeds: list[str]) -> str:
    entries = "".join(f'[[feeds]]\nid = "{f}"\nurl = "{server.url("/" + f)}"\n'
                      "interval_secs = 600\njitter_secs = 0\n" for f in feeds)
    return (f'[service]\ndata_dir = "{data}"\n[bus]\nurl = "{kafka_url}"\n'
            f'topic_prefix = "{prefix}."\n[bus.kafka]\nsession_timeout_ms = 6000\n'
            "heartbeat_interval_ms = 1000\n[collect]\nsharded = true\nfeed_partitions = 4\n"
            f"{entries}")


def wait(check, secs: float, what: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + secs
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.mark.kafka
def test_sharded_stage_writes_rows_and_reloads_in_place(
    tmp_path: Path, kafka_url: str, unique_name: str, feed_server: FeedServer
) -> None:
    for name in ("alpha", "beta", "gamma"):
        body = rss(name, [(f"{name}-1", f"https://{name}.test/1", f"{name} ferry timetable")])
        feed_server.route(f"/{name}", lambda req, b=body, n=name: Response(
            200, b, {"ETag": f'"{n}-v1"'}) if req.headers.get("if-none-match") != f'"{n}-v1"'
            else Response(304, headers={"ETag": f'"{n}-v1"'}))

    def hits(name: str) -> int:
        return len(feed_server.hits(f"/{name}"))

    text = lambda feeds: config_text(  # noqa: E731
        kafka_url, unique_name, tmp_path / "data", feed_server, feeds)
    config = parse_config(text(["alpha", "beta"]), environ={})
    topic = config.bus.topic(FEEDS)
    bus = app.make_bus(config)
    stage = build_stage(config, bus)
    stop = threading.Event()
    runner = threading.Thread(target=stage.run, args=(stop,), daemon=True)
    runner.start()
    try:
        wait(lambda: stage.ready()[0], 60, "the group to hand over every partition")
        assert stage.ready()[1].startswith("2 feeds in partitions [0, 1, 2, 3]")
        wait(lambda: hits("alpha") and hits("beta"), 30, "the first polls")
        wait(lambda: set(read_states(bus, topic)) == {"alpha", "beta"}, 30, "two rows")
        rows = read_states(bus, topic)
        assert rows["alpha"].etag == '"alpha-v1"' and rows["beta"].entry_ids
        assert metrics.COLLECT_FEEDS._value.get() == 2

        stage.reconfigure(parse_config(text(["beta", "gamma"]), environ={}))
        wait(lambda: hits("gamma") == 1, 30, "the added feed's first poll")
        wait(lambda: set(read_states(bus, topic)) == {"beta", "gamma"}, 30, "alpha tombstoned")
        assert hits("alpha") == 1 and hits("beta") == 1  # alpha stopped; beta not restarted
        assert stage.scheduler.get_job("alpha") is None and stage.scheduler.get_job("gamma")
        assert metrics.COLLECT_FEEDS._value.get() == 2
    finally:
        stop.set()
        runner.join(30)
        stage.close()
        bus.close()
    assert not runner.is_alive()
    assert metrics.COLLECT_FEEDS._value.get() == 0  # every feed handed back on the way out

