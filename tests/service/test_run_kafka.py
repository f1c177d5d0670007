"""The three stages as separate ``newswatch run --stage`` processes on Kafka (the Tansu test
broker): one collector, two classifiers sharing the articles topic's partitions, one alerter
delivering to a signed webhook. Every matching article is alerted exactly once, both classify
processes do part of the work, and every process stops cleanly on SIGTERM."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Any

import pytest
from svc_peers import FeedServer, NewswatchProcess, WebhookReceiver, rss, wait_for

SECRET = "whsec-kafka-5e1d0c"
PLACES = ["Arvesk", "Bolmir", "Cetrana", "Dovrel", "Eskaro", "Fennic", "Gorvath", "Halvic",
          "Istren", "Jovask", "Kelmor", "Lunvar", "Mervik", "Norral", "Ostrin", "Pavlek"]
ACTORS = ["Militia", "Commandos", "Partisans", "Raiders", "Insurgents", "Saboteurs", "Fighters",
          "Irregulars", "Guerrillas", "Mercenaries", "Rebels", "Infantry", "Marines", "Rangers",
          "Paratroopers", "Scouts"]
THINGS = ["granary", "pylon", "ferry", "quarry", "depot", "orchard", "sawmill", "radar",
          "bridge", "pipeline", "clinic", "barracks", "warehouse", "tannery", "kiln", "dam"]


def article_items(n_match: int, n_other: int) -> list[tuple[str, str, str]]:
    """Distinct stories (few shared words), so story grouping keeps them apart."""
    items = []
    for i in range(n_match):
        items.append((f"m{i}", f"{ACTORS[i]} incursion reported at {PLACES[i]} {THINGS[i]}",
                      f"{THINGS[i].capitalize()} damaged."))
    for i in range(n_other):
        items.append((f"o{i}", f"{PLACES[i]} council approves new {THINGS[i]} budget",
                      f"Item {i} of the weekly civic digest."))
    return items


def config_text(kafka_url: str, prefix: str, feed_url: str, hook_port: int) -> str:
    return f"""
[service]
data_dir = "unused-overridden-per-process"
shutdown_timeout_secs = 30
reload = false

[bus]
url = "{kafka_url}"
topic_prefix = "{prefix}."
[bus.kafka]
partitions = 3
session_timeout_ms = 6000
heartbeat_interval_ms = 1000

[classifier]
kind = "keywords"

[[feeds]]
id = "frontier"
url = "{feed_url}"
interval_secs = 60

[[watches]]
name = "raids"
channels = ["hook"]
[watches.keywords]
any = ["incursion"]

[[channels]]
name = "hook"
url = "http://127.0.0.1:{hook_port}/hook"
secret = "{SECRET}"
"""


def raid_titles(hook: WebhookReceiver) -> list[str]:
    with hook.lock:
        bodies: list[dict[str, Any]] = [b for _, b in hook.received]
    return [m["article"]["title"] for b in bodies for m in b["alert"]["matches"]]


@pytest.mark.kafka
@pytest.mark.slow
def test_stages_as_separate_processes_on_kafka(
    tmp_path: Path, kafka_url: str, unique_name: str
) -> None:
    n_match, n_other = 16, 16
    with FeedServer() as feeds, WebhookReceiver(SECRET) as hook:
        feeds.feeds["/frontier.rss"] = rss("Frontier", article_items(n_match, n_other))
        cfg = tmp_path / "newswatch.toml"
        cfg.write_text(config_text(kafka_url, unique_name, feeds.url("/frontier.rss"), hook.port))
        procs: dict[str, NewswatchProcess] = {}

        def start(name: str, stage: str) -> NewswatchProcess:
            env = {"NEWSWATCH_SERVICE__DATA_DIR": str(tmp_path / name)}
            proc = NewswatchProcess(cfg, "--stage", stage, "--log-format", "json",
                                    log=tmp_path / f"{name}.log", env=env)
            procs[name] = proc
            return proc

        try:
            # Both classifiers join the group before any article exists, so they share it.
            for name in ("classify-a", "classify-b"):
                start(name, "classify")
            for name in ("classify-a", "classify-b"):
                ready = procs[name].wait_ready()
                assert set(ready["stages"]) == {"classify"}
            time.sleep(8)  # the first member's rebalance after the second joined
            start("alert", "alert").wait_ready()
            start("collect", "collect").wait_ready()

            expected = {t for i, t, _ in article_items(n_match, 0)}
            wait_for(lambda: set(raid_titles(hook)) == expected, 90, f"{n_match} alerts")
            counts = {
                name: procs[name].metric("newswatch_articles_classified_total")
                for name in ("classify-a", "classify-b")
            }
            wait_for(lambda: sum(procs[n].metric("newswatch_articles_classified_total")
                                 for n in counts) == n_match + n_other, 30, "all classified")
            counts = {n: procs[n].metric("newswatch_articles_classified_total") for n in counts}
            assert all(c > 0 for c in counts.values()), f"one classifier did nothing: {counts}"
            assert procs["collect"].metric("newswatch_articles_published_total") == 32
            # The web inbox is served by the process that holds the alert ledger, only there.
            wait_for(lambda: all(t in procs["alert"].get("/")[1] for t in expected), 30,
                     "the inbox of the --stage alert process")
            assert procs["classify-a"].get("/")[0] == 404

            for proc in procs.values():
                proc.signal(signal.SIGTERM)
            for name, proc in procs.items():
                assert proc.wait(60) == 0, f"{name}:\n{proc.log()}"
                assert "stopped cleanly" in proc.log(), name
        finally:
            for proc in procs.values():
                proc.kill()

    keys = hook.keys()
    assert len(keys) == len(set(keys))  # no alert sent twice
    assert sorted(raid_titles(hook)) == sorted(expected)  # each match in exactly one alert
    assert hook.bad_signatures == 0
