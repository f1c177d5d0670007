"""Fetching and scheduling against a real HTTP server on 127.0.0.1 (no mocked client)."""

from __future__ import annotations

import gzip
import threading
import time
from datetime import timedelta
from pathlib import Path

from feedhelp import FeedServer, Request, Response, read_articles, rss

from collectors.collector import Collector
from collectors.health import HealthReporter, should_announce
from collectors.record import Recorder
from collectors.replay import feed_files, load_saved
from collectors.schedule import FeedScheduler
from collectors.seen import SqliteSeenStore
from collectors.state import FeedStateStore
from newswatch import serde
from newswatch.bus import open_bus
from newswatch.config.collect import CollectConfig
from newswatch.config.feeds import FeedConfig
from newswatch.models import FeedStatus, utcnow

ARTICLES, EVENTS = "t.articles", "t.events"
BODY = rss("Wire", [("w-1", "https://wire.test/1", "Border crossing closed after shelling"),
                    ("w-2", "https://wire.test/2", "Harbour dredging starts next week")])


def scheduler(tmp_path: Path, feeds: list[FeedConfig], **collect: object) -> FeedScheduler:
    bus = open_bus(f"sqlite:///{tmp_path}/bus.db")
    bus.create_topics([ARTICLES, EVENTS])
    config = CollectConfig(**collect)  # type: ignore[arg-type]
    return FeedScheduler(
        feeds, Collector(bus, ARTICLES, SqliteSeenStore(tmp_path / "seen.db")),
        collect=config, state=FeedStateStore(tmp_path / "feeds.db"),
        health=HealthReporter(bus, EVENTS, config.health_event_failures),
        recorder=Recorder(tmp_path / "recorded"),
    )


def events(tmp_path: Path) -> list[FeedStatus]:
    from newswatch.bus import open_bus as ob

    with ob(f"sqlite:///{tmp_path}/bus.db") as bus, bus.consumer("ev", [EVENTS]) as c:
        return [serde.loads(r.value, FeedStatus) for r in c.poll(1000, 0.5)]


def feed(server: FeedServer, path: str, **kw: object) -> FeedConfig:
    return FeedConfig(id=kw.pop("id", path.strip("/").replace("/", "-")),  # type: ignore[arg-type]
                      url=server.url(path), interval_secs=60, **kw)


