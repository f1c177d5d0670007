"""Parts of sharded collect that need no broker: the state row codec, when a row is rewritten,
adopting the newer copy, the entry ids a handover marks as seen, the one-collector lock of the
embedded bus, the config check, and reloading the feed list in place."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from collectors.seen import SqliteSeenStore
from collectors.shard import SharedStateStore, decode_state, encode_state
from collectors.single import CollectorBusy, OneCollector
from collectors.stage import build_stage
from collectors.state import FeedState, FeedStateStore
from newswatch import app
from newswatch.config import ConfigError, parse_config
from newswatch.models import Article

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
STATE = FeedState(
    "wire", url="https://wire.test/rss", etag='"v7"', last_modified="Mon, 02 Nov 2026 08:00:00 GMT",
    body_hash="ab" * 32, last_poll=T0, last_success=T0 - timedelta(hours=1), last_status=500,
    consecutive_failures=3, failing_since=T0 - timedelta(minutes=30), last_error="HTTP 500",
    next_poll=T0 + timedelta(minutes=40), interval_secs=2400, articles_total=12,
    entry_ids=("a1", "b2", "c3"),
)


class RecordingTable:
    """Stands in for the Kafka table where only the writes matter."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, bytes | None]] = []

    def put(self, key: str, value: bytes | None) -> None:
        self.rows.append((key, value))


def test_state_row_round_trips_every_field() -> None:
    assert decode_state(encode_state(STATE)) == STATE
    assert decode_state(encode_state(FeedState("new"))) == FeedState("new")


def test_local_store_keeps_entry_ids_and_upgrades_an_old_file(tmp_path: Path) -> None:
    import sqlite3

    old = sqlite3.connect(tmp_path / "feeds.db")  # the schema before entry_ids existed
    old.execute("CREATE TABLE feed_state (feed_id TEXT PRIMARY KEY, url TEXT, etag TEXT)")
    old.execute("INSERT INTO feed_state VALUES ('wire', 'https://wire.test/rss', '\"v1\"')")
    old.commit()
    old.close()
    store = FeedStateStore(tmp_path / "feeds.db")
    try:
        assert store.get("wire").etag == '"v1"' and store.get("wire").entry_ids == ()
        store.put(STATE)
        assert store.get("wire") == STATE
    finally:
        store.close()


def test_rows_are_rewritten_on_material_change_only(tmp_path: Path) -> None:
    store = SharedStateStore(FeedStateStore(tmp_path / "feeds.db"))
    table = RecordingTable()
    store.table = table  # type: ignore[assignment]
    store.put(STATE)
    later = T0 + timedelta(minutes=5)
    # a 304: only poll times move -> local copy updated, no new row
    store.put(dataclasses.replace(STATE, last_poll=later, next_poll=later, last_status=304))
    assert len(table.rows) == 1 and store.get("wire").last_poll == later
    store.put(dataclasses.replace(STATE, consecutive_failures=4))  # backoff grows: new row
    store.put(dataclasses.replace(STATE, consecutive_failures=4, etag='"v8"'))  # new validator
    assert [decode_state(v).consecutive_failures for _, v in table.rows] == [3, 4, 4]  # type: ignore[arg-type]
    store.delete("wire")
    assert table.rows[-1] == ("wire", None)
    store.close()


def test_adopt_takes_the_newer_copy(tmp_path: Path) -> None:
    store = SharedStateStore(FeedStateStore(tmp_path / "feeds.db"))
    store.local.put(dataclasses.replace(STATE, etag='"old"', last_poll=T0 - timedelta(days=1)))
    assert store.adopt({"wire": STATE})["wire"].etag == '"v7"' == store.get("wire").etag
    store.local.put(dataclasses.replace(STATE, etag='"mine"', last_poll=T0 + timedelta(days=1)))
    got = store.adopt({"wire": STATE, "gone": None})
    assert got["wire"].etag == '"mine"'  # this host polled it last
    assert got["gone"] == FeedState("gone")
    store.close()


def test_remembered_ids_make_entries_duplicates(tmp_path: Path) -> None:
    seen = SqliteSeenStore(tmp_path / "seen.db")
    try:
        assert seen.remember(["a1", "b2"], T0) == 2
        assert seen.remember(["a1", "c3"], T0) == 1
        art = Article(id="b2", feed_id="wire", url="https://wire.test/b2", title="t")
        assert seen.find([(f"id:{art.id}", False)], T0) is not None
        assert seen.find([("id:zz", False)], T0) is None
    finally:
        seen.close()


def config_text(tmp_path: Path, extra: str = "") -> str:
    return (f'[service]\ndata_dir = "{tmp_path}/data"\n{extra}\n'
            '[[feeds]]\nid = "wire"\nurl = "http://127.0.0.1:9/rss"\n')


def test_embedded_bus_keeps_one_collector(tmp_path: Path) -> None:
    config = parse_config(config_text(tmp_path), environ={})
    bus = app.make_bus(config)
    first = build_stage(config, bus)
    try:
        with pytest.raises(CollectorBusy, match=r"another collect process \(pid \d+\).*"
                           r"embedded bus.*sharded = true"):
            build_stage(config, bus)
    finally:
        first.close()
    second = build_stage(config, bus)  # the first one stopped: the next one may start
    second.close()
    bus.close()
    assert OneCollector.for_bus("kafka://127.0.0.1:9092") is None


def test_sharded_needs_kafka() -> None:
    with pytest.raises(ConfigError, match=r"<config>:2: collect.sharded: needs a kafka:// bus"):
        parse_config("[collect]\nsharded = true\n", environ={}, checks=app.CHECKS)
    ok = parse_config('[bus]\nurl = "kafka://k:9092"\n[collect]\nsharded = true\n',
                      environ={}, checks=app.CHECKS)
    assert ok.collect.sharded and ok.collect.feed_partitions == 24


def test_unsharded_reload_applies_the_feed_list_in_place(tmp_path: Path, feed_server) -> None:  # noqa: ANN001
    from feedhelp import Response, rss

    for name in ("alpha", "beta", "gamma"):
        body = rss(name, [(f"{name}-1", f"https://{name}.test/1", f"{name} ferry timetable")])
        feed_server.route(f"/{name}", lambda req, b=body: Response(200, b))

    def text(feeds: list[str], extra: str = "") -> str:
        return (f'[service]\ndata_dir = "{tmp_path}/data"\n[collect]\n{extra}\n' + "".join(
            f'[[feeds]]\nid = "{f}"\nurl = "{feed_server.url("/" + f)}"\njitter_secs = 0\n'
            for f in feeds))

    config = parse_config(text(["alpha", "beta"]), environ={})
    bus = app.make_bus(config)
    stage = build_stage(config, bus)
    try:
        stage.start()
        assert {j.id for j in stage.scheduler.get_jobs()} >= {"alpha", "beta"}
        stage.reconfigure(parse_config(text(["beta", "gamma"]), environ={}))
        jobs = {j.id for j in stage.scheduler.get_jobs()}
        assert "alpha" not in jobs and {"beta", "gamma"} <= jobs
        with pytest.raises(ValueError, match=r"\[collect\] changed"):
            stage.reconfigure(parse_config(text(["beta"], "max_workers = 3"), environ={}))
    finally:
        stage.close()
        bus.close()
