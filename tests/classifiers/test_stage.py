"""The classify stage through real buses: embedded SQLite and the Tansu Kafka broker."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from classifiers.analyzer import ModelAnalyzer
from classifiers.gazetteer import default_gazetteer
from classifiers.rules import build_watches
from classifiers.stage import ClassifyStage
from newswatch import metrics, serde
from newswatch.bus import Bus, open_bus
from newswatch.config.watches import WatchConfig
from newswatch.models import Article, Match

ARTICLES = [
    Article(id="raid-1", feed_id="wire", url="https://w.example/1",
            title="Volunteer units cross into Belgorod region from Ukraine",
            summary="Fighters of the Freedom of Russia Legion and the RDK said they attacked a "
                    "border checkpoint; the governor reported shelling."),
    Article(id="group-1", feed_id="wire", url="https://w.example/2",
            title="Arakan Army fighters seize a town in western Myanmar",
            summary="The rebel group said it overran a military base after days of fighting."),
    Article(id="neg-1", feed_id="wire", url="https://w.example/3",
            title="Central bank holds interest rates steady",
            summary="Policymakers said inflation was slowing."),
    Article(id="neg-2", feed_id="wire", url="https://w.example/4",
            title="Wagner festival opens with a new staging of the Ring cycle",
            summary="Critics praised the orchestra."),
]
WATCHES = [
    WatchConfig(name="raids", labels={"cross_border_raid": 0.5}, channels=[]),
    WatchConfig(name="groups", labels={"armed_group": 0.5}),
    WatchConfig(name="legion", groups=["Freedom of Russia Legion"]),
]
EXPECTED = {("raids", "raid-1"), ("groups", "raid-1"), ("legion", "raid-1"),
            ("groups", "group-1")}


def run_stage(bus: Bus, analyzer: ModelAnalyzer, prefix: str, group: str,
              use_thread: bool = False) -> set[tuple[str, str]]:
    articles_topic, matches_topic = f"{prefix}articles", f"{prefix}matches"
    bus.create_topics([articles_topic, matches_topic])
    for a in ARTICLES:
        bus.publish(articles_topic, a.id, serde.dumps(a))
    bus.flush()
    watches = build_watches(WATCHES, default_gazetteer().groups, analyzer.labels)
    stage = ClassifyStage(bus, articles_topic, matches_topic, watches, analyzer,
                          group=group, batch_size=3)
    before = metrics.ARTICLES_CLASSIFIED._value.get()
    got: list[Match] = []
    reader = bus.consumer(f"{group}-reader", [matches_topic])
    try:
        if use_thread:
            stop = threading.Event()
            thread = threading.Thread(target=stage.run, args=(stop,))
            thread.start()
            # Stop only once the stage has committed every article: the matches can all be
            # out while the last, non-matching article waits in another partition's batch.
            wait_committed(bus, group, articles_topic, len(ARTICLES))
            stop.set()
            thread.join(timeout=30)
            assert not thread.is_alive()
        else:
            assert stage.drain() == len(ARTICLES)
        deadline = time.monotonic() + 60
        while len(got) < len(EXPECTED) and time.monotonic() < deadline:
            got += [serde.loads(r.value, Match) for r in reader.poll(timeout_secs=0.5)]
        assert not reader.poll(timeout_secs=1.0)  # nothing beyond the expected matches
    finally:
        reader.close()
        stage.close()
    assert metrics.ARTICLES_CLASSIFIED._value.get() - before >= len(ARTICLES)
    legion = next(m for m in got if m.watch == "legion")
    assert set(legion.groups) == {"Freedom of Russia Legion", "Russian Volunteer Corps"}
    assert "watched group Freedom of Russia Legion" in legion.reasons
    return {(m.watch, m.article.id) for m in got}


def wait_committed(bus: Bus, group: str, topic: str, published: int) -> None:
    """Until ``group`` has committed ``published`` records of ``topic`` (a topic that started
    empty). Compared with the count published, not end offsets: Tansu misreports those."""
    deadline = time.monotonic() + 90
    done = 0
    while time.monotonic() < deadline:
        done = sum(bus.committed_offsets(group, [topic]).values())
        if done >= published:
            assert done == published
            return
        time.sleep(0.2)
    raise AssertionError(f"group {group} committed {done} of {published} records of {topic}")


def test_stage_on_sqlite_bus_commits_after_publishing(analyzer: ModelAnalyzer, tmp_bus_url):
    with open_bus(tmp_bus_url) as bus:
        assert run_stage(bus, analyzer, "t-", "classify") == EXPECTED
        # Everything was committed: a new stage in the same group has nothing to do.
        again = ClassifyStage(bus, "t-articles", "t-matches", [], analyzer, group="classify")
        try:
            assert again.drain() == 0
        finally:
            again.close()


@pytest.mark.kafka
def test_stage_on_kafka_bus(analyzer: ModelAnalyzer, kafka_url: str,
                            kafka_options: dict[str, Any], unique_name: str):
    with open_bus(kafka_url, **kafka_options) as bus:
        got = run_stage(bus, analyzer, f"{unique_name}-", f"g-{unique_name}", use_thread=True)
    assert got == EXPECTED
