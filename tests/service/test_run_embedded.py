"""``newswatch run`` as a real subprocess on the embedded bus, end to end.

A local HTTP feed server, a real SMTP server (aiosmtpd) and a webhook receiver that verifies the
HMAC signature. The test checks the probes and metrics, a rejected config edit, a watch added
live, SIGTERM with work in flight, and, after a restart, that every alert arrived exactly once
per channel and every consumer group committed everything.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest
from svc_peers import (
    FeedServer,
    NewswatchProcess,
    SmtpSink,
    WebhookReceiver,
    rss,
    wait_for,
)

from newswatch.bus.sqlite import SqliteBus

SECRET = "whsec-9f2c41d7e0b3"

RAIDS = [
    ("r1", "Armed group stages incursion into Kessra border district",
     "Residents of Kessra heard gunfire after fighters crossed from the neighbouring state."),
    ("r2", "Army repels dawn incursion near Tavor river crossing",
     "Troops exchanged fire with a unit that waded across the Tavor before sunrise."),
    ("r3", "Village council demands protection after third incursion this month",
     "Elders in Mirsk say patrols arrive hours after the raiders have gone."),
]
QUIET = [
    ("q1", "Harvest festival draws record crowds in Lenhof", "Stalls sold out of plum cake."),
    ("q2", "Regional rail line reopens after bridge repairs", "Trains run hourly again."),
]
LEGION = ("l1", "Volunteer legion claims sabotage of fuel depot",
          "A statement posted by the unit showed smoke above storage tanks at Orvel.")
LATE_RAIDS = [
    ("r4", "Saboteurs slip across frontier in night incursion at Dubna pass",
     "Mountain guides found cut wire and abandoned rope ladders."),
    ("r5", "Shelling follows brief incursion by armoured column at Velka",
     "Two tracked vehicles withdrew after an hour under artillery cover."),
    ("r6", "Fishermen describe boat-borne incursion on lake shore",
     "Inflatable craft landed a dozen gunmen beside the old pier at Sorn."),
    ("r7", "Ministry confirms drone-supported incursion into Pelt farmland",
     "Officials counted craters across three fields of winter wheat."),
    ("r8", "Border guards capture scouts after failed incursion at Hollin",
     "The captured men carried maps marked with checkpoint positions."),
]


def config_text(data: Path, feed_url: str, smtp_port: int, hook_port: int, *, legion: bool) -> str:
    text = f"""
[service]
data_dir = "{data}"
log_format = "json"
reload_check_secs = 0.5
shutdown_timeout_secs = 30

[classifier]
kind = "keywords"

[[feeds]]
id = "borderwatch"
url = "{feed_url}"
interval_secs = 10

[[watches]]
name = "raids"
severity = "high"
channels = ["mail", "hook"]
[watches.keywords]
any = ["incursion"]

[[channels]]
name = "mail"
url = "smtp://127.0.0.1:{smtp_port}"
to = ["desk@example.org"]
from_addr = "newswatch@example.org"
starttls = "off"

[[channels]]
name = "hook"
url = "http://127.0.0.1:{hook_port}/hook"
secret = "{SECRET}"
"""
    if legion:
        text += """
