"""SQLite files under faults: private permissions, integrity checks, and a full disk on the
embedded bus (no duplicate records, the real error in messages)."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from newswatch import storage
from newswatch.bus import BusError
from newswatch.bus.sqlite import SqliteBus


@pytest.fixture
def disk_full(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A switch: ``on(*names)`` makes those databases behave as on a full disk, ``off()``
    frees the space."""
    control = tmp_path / "disk-full"
    monkeypatch.setenv(storage.FAULT_ENV, str(control))

    class Switch:
        def on(self, *names: str) -> None:
            control.write_text("\n".join(names or ("*",)))

        def off(self) -> None:
            control.unlink(missing_ok=True)

    return Switch()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_databases_are_private_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        conn = storage.connect(tmp_path / "data" / "x.db")
        conn.execute("CREATE TABLE t (x)")
        conn.execute("INSERT INTO t VALUES (1)")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "data") == 0o700
    for name in ("x.db", "x.db-wal", "x.db-shm"):
        assert _mode(tmp_path / "data" / name) == 0o600, name
    conn.close()


def test_quick_check_names_the_damaged_file(tmp_path: Path) -> None:
    good = tmp_path / "good.db"
    conn = storage.connect(good)
    conn.execute("CREATE TABLE t (x)")
    conn.executemany("INSERT INTO t VALUES (?)", [(b"x" * 500,) for _ in range(200)])
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    storage.check(good, "test db")  # passes
    bad = tmp_path / "bad.db"
    data = bytearray(good.read_bytes())
    data[4096 * 3 : 4096 * 3 + 600] = b"\xa5" * 600  # a page of the table overwritten
    bad.write_bytes(bytes(data))
    with pytest.raises(storage.DamagedDatabase, match=r"test db .*bad\.db is damaged"):
        storage.check(bad, "test db")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database at all" * 200)
    with pytest.raises(storage.DamagedDatabase, match="not a database"):
        storage.check(junk, "test db")
    storage.check(tmp_path / "missing.db", "test db")  # nothing to check


def _records(bus: SqliteBus, topic: str) -> list[str]:
    rows = bus._conn.execute("SELECT key FROM records WHERE topic=? ORDER BY seq", (topic,))
    return [r[0] for r in rows]


def test_failed_flush_is_not_written_later_beside_its_retry(tmp_path: Path, disk_full) -> None:
    bus = SqliteBus(f"sqlite:///{tmp_path}/bus.db")
    bus.create_topics(["t"])
    for i in range(3):
        bus.publish("t", f"k{i}", b"v")
    disk_full.on("bus.db")
    with pytest.raises(BusError, match="database or disk is full"):
        bus.flush()
    disk_full.off()
    for i in range(3):  # the producer did not commit its input: it publishes the batch again
        bus.publish("t", f"k{i}", b"v")
    bus.flush()
    bus.flush()
    bus.close()
    bus = SqliteBus(f"sqlite:///{tmp_path}/bus.db")
    assert _records(bus, "t") == ["k0", "k1", "k2"]
    bus.close()


def test_one_threads_failed_flush_never_drops_another_threads_records(
    tmp_path: Path, disk_full
) -> None:
    bus = SqliteBus(f"sqlite:///{tmp_path}/bus.db")
    bus.create_topics(["a", "b"])
    other_published, go = threading.Event(), threading.Event()

    def other() -> None:
        bus.publish("b", "mine", b"v")
        other_published.set()
        go.wait(10)
        bus.flush()

    worker = threading.Thread(target=other)
    worker.start()
    other_published.wait(10)
    bus.publish("a", "x", b"v")
    disk_full.on("bus.db")
    with pytest.raises(BusError):
        bus.flush()
    disk_full.off()
    go.set()
    worker.join(10)
    assert _records(bus, "b") == ["mine"] and _records(bus, "a") == []
    bus.close()


def test_lease_error_names_the_real_cause(tmp_path: Path, disk_full) -> None:
    bus = SqliteBus(f"sqlite:///{tmp_path}/bus.db")
    bus.create_topics(["t"])
    disk_full.on("*")
    with pytest.raises(BusError, match="database or disk is full") as err:
        bus.consumer("g", ["t"])
    assert "cannot rollback" not in str(err.value)
    disk_full.off()
    bus.consumer("g", ["t"]).close()
    bus.close()


def test_commit_waits_for_space_instead_of_failing_the_batch(tmp_path: Path, disk_full) -> None:
    bus = SqliteBus(f"sqlite:///{tmp_path}/bus.db")
    bus.create_topics(["t"])
    bus.publish("t", "k", b"v")
    bus.flush()
    consumer = bus.consumer("g", ["t"])
    batch = consumer.poll(timeout_secs=1)
    disk_full.on("bus.db")
    timer = threading.Timer(0.5, disk_full.off)
    timer.start()
    consumer.commit(batch)  # retried until the space is back
    consumer.close()
    again = bus.consumer("g", ["t"])
    assert again.poll(timeout_secs=0.2) == []
    again.close()
    bus.close()