def test_conditional_get_second_poll_is_304_and_publishes_nothing(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    def handler(req: Request) -> Response:
        if req.headers.get("if-none-match") == '"v1"':
            return Response(304, headers={"ETag": '"v1"'})
        return Response(200, BODY, {"ETag": '"v1"', "Content-Type": "application/rss+xml",
                                    "Last-Modified": "Sun, 22 Nov 2026 10:00:00 GMT"})

    feed_server.route("/cond.xml", handler)
    sched = scheduler(tmp_path, [feed(feed_server, "/cond.xml", user_agent="test-agent/1",
                                      headers={"X-Token": "s3cret"})])
    first = sched.poll(sched.feeds[0])
    assert first.etag == '"v1"' and first.last_status == 200 and first.articles_total == 2
    second = sched.poll(sched.feeds[0])
    assert second.last_status == 304 and second.articles_total == 2
    hits = feed_server.hits("/cond.xml")
    assert [h.headers.get("if-none-match") for h in hits] == [None, '"v1"']
    assert hits[1].headers["if-modified-since"] == "Sun, 22 Nov 2026 10:00:00 GMT"
    assert hits[0].headers["user-agent"] == "test-agent/1"
    assert hits[0].headers["x-token"] == "s3cret"
    sched.close()
    assert len(read_articles(f"sqlite:///{tmp_path}/bus.db", ARTICLES)) == 2
    # state survives a restart: a new scheduler sends the stored validators
    again = scheduler(tmp_path, [feed(feed_server, "/cond.xml")])
    assert again.poll(again.feeds[0]).last_status == 304
    again.close()


def test_unchanged_body_without_validators_skips_parsing(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    feed_server.route("/plain.xml", lambda req: Response(200, BODY))
    sched = scheduler(tmp_path, [feed(feed_server, "/plain.xml")])
    sched.poll(sched.feeds[0])
    sched.collector.ingest = None  # type: ignore[assignment]  # would raise if called
    state = sched.poll(sched.feeds[0])
    assert state.consecutive_failures == 0 and state.last_status == 200
    sched.close()


def test_backoff_after_500s_keeps_probing_and_recovers(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    calls = {"n": 0}

    def flaky(req: Request) -> Response:
        calls["n"] += 1
        return Response(500, b"boom") if calls["n"] <= 6 else Response(200, BODY)

    feed_server.route("/flaky.xml", flaky)
    sched = scheduler(tmp_path, [feed(feed_server, "/flaky.xml", jitter_secs=0)],
                      max_backoff_secs=600)
    delays = []
    for n in range(1, 7):
        state = sched.poll(sched.feeds[0])
        assert state.consecutive_failures == n and "HTTP 500" in state.last_error
        assert state.status == "failing" and state.failing_since is not None
        delays.append(state.interval_secs)
    assert delays == [60, 120, 240, 480, 600, 600]  # doubling, capped, never giving up
    assert state.next_poll is not None and state.next_poll - utcnow() > timedelta(seconds=590)
    since = state.failing_since
    ok = sched.poll(sched.feeds[0])
    assert ok.consecutive_failures == 0 and ok.failing_since is None and ok.status == "ok"
    assert ok.interval_secs == 60 and ok.articles_total == 2
    sched.close()
    got = events(tmp_path)
    assert [(e.ok, e.consecutive_failures) for e in got] == [(False, 1), (False, 5), (True, 6)]
    assert got[1].failing_since == since and "HTTP 500" in got[1].last_error
    assert should_announce(40, [1, 5, 20]) and not should_announce(21, [1, 5, 20])


def test_retry_after_is_honoured(feed_server: FeedServer, tmp_path: Path) -> None:
    feed_server.route("/busy.xml", lambda req: Response(503, b"", {"Retry-After": "1800"}))
    feed_server.route("/slow.xml", lambda req: Response(429, b"", {"Retry-After": "5"}))
    sched = scheduler(tmp_path, [feed(feed_server, "/busy.xml"), feed(feed_server, "/slow.xml")])
    busy = sched.poll(sched.feeds[0])
    assert busy.interval_secs == 1800 and "503" in busy.last_error
    assert busy.next_poll is not None
    assert timedelta(seconds=1795) < busy.next_poll - utcnow() <= timedelta(seconds=1800)
    slow = sched.poll(sched.feeds[1])  # shorter than the backoff: the backoff wins
    assert slow.interval_secs == 60 and "429" in slow.last_error
    sched.close()


def test_ttl_and_cache_control_lengthen_the_interval(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    feed_server.route("/ttl.xml", lambda req: Response(200, rss("T", [("t", "https://t.test/1",
                                                                         "Ferry news item")], 30)))
    feed_server.route("/cc.xml", lambda req: Response(200, BODY, {"Cache-Control": "max-age=900"}))
    sched = scheduler(tmp_path, [feed(feed_server, "/ttl.xml"), feed(feed_server, "/cc.xml")])
    assert sched.poll(sched.feeds[0]).interval_secs == 1800
    assert sched.poll(sched.feeds[1]).interval_secs == 900
    sched.close()


def test_size_cap_is_enforced_while_downloading(feed_server: FeedServer, tmp_path: Path) -> None:
    huge = b"<rss>" + b"x" * 300_000 + b"</rss>"
    feed_server.route("/huge.xml", lambda req: Response(200, huge))
    bomb = gzip.compress(b"<rss>" + b" " * 5_000_000 + b"</rss>")
    feed_server.route("/bomb.xml", lambda req: Response(200, bomb, {"Content-Encoding": "gzip"}))
    sched = scheduler(tmp_path, [feed(feed_server, "/huge.xml", max_bytes=100_000),
                                 feed(feed_server, "/bomb.xml", max_bytes=100_000)])
    for f in sched.feeds:
        state = sched.poll(f)
        assert state.consecutive_failures == 1 and "max_bytes 100000" in state.last_error
    sched.close()


def test_redirects_are_followed_and_the_final_url_recorded(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    feed_server.route("/old.xml", lambda req: Response(301, b"", {"Location": "/mid.xml"}))
    feed_server.route("/mid.xml", lambda req: Response(302, b"", {"Location": "/new.xml"}))
    feed_server.route("/new.xml", lambda req: Response(200, BODY))
    feed_server.route("/loop.xml", lambda req: Response(302, b"", {"Location": "/loop.xml"}))
    sched = scheduler(tmp_path, [feed(feed_server, "/old.xml", record=True),
                                 feed(feed_server, "/loop.xml")])
    state = sched.poll(sched.feeds[0])
    assert state.final_url == feed_server.url("/new.xml") and state.articles_total == 2
    loop = sched.poll(sched.feeds[1])
    assert "redirects" in loop.last_error
    sched.close()
    # record = true saved the body with a sidecar that replay reads back
    saved = list(feed_files([tmp_path / "recorded"]))
    assert len(saved) == 1
    again = load_saved(saved[0])
    assert again.feed_id == "old.xml" and again.body == BODY and not again.fetched_estimated
    assert again.url == feed_server.url("/new.xml")


def test_per_host_limit_is_respected(feed_server: FeedServer, tmp_path: Path) -> None:
    for n in range(8):
        feed_server.route(f"/f{n}.xml", lambda req, n=n: Response(
            200, rss(f"F{n}", [(f"g{n}", f"https://f.test/{n}", f"Story number {n} here")]),
            delay=0.3))
    feeds = [feed(feed_server, f"/f{n}.xml") for n in range(8)]
    sched = scheduler(tmp_path, feeds, per_host_concurrency=2, max_workers=8)
    assert sched.drain() == 8
    assert feed_server.max_in_flight == 2  # 8 workers, one host, at most 2 at once
    assert len(feed_server.requests) == 8
    sched.close()


def test_scheduler_runs_jobs_and_reschedules_adaptively(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    feed_server.route("/live.xml", lambda req: Response(200, BODY))
    feed_server.route("/down.xml", lambda req: Response(500, b""))
    sched = scheduler(tmp_path, [feed(feed_server, "/live.xml", jitter_secs=0),
                                 feed(feed_server, "/down.xml", jitter_secs=0)])
    stop = threading.Event()
    runner = threading.Thread(target=sched.run, args=(stop,))
    runner.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (
        sched.state.get("live.xml").last_success is None
        or sched.state.get("down.xml").consecutive_failures == 0
    ):
        time.sleep(0.1)
    jobs = {j.id: j.next_run_time for j in sched.scheduler.get_jobs()}
    stop.set()
    runner.join(30)
    live, down = sched.state.get("live.xml"), sched.state.get("down.xml")
    assert live.articles_total == 2 and down.consecutive_failures == 1
    # the job's next run is the adaptive one stored in the state, not the safety-net interval
    assert abs((jobs["live.xml"] - live.next_poll).total_seconds()) < 1
    assert len(feed_server.hits("/live.xml")) == 1  # max_instances=1, no immediate re-run
    sched.close()
