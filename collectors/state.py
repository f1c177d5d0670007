"""Per-feed state persisted in SQLite (``<data_dir>/feeds.db``): validators for conditional
GET, body hash, health (last success, consecutive failures, failing since, last error) and the
next poll time. Survives restarts; read by ``newswatch feeds``."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from newswatch import storage

_TIMES = ("last_poll", "last_success", "failing_since", "next_poll")


@dataclass(frozen=True, slots=True)
class FeedState:
    feed_id: str
    url: str = ""
    final_url: str = ""
    etag: str = ""
    last_modified: str = ""
    body_hash: str = ""
    last_poll: datetime | None = None
    last_success: datetime | None = None
    last_status: int = 0
    consecutive_failures: int = 0
    failing_since: datetime | None = None
    last_error: str = ""
    next_poll: datetime | None = None
    interval_secs: int = 0
    articles_total: int = 0
    # Ids of the entries in the last body parsed: a collect process that takes the feed over
    # (sharded collect) treats them as seen, so a handover publishes nothing twice.
    entry_ids: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        if self.consecutive_failures:
            return "failing"
        return "ok" if self.last_success else "never polled"


_FIELDS = [f.name for f in dataclasses.fields(FeedState)]
_INTS = ("last_status", "consecutive_failures", "interval_secs", "articles_total")
_COLUMNS = {n: "REAL" if n in _TIMES else "INTEGER" if n in _INTS else "TEXT" for n in _FIELDS[1:]}
_SCHEMA = "CREATE TABLE IF NOT EXISTS feed_state (feed_id TEXT PRIMARY KEY, {})".format(
    ", ".join(f"{n} {t}" for n, t in _COLUMNS.items())
)


def _to_db(state: FeedState) -> tuple[object, ...]:
    out: list[object] = []
    for name in _FIELDS:
        value = getattr(state, name)
        if isinstance(value, tuple):
            value = " ".join(value)
        out.append(value.timestamp() if isinstance(value, datetime) else value)
    return tuple(out)


def _from_db(row: tuple[object, ...]) -> FeedState:
    values = {}
    for name, value in zip(_FIELDS, row, strict=True):
        if name in _TIMES and value is not None:
            value = datetime.fromtimestamp(float(value), UTC)  # type: ignore[arg-type]
        elif name == "entry_ids":
            value = tuple(str(value or "").split())
        values[name] = value if value is not None or name in _TIMES else ""
    return FeedState(**values)


class FeedStateStore:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        # synchronous=NORMAL: a power cut may lose the last rows (a feed is polled again
        # without its validators), never corrupt the file; and no fsync on every poll.
        self._conn = storage.connect(self.path, timeout=5, check_same_thread=False,
                                     synchronous="NORMAL")
        self._conn.execute(_SCHEMA)
        have = {row[1] for row in self._conn.execute("PRAGMA table_info(feed_state)")}
        for name, kind in _COLUMNS.items():  # a file from an older version gains new fields
            if name not in have:
                self._conn.execute(f"ALTER TABLE feed_state ADD COLUMN {name} {kind}")

    def get(self, feed_id: str) -> FeedState:
        with self._lock:
            row = self._conn.execute(
                f"SELECT {', '.join(_FIELDS)} FROM feed_state WHERE feed_id=?", (feed_id,)
            ).fetchone()
        return _from_db(row) if row else FeedState(feed_id)

    def put(self, state: FeedState) -> None:
        marks = ", ".join("?" for _ in _FIELDS)
        with self._lock:
            self._conn.execute(
                f"INSERT OR REPLACE INTO feed_state ({', '.join(_FIELDS)}) VALUES ({marks})",
                _to_db(state),
            )

    def put_many(self, states: list[FeedState]) -> None:
        """Several states in one transaction (a partition taken over)."""
        marks = ", ".join("?" for _ in _FIELDS)
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.executemany(
                    f"INSERT OR REPLACE INTO feed_state ({', '.join(_FIELDS)}) VALUES ({marks})",
                    [_to_db(st) for st in states],
                )
                self._conn.execute("COMMIT")
            except BaseException:
                storage.rollback(self._conn)
                raise

    def all(self) -> dict[str, FeedState]:
        with self._lock:
            rows = self._conn.execute(f"SELECT {', '.join(_FIELDS)} FROM feed_state").fetchall()
        return {row[0]: _from_db(row) for row in rows}

    def close(self) -> None:
        with self._lock:
            self._conn.close()