[[watches]]
name = "legion"
channels = ["mail", "hook"]
[watches.keywords]
any = ["legion"]
"""
    return text


def delivered(hook: WebhookReceiver) -> dict[str, set[str]]:
    """watch -> article titles, from the verified webhook payloads."""
    out: dict[str, set[str]] = {}
    with hook.lock:
        bodies = [body for _, body in hook.received]
    for body in bodies:
        for m in body["alert"]["matches"]:
            out.setdefault(m["watch"], set()).add(m["article"]["title"])
    return out


def caught_up(nw: NewswatchProcess) -> list[dict[str, str]] | None:
    """The consumer-lag series on /metrics once they cover both topics and are all 0."""
    series = nw.samples("newswatch_consumer_lag")
    topics = {lbl["topic"] for lbl, _ in series}
    if topics >= {"newswatch.articles", "newswatch.matches"} and all(v == 0 for _, v in series):
        return [lbl for lbl, _ in series]
    return None


def titles(items: list[tuple[str, str, str]]) -> set[str]:
    return {t for _, t, _ in items}


@pytest.mark.slow
def test_run_embedded_end_to_end(tmp_path: Path) -> None:
    with FeedServer() as feeds, SmtpSink() as smtp, WebhookReceiver(SECRET) as hook:
        items = RAIDS + QUIET
        feeds.feeds["/border.rss"] = rss("Border Watch", items)
        cfg = tmp_path / "newswatch.toml"
        write = lambda legion: cfg.write_text(  # noqa: E731
            config_text(tmp_path / "data", feeds.url("/border.rss"), smtp.port, hook.port,
                        legion=legion))
        write(False)
        nw = NewswatchProcess(cfg, log=tmp_path / "run1.log")
        try:
            ready = nw.wait_ready()
            assert ready["bus"]["ok"] and set(ready["stages"]) == {"collect", "classify", "alert"}
            wait_for(lambda: delivered(hook).get("raids") == titles(RAIDS), 60, "3 raid alerts")
            wait_for(lambda: len(smtp.messages) >= 3, 30, "3 emails")

            status, body = nw.get("/healthz")
            assert status == 200 and json.loads(body)["ok"] is True
            assert nw.get("/nope")[0] == 404
            assert nw.metric("newswatch_stage_up") == 3
            assert nw.metric("newswatch_bus_up") == 1
            assert nw.metric("newswatch_feeds_polled_total", outcome="ok") >= 1
            assert nw.metric("newswatch_articles_published_total") == 5
            assert nw.metric("newswatch_feeds", status="ok") == 1
            assert nw.metric("newswatch_alerts_sent_total", channel="hook") == 3
            wait_for(lambda: caught_up(nw), 30, "consumer lag 0 on /metrics")

            # An invalid edit is rejected with a clear line; the running config stays.
            cfg.write_text(cfg.read_text() + '\n[[watches]]\nname = "bad"\nchanels = ["hook"]\n')
            wait_for(lambda: "config reload rejected" in nw.log(), 20, "the rejection log line")
            assert "chanels: unknown key" in nw.log()
            assert nw.get("/readyz")[0] == 200

            # A valid edit adds a watch; it applies to the next articles, same process.
            write(True)
            wait_for(lambda: "[watches] changed" in nw.log(), 20, "the reload log line")
            nw.wait_ready(30)
            feeds.feeds["/border.rss"] = rss("Border Watch", [*items, LEGION])
            wait_for(lambda: delivered(hook).get("legion") == {LEGION[1]}, 60, "legion alert")
            assert nw.proc.poll() is None

            # New work, then SIGTERM as soon as the collector fetched it.
            hits = feeds.hits["/border.rss"]
            feeds.feeds["/border.rss"] = rss("Border Watch", [*items, LEGION, *LATE_RAIDS])
            wait_for(lambda: feeds.hits["/border.rss"] > hits, 30, "the next poll", every=0.02)
            nw.signal(signal.SIGTERM)
            assert nw.wait(60) == 0, nw.log()
            assert "stopped cleanly" in nw.log()
            messages = [json.loads(line)["msg"] for line in nw.log().splitlines()
                        if line.startswith("{")]
            assert any(m.startswith("SIGTERM received") for m in messages)
        finally:
            nw.kill()

        # Restart: whatever was in flight is finished now, and nothing is sent twice.
        nw = NewswatchProcess(cfg, log=tmp_path / "run2.log")
        try:
            nw.wait_ready()
            expected = {"raids": titles(RAIDS + LATE_RAIDS), "legion": {LEGION[1]}}
            wait_for(lambda: delivered(hook) == expected, 60, "every alert after the restart")
            wait_for(lambda: len(smtp.messages) >= 9, 30, "9 emails")
            lag_series = wait_for(lambda: caught_up(nw), 30, "consumer lag 0 on /metrics")
            nw.signal(signal.SIGTERM)
            assert nw.wait(60) == 0, nw.log()
        finally:
            nw.kill()

    keys = hook.keys()
    assert len(keys) == len(set(keys)) == 9, keys  # exactly once per alert on the webhook
    with hook.lock:
        matched = [m["article"]["title"] for _, b in hook.received for m in b["alert"]["matches"]]
    assert len(matched) == len(set(matched)) == 9  # each article in exactly one alert
    ids = [m["Message-ID"] for m in smtp.messages]
    assert len(ids) == len(set(ids)) == 9, ids  # and by email
    assert hook.bad_signatures == 0
    for log in (tmp_path / "run1.log", tmp_path / "run2.log"):
        assert SECRET not in log.read_text()
    # Every consumer group committed everything (the groups are those /metrics reported).
    assert {lbl["topic"] for lbl in lag_series} >= {"newswatch.articles", "newswatch.matches"}
    bus = SqliteBus(f"sqlite:///{tmp_path / 'data' / 'bus.db'}")
    try:
        for lbl in lag_series:
            assert bus.lag(lbl["group"], [lbl["topic"]]) == {lbl["topic"]: 0}, lbl
    finally:
        bus.close()
