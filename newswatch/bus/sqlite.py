"""Embedded durable bus: an append-only log in one SQLite file with per-group offsets.

For a single host (``sqlite:///var/newswatch/bus.db``). Each topic has one partition; offsets are
increasing but not contiguous. One consumer per group at a time: a group is leased to one live
process and a lease held by a dead process (same host) or left stale is taken over, so a crashed
stage restarts at once from its last commit.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from newswatch.bus.base import Bus, BusError, Consumer, Record

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, ts REAL NOT NULL);
CREATE INDEX IF NOT EXISTS records_topic ON records(topic, seq);
CREATE TABLE IF NOT EXISTS topics (name TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS offsets (
    grp TEXT NOT NULL, topic TEXT NOT NULL, next_offset INTEGER NOT NULL,
    PRIMARY KEY (grp, topic));
CREATE TABLE IF NOT EXISTS leases (
    grp TEXT PRIMARY KEY, member TEXT NOT NULL, pid INTEGER NOT NULL, heartbeat REAL NOT NULL);
"""


def _path_from_url(url: str) -> Path:
    if not url.startswith("sqlite:///"):
        raise BusError(f"bus url {url!r}: expected sqlite:///path/to/bus.db")
    return Path(url[len("sqlite:///") :] or "bus.db")


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class SqliteBus(Bus):
    def __init__(self, url: str, *, lease_timeout_secs: float = 30.0, max_buffer: int = 2000):
        self.url = url
        self.path = _path_from_url(url)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = _connect(self.path)
            self._conn.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise BusError(f"bus {url}: cannot open {self.path}: {exc}") from exc
        self.lease_timeout_secs = lease_timeout_secs
        self._max_buffer = max_buffer
        self._buffer: list[tuple[str, str, bytes, float]] = []
        self._lock = threading.Lock()
        self._new_data = threading.Condition()
        self._closed = False

    def create_topics(self, topics: Iterable[str]) -> None:
        with self._lock:
            self._conn.executemany(
                "INSERT OR IGNORE INTO topics(name) VALUES (?)", [(t,) for t in topics]
            )

    def publish(self, topic: str, key: str, value: bytes) -> None:
        if self._closed:
            raise BusError(f"bus {self.url} is closed")
        with self._lock:
            self._buffer.append((topic, key, bytes(value), time.time()))
            full = len(self._buffer) >= self._max_buffer
        if full:
            self.flush()

    def flush(self, timeout_secs: float = 30.0) -> None:
        with self._lock:
            if not self._buffer:
                return
            rows, self._buffer = self._buffer, []
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                self._conn.executemany(
                    "INSERT INTO records(topic, key, value, ts) VALUES (?, ?, ?, ?)", rows
                )
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                self._buffer = rows + self._buffer
                raise BusError(f"bus {self.url}: write failed: {exc}") from exc
        with self._new_data:
            self._new_data.notify_all()

    def consumer(self, group: str, topics: Sequence[str]) -> Consumer:
        return SqliteConsumer(self, group, list(topics))

    def wait_for_data(self, timeout_secs: float) -> None:
        with self._new_data:
            self._new_data.wait(timeout_secs)

    def end_offsets(self, topics: Sequence[str]) -> dict[str, int]:
        """Offset the next record of each topic will be at least (for lag)."""
        out = {}
        for topic in topics:
            row = self._conn.execute("SELECT MAX(seq) FROM records WHERE topic=?", (topic,))
            out[topic] = (row.fetchone()[0] or 0) + 1
        return out

    def lag(self, group: str, topics: Sequence[str]) -> dict[str, int]:
        """Records of ``topics`` not yet committed by ``group`` (for the consumer-lag metric)."""
        out = {}
        for topic in topics:
            row = self._conn.execute(
                "SELECT COUNT(*) FROM records WHERE topic=? AND seq >= COALESCE("
                "(SELECT next_offset FROM offsets WHERE grp=? AND topic=?), 0)",
                (topic, group, topic),
            )
            out[topic] = row.fetchone()[0]
        return out

    def close(self) -> None:
        if self._closed:
            return
        self.flush()
        self._closed = True
        self._conn.close()


