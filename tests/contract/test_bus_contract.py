"""One contract suite for every Bus implementation (see newswatch/bus/base.py).

Each test runs against the embedded SQLite bus and against Kafka (a real Tansu broker process
shared by the session, one topic and one group per test).
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from nw_waits import free_port

from newswatch import serde
from newswatch.bus import Bus, BusError, Consumer, Record, consume, open_bus
from newswatch.models import Article, LabelScore, Match, Source

REPO = Path(__file__).resolve().parents[2]
IMPLEMENTATIONS = ["sqlite", pytest.param("kafka", marks=pytest.mark.kafka)]


@pytest.fixture(params=IMPLEMENTATIONS)
def kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def bus_url(kind: str, request: pytest.FixtureRequest) -> str:
    if kind == "sqlite":
        return request.getfixturevalue("tmp_bus_url")
    return request.getfixturevalue("kafka_url")


@pytest.fixture
def bus_options(kind: str, request: pytest.FixtureRequest) -> dict[str, Any]:
    return request.getfixturevalue("kafka_options") if kind == "kafka" else {}


@pytest.fixture
def bus(bus_url: str, bus_options: dict[str, Any]) -> Iterator[Bus]:
    opened = open_bus(bus_url, **bus_options)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def topic(bus: Bus, unique_name: str) -> str:
    name = f"articles-{unique_name}"
    bus.create_topics([name])
    bus.create_topics([name])  # idempotent
    return name


@pytest.fixture
def group(unique_name: str) -> str:
    return f"g-{unique_name}"


def read(consumer: Consumer, expected: int, timeout_secs: float = 20.0) -> list[Record]:
    """Poll until ``expected`` records arrived, then check that one more poll brings nothing."""
    got: list[Record] = []
    deadline = time.monotonic() + timeout_secs
    while len(got) < expected and time.monotonic() < deadline:
        got += consumer.poll(max_records=50, timeout_secs=0.5)
    assert len(got) == expected, f"expected {expected} records, got {len(got)}"
    extra = consumer.poll(timeout_secs=0.5)
    assert extra == [], f"unexpected extra records: {extra[:3]}"
    return got


def publish(bus: Bus, topic: str, n: int, keys: int = 5) -> list[tuple[str, bytes]]:
    sent = [(f"k{i % keys}", f"v{i}".encode()) for i in range(n)]
    for key, value in sent:
        bus.publish(topic, key, value)
    bus.flush()
    return sent


def pairs(records: list[Record]) -> Counter[tuple[str, bytes]]:
    return Counter((r.key, r.value) for r in records)


def test_roundtrip_keeps_keys_values_and_metadata(bus: Bus, topic: str, group: str) -> None:
    before = datetime.now(UTC) - timedelta(seconds=5)
    sent = [(f"art-{i % 4}", b"\x00\xff" + f"caf\u00e9 {i}".encode()) for i in range(40)]
    for key, value in sent:
        bus.publish(topic, key, value)
    bus.flush()
    with bus.consumer(group, [topic]) as consumer:
        got = read(consumer, len(sent))
    assert pairs(got) == Counter(sent)
    assert {r.topic for r in got} == {topic}
    assert len({(r.partition, r.offset) for r in got}) == len(got)
    for r in got:
        assert r.timestamp.tzinfo is not None and r.timestamp.utcoffset() == timedelta(0)
        assert before <= r.timestamp <= datetime.now(UTC) + timedelta(seconds=5)


def test_records_of_one_key_keep_their_order(bus: Bus, topic: str, group: str) -> None:
    publish(bus, topic, 300, keys=7)
    with bus.consumer(group, [topic]) as consumer:
        got = read(consumer, 300)
    per_key: dict[str, list[int]] = defaultdict(list)
    for r in got:
        per_key[r.key].append(int(r.value[1:]))
    assert len(per_key) == 7
    for key, seqs in per_key.items():
        assert seqs == sorted(seqs), f"key {key} out of order: {seqs[:10]}"
        assert seqs == list(range(int(key[1:]), 300, 7))


def test_two_groups_each_see_every_record(bus: Bus, topic: str, group: str) -> None:
    sent = publish(bus, topic, 25)
    with bus.consumer(group + "-a", [topic]) as first:
        got_a = read(first, 25)
        first.commit()
    with bus.consumer(group + "-b", [topic]) as second:
        got_b = read(second, 25)
    assert pairs(got_a) == pairs(got_b) == Counter(sent)


def test_commit_then_new_consumer_continues_after_it(bus: Bus, topic: str, group: str) -> None:
    sent = publish(bus, topic, 30)
    assert bus.committed_offsets(group, [topic]) == {}
    with bus.consumer(group, [topic]) as consumer:
        got = read(consumer, 30)
        consumer.commit(got[:12])
    done = {(r.topic, r.partition): r.offset + 1 for r in sorted(got[:12], key=lambda r: r.offset)}
    assert bus.committed_offsets(group, [topic]) == done  # what the group has processed
    with bus.consumer(group, [topic]) as consumer:
        rest = read(consumer, 18)
        consumer.commit()
    assert pairs(rest) == pairs(got[12:])
    assert pairs(got[:12]) + pairs(rest) == Counter(sent)
    with bus.consumer(group, [topic]) as consumer:
        assert consumer.poll(timeout_secs=1.0) == []


def test_consumer_dying_before_commit_gets_records_again(bus: Bus, topic: str, group: str) -> None:
    sent = publish(bus, topic, 40)
    handled: list[Record] = []
    consumer = bus.consumer(group, [topic])
    got = read(consumer, 40)
    handled += got[:15]
    consumer.commit(got[:15])
    handled += got[15:30]  # handled, then the process dies before committing
    consumer.close()

    with bus.consumer(group, [topic]) as restarted:
        again = read(restarted, 25)
        assert pairs(again) == pairs(got[15:]), "uncommitted records must come back"
        handled += again
        restarted.commit(again)
    with bus.consumer(group, [topic]) as third:
        assert third.poll(timeout_secs=1.0) == []
    assert Counter(r.value for r in handled) - Counter(v for _, v in sent) == Counter(
        r.value for r in got[15:30]
    ), "only the handled-but-uncommitted records are seen twice"


CHILD = r"""
import json, os, sys, time
from newswatch.bus import open_bus
url, group, topic, out, mode, n, options = sys.argv[1:8]
bus = open_bus(url, **json.loads(options))
consumer = bus.consumer(group, [topic])
if mode == "handle":
    got, deadline = [], time.time() + 30
    while len(got) < int(n) and time.time() < deadline:
        got += consumer.poll(timeout_secs=0.5)
    consumer.commit(got[: len(got) // 2])
    with open(out, "w") as f:  # handled: side effects done, commit not yet
        f.write("\n".join(r.value.decode() for r in got))
        f.flush(); os.fsync(f.fileno())
print("ready", os.getpid(), flush=True)
time.sleep(300)
"""


def start_child(url: str, group: str, topic: str, out: Path, mode: str, n: int,
                options: dict[str, Any]) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, url, group, topic, str(out), mode, str(n),
         json.dumps(options)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO,
    )
    ready, _, _ = select.select([proc.stdout], [], [], 60)
    line = proc.stdout.readline() if ready else ""
    if not line.startswith("ready"):
        proc.kill()
        pytest.fail(f"child consumer did not start: {line!r}\n{proc.communicate()[1]}")
    return proc


def kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    proc.communicate()


def test_process_killed_between_handling_and_commit(
    bus: Bus, bus_url: str, bus_options: dict[str, Any], topic: str, group: str, tmp_path: Path
) -> None:
    sent = publish(bus, topic, 30)
    out = tmp_path / "handled.txt"
    child = start_child(bus_url, group, topic, out, "handle", 30, bus_options)
    kill(child)
    handled = out.read_text().split("\n")
    assert len(handled) == 30
    committed, uncommitted = handled[:15], handled[15:]

    with bus.consumer(group, [topic]) as restarted:  # sqlite: takes over the dead lease
        again = read(restarted, 15)
        restarted.commit()
    assert sorted(r.value.decode() for r in again) == sorted(uncommitted)
    assert sorted(committed + uncommitted) == sorted(v.decode() for _, v in sent)
    with bus.consumer(group, [topic]) as third:
        assert third.poll(timeout_secs=1.0) == []


def test_seek_to_beginning_replays_everything(bus: Bus, topic: str, group: str) -> None:
    sent = publish(bus, topic, 20)
    with bus.consumer(group, [topic]) as consumer:
        first = read(consumer, 20)
        consumer.commit()
        consumer.seek_to_beginning()
        replay = read(consumer, 20)
    assert pairs(first) == pairs(replay) == Counter(sent)


def test_seek_to_an_offset(bus: Bus, topic: str, group: str) -> None:
    publish(bus, topic, 30)
    with bus.consumer(group, [topic]) as consumer:
        got = read(consumer, 30)
        partition = got[0].partition
        mine = [r for r in got if r.partition == partition]
        assert len(mine) >= 3
        consumer.seek(topic, partition, mine[2].offset)
        again = read(consumer, len(mine) - 2)
        with pytest.raises(BusError):
            consumer.seek(topic + "-other", 0, 0)
    assert [(r.partition, r.offset, r.value) for r in again] == [
        (r.partition, r.offset, r.value) for r in mine[2:]
    ]


def test_consume_loop_until_idle_commits_what_it_handled(bus: Bus, topic: str, group: str) -> None:
    sent = publish(bus, topic, 50)
    handled: list[Record] = []
    with bus.consumer(group, [topic]) as consumer:
        count = consume(consumer, handled.extend, threading.Event(), batch_size=7,
                        poll_timeout_secs=2.0, until_idle=True)
    assert count == 50
    assert pairs(handled) == Counter(sent)
    with bus.consumer(group, [topic]) as consumer:
        assert consume(consumer, handled.extend, threading.Event(), until_idle=True,
                       poll_timeout_secs=1.5) == 0


def test_consume_loop_stops_when_handler_fails_and_batch_comes_back(
    bus: Bus, topic: str, group: str
) -> None:
    publish(bus, topic, 10, keys=1)

    def explode(batch: list[Record]) -> None:
        raise RuntimeError("handler crashed")

    with bus.consumer(group, [topic]) as consumer, pytest.raises(RuntimeError):
        consume(consumer, explode, threading.Event(), poll_timeout_secs=2.0, until_idle=True)
    with bus.consumer(group, [topic]) as consumer:
        assert len(read(consumer, 10)) == 10


def test_article_and_match_roundtrip_through_the_bus(bus: Bus, topic: str, group: str) -> None:
    published = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
    src = Source(feed_id="reuters", feed_title="Reuters", feed_url="https://r/feed", url="https://r/a")
    article = Article(
        id="a1b2c3", feed_id="reuters", url="https://r/a", title="Flood in Val\u00e8ncia",
        summary="Rivers rose", content="Long text \u2013 with dashes", published=published,
        authors=("Ana", "Ben"), language="en", guid="g-1", tags=("weather", "spain"),
        source=src, also_seen_in=(Source(feed_id="ap"),),
    )
    match = Match(
        article=article, watch="floods", score=0.91,
        labels=(LabelScore("disaster", 0.91), LabelScore("politics", 0.05)),
        groups=("ops",), reasons=("keyword: flood",), severity="high", model_version="m1",
    )
    bus.publish(topic, article.id, serde.dumps(article))
    bus.publish(topic, match.article.id, serde.dumps(match))
    bus.flush()
    with bus.consumer(group, [topic]) as consumer:
        got = read(consumer, 2)
    assert [r.key for r in got] == [article.id, article.id]
    decoded = [serde.loads(r.value) for r in got]
    assert decoded == [article, match]
    assert serde.loads(got[1].value, Match).id == match.id


BAD_URLS = {
    "sqlite": ["sqlite:/no-third-slash.db", "sqlite://relative/bus.db"],
    "kafka": ["kafka://", "kafka://localhost", "kafka://host:port", "kafka://h:1,:2"],
}


def test_bad_url_raises_bus_error_naming_it(kind: str) -> None:
    for url in BAD_URLS[kind]:
        with pytest.raises(BusError) as err:
            open_bus(url)
        assert url in str(err.value)
    with pytest.raises(BusError, match="unknown scheme"):
        open_bus(f"{kind}+nope://x")


def test_unreachable_bus_raises_quickly(kind: str, tmp_path: Path) -> None:
    if kind == "kafka":
        url = f"kafka://127.0.0.1:{free_port()}"
    else:
        blocker = tmp_path / "a-file"
        blocker.write_text("not a directory")
        url = f"sqlite:///{blocker}/bus.db"
    started = time.monotonic()
    with pytest.raises(BusError) as err:
        open_bus(url, connect_timeout_secs=2) if kind == "kafka" else open_bus(url)
    elapsed = time.monotonic() - started
    assert url in str(err.value)
    assert elapsed < 8, f"took {elapsed:.1f}s"
    if kind == "kafka":
        assert elapsed >= 1.5, "should have retried until the connect timeout"


# -- Kafka only ----------------------------------------------------------------------------


@pytest.mark.kafka
def test_kafka_publish_and_flush_fail_loudly(private_kafka_broker: Any) -> None:
    url = f"kafka://{private_kafka_broker.bootstrap}"
    bus = open_bus(url, connect_timeout_secs=2)
    bus.create_topics(["t"])
    with pytest.raises(BusError, match="MessageSizeTooLarge"):
        bus.publish("t", "k", b"x" * 2_000_000)
    bus.publish("t", "k", b"ok")
    bus.flush(5)
    private_kafka_broker.stop()  # the broker dies with records still buffered
    bus.publish("t", "k", b"lost")
    started = time.monotonic()
    with pytest.raises(BusError, match=url):
        bus.flush(2)
    with pytest.raises(BusError):
        bus.close()
    assert time.monotonic() - started < 15


# -- embedded bus only: one consumer per group, leased to a live process ---------------------


def test_sqlite_refuses_second_live_consumer_process(tmp_bus_url: str, tmp_path: Path) -> None:
    with open_bus(tmp_bus_url) as bus:
        bus.create_topics(["t"])
        child = start_child(tmp_bus_url, "g", "t", tmp_path / "x", "hold", 0, {})
        try:
            with pytest.raises(BusError, match=rf"consumed by process {child.pid}"):
                bus.consumer("g", ["t"])
            bus.consumer("other-group", ["t"]).close()  # other groups are not blocked
        finally:
            kill(child)
        bus.consumer("g", ["t"]).close()  # the dead process' lease is taken over at once


def test_sqlite_lease_of_killed_process_is_taken_over(tmp_bus_url: str, tmp_path: Path) -> None:
    with open_bus(tmp_bus_url, lease_timeout_secs=3600) as bus:
        bus.create_topics(["t"])
        publish(bus, "t", 5)
        kill(start_child(tmp_bus_url, "g", "t", tmp_path / "x", "hold", 0, {}))
        started = time.monotonic()
        with bus.consumer("g", ["t"]) as consumer:
            assert len(read(consumer, 5)) == 5
        assert time.monotonic() - started < 5
