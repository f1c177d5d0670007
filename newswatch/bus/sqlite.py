"""Embedded durable bus: an append-only log in one SQLite file with per-group offsets.

For a single host (``sqlite:///var/newswatch/bus.db``). Each topic has one partition; offsets are
increasing but not contiguous. One consumer per group at a time: a group is leased to one live
process and a lease held by a dead process (same host) or left stale is taken over, so a crashed
stage restarts at once from its last commit.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from newswatch import storage
from newswatch.bus.base import Bus, BusError, Consumer, Record

log = logging.getLogger("newswatch.bus")

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
    return storage.connect(path, timeout=30, check_same_thread=False)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class SqliteBus(Bus):
    def __init__(self, url: str, *, lease_timeout_secs: float = 30.0, max_buffer: int = 2000,
                 commit_retry_secs: float = 120.0):
        self.url = url
        self.path = _path_from_url(url)
        try:
            self._conn = _connect(self.path)
            self._conn.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise BusError(f"bus {url}: cannot open {self.path}: {exc}") from exc
        self.lease_timeout_secs = lease_timeout_secs
        self.commit_retry_secs = commit_retry_secs
        self._max_buffer = max_buffer
        # Each publishing thread buffers and flushes its own records: a failed flush drops only
        # the caller's batch (which the caller publishes again after it restarts), never another
        # stage's records, and never writes the failed rows later beside their re-publication.
        self._local = threading.local()
        self._lock = threading.Lock()
        self._new_data = threading.Condition()
        self._closed = False

    def create_topics(self, topics: Iterable[str]) -> None:
        with self._lock:
            self._conn.executemany(
                "INSERT OR IGNORE INTO topics(name) VALUES (?)", [(t,) for t in topics]
            )

    @property
    def _buffer(self) -> list[tuple[str, str, bytes, float]]:
        buffer = getattr(self._local, "buffer", None)
        if buffer is None:
            buffer = self._local.buffer = []
        return buffer

    def publish(self, topic: str, key: str, value: bytes) -> None:
        if self._closed:
            raise BusError(f"bus {self.url} is closed")
        buffer = self._buffer
        buffer.append((topic, key, bytes(value), time.time()))
        if len(buffer) >= self._max_buffer:
            self.flush()

    def flush(self, timeout_secs: float = 30.0) -> None:
        """Write the calling thread's records. On failure they are dropped and BusError is
        raised: none of them is durable, and the caller (which has not committed its input)
        publishes them again when it retries, so a record is never written twice."""
        rows = self._buffer
        if not rows:
            return
        self._local.buffer = []
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                self._conn.executemany(
                    "INSERT INTO records(topic, key, value, ts) VALUES (?, ?, ?, ?)", rows
                )
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                storage.rollback(self._conn)
                raise BusError(
                    f"bus {self.url}: write of {len(rows)} records failed: {exc}"
                ) from exc
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

    def committed_offsets(self, group: str, topics: Sequence[str]) -> dict[tuple[str, int], int]:
        marks = ",".join("?" * len(topics))
        rows = self._conn.execute(
            f"SELECT topic, next_offset FROM offsets WHERE grp=? AND topic IN ({marks})",
            (group, *topics),
        ).fetchall()
        return {(topic, 0): offset for topic, offset in rows}

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
        try:
            self._conn.execute("BEGIN IMMEDIATE")
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
        except sqlite3.Error as exc:
            storage.rollback(self._conn)
            raise BusError(f"bus {self.bus.url}: cannot take the lease of group "
                           f"{self.group!r}: {exc}") from exc
        except BaseException:
            storage.rollback(self._conn)
            raise
        self._last_beat = now

    def _heartbeat(self) -> None:
        now = time.time()
        if now - self._last_beat > self.bus.lease_timeout_secs / 3:
            try:
                cur = self._conn.execute(
                    "UPDATE leases SET heartbeat=? WHERE grp=? AND member=?",
                    (now, self.group, self.member),
                )
            except sqlite3.OperationalError:  # disk full or busy: the lease has time left
                if now - self._last_beat < self.bus.lease_timeout_secs * 2 / 3:
                    return
                raise
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
        rows = [(self.group, t, o) for t, o in positions.items()]
        deadline, pause = time.monotonic() + self.bus.commit_retry_secs, 0.05
        while True:  # a batch handled once is never handled again just because of a full disk
            try:
                self._conn.executemany(
                    "INSERT INTO offsets(grp, topic, next_offset) VALUES (?, ?, ?) "
                    "ON CONFLICT(grp, topic) DO UPDATE SET next_offset=excluded.next_offset",
                    rows,
                )
                return
            except sqlite3.OperationalError as exc:
                if time.monotonic() + pause > deadline:
                    raise BusError(f"bus {self.bus.url}: group {self.group!r} cannot commit "
                                   f"its offsets: {exc}") from exc
                if pause == 0.05:
                    log.warning("bus %s: group %r cannot commit its offsets (%s); retrying "
                                "for up to %gs", self.bus.url, self.group, exc,
                                self.bus.commit_retry_secs)
                time.sleep(pause)
                pause = min(1.0, pause * 2)

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
        try:
            self._conn.execute(
                "DELETE FROM leases WHERE grp=? AND member=?", (self.group, self.member)
            )
        except sqlite3.Error as exc:  # the lease then expires by itself
            log.warning("bus %s: cannot release the lease of group %r: %s", self.bus.url,
                        self.group, exc)
        finally:
            self._conn.close()