class SqliteConsumer(Consumer):
    def __init__(self, bus: SqliteBus, group: str, topics: list[str]):
        self.bus, self.group, self.topics = bus, group, topics
        self.member = uuid.uuid4().hex
        self._conn = _connect(bus.path)
        self._acquire_lease()
        self._position = self._committed()
        self._closed = False

    def _acquire_lease(self) -> None:
        now = time.time()
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            row = self._conn.execute(
                "SELECT member, pid, heartbeat FROM leases WHERE grp=?", (self.group,)
            ).fetchone()
            if row is not None:
                _member, pid, beat = row
                live = now - beat < self.bus.lease_timeout_secs and _pid_alive(pid)
                if live and pid != os.getpid():
                    raise BusError(
                        f"bus {self.bus.url}: group {self.group!r} is consumed by process {pid}; "
                        "the embedded bus allows one consumer per group (use Kafka to scale out)"
                    )
            self._conn.execute(
                "INSERT OR REPLACE INTO leases(grp, member, pid, heartbeat) VALUES (?, ?, ?, ?)",
                (self.group, self.member, os.getpid(), now),
            )
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._last_beat = now

    def _heartbeat(self) -> None:
        now = time.time()
        if now - self._last_beat > self.bus.lease_timeout_secs / 3:
            cur = self._conn.execute(
                "UPDATE leases SET heartbeat=? WHERE grp=? AND member=?",
                (now, self.group, self.member),
            )
            if cur.rowcount == 0:
                raise BusError(f"group {self.group!r}: lease lost to another consumer")
            self._last_beat = now

    def _committed(self) -> dict[str, int]:
        rows = self._conn.execute(
            "SELECT topic, next_offset FROM offsets WHERE grp=?", (self.group,)
        ).fetchall()
        known = dict(rows)
        return {t: known.get(t, 0) for t in self.topics}

    def poll(self, max_records: int = 500, timeout_secs: float = 1.0) -> list[Record]:
        if self._closed:
            raise BusError(f"consumer of group {self.group!r} is closed")
        deadline = time.monotonic() + timeout_secs
        while True:
            self._heartbeat()
            records = self._fetch(max_records)
            remaining = deadline - time.monotonic()
            if records or remaining <= 0:
                return records
            self.bus.wait_for_data(min(remaining, 0.05))

    def _fetch(self, limit: int) -> list[Record]:
        out: list[Record] = []
        for topic in self.topics:
            rows = self._conn.execute(
                "SELECT seq, key, value, ts FROM records WHERE topic=? AND seq>=? "
                "ORDER BY seq LIMIT ?",
                (topic, self._position[topic], limit - len(out)),
            ).fetchall()
            for seq, key, value, ts in rows:
                out.append(
                    Record(topic, 0, seq, key, bytes(value), datetime.fromtimestamp(ts, UTC))
                )
            if rows:
                self._position[topic] = rows[-1][0] + 1
            if len(out) >= limit:
                break
        return out

    def commit(self, records: Sequence[Record] | None = None) -> None:
        if records is not None:
            positions: dict[str, int] = {}
            for r in records:
                positions[r.topic] = max(positions.get(r.topic, 0), r.offset + 1)
        else:
            positions = dict(self._position)
        if not positions:
            return
        self._conn.executemany(
            "INSERT INTO offsets(grp, topic, next_offset) VALUES (?, ?, ?) "
            "ON CONFLICT(grp, topic) DO UPDATE SET next_offset=excluded.next_offset",
            [(self.group, t, o) for t, o in positions.items()],
        )

    def seek_to_beginning(self) -> None:
        self._position = {t: 0 for t in self.topics}

    def seek(self, topic: str, partition: int, offset: int) -> None:
        if topic not in self._position or partition != 0:
            raise BusError(f"consumer of group {self.group!r} is not assigned {topic}[{partition}]")
        self._position[topic] = offset

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._conn.execute("DELETE FROM leases WHERE grp=? AND member=?", (self.group, self.member))
        self._conn.close()
