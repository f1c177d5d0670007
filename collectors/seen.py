"""Persistent seen-store: an article is published once, across restarts and across feeds.

Each article is recorded under several keys (see :func:`collectors.dedupe.dedupe_keys`); a
later entry matching any key is the same story. Windowed keys (titles, fingerprints) only
match within ``window`` of when they were recorded. Other feeds that carried a story are kept
in ``sources`` (syndication), so the CLI and alerts can show them."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from collectors.base import SeenResult
from newswatch import storage
from newswatch.models import Article, Source

SCHEMA = """
CREATE TABLE IF NOT EXISTS seen_keys (
    key TEXT PRIMARY KEY, article_id TEXT NOT NULL, at REAL NOT NULL, windowed INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    article_id TEXT PRIMARY KEY, feed_id TEXT NOT NULL, url TEXT NOT NULL, title TEXT NOT NULL,
    at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
    article_id TEXT NOT NULL, feed_id TEXT NOT NULL, feed_title TEXT NOT NULL,
    feed_url TEXT NOT NULL, url TEXT NOT NULL, at REAL NOT NULL,
    PRIMARY KEY (article_id, feed_id));
CREATE INDEX IF NOT EXISTS seen_keys_at ON seen_keys(windowed, at);
"""


class SqliteSeenStore:
    def __init__(self, path: str | Path, window: timedelta = timedelta(days=3)):
        self.path = Path(path)
        self.window = window
        self._lock = threading.Lock()
        self._conn = storage.connect(
            self.path, timeout=5, check_same_thread=False, synchronous="NORMAL"
        )
        self._conn.executescript(SCHEMA)

    def find(self, keys: list[tuple[str, bool]], at: datetime) -> SeenResult | None:
        """The earlier article any of ``keys`` belongs to, or None if the story is new."""
        return self.find_many([(keys, at)])[0]

    def find_many(
        self, items: list[tuple[list[tuple[str, bool]], datetime]]
    ) -> list[SeenResult | None]:
        """:meth:`find` for each (keys, at) of one feed body, in one read transaction."""
        window = self.window.total_seconds()
        out: list[SeenResult | None] = []
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                for keys, at in items:
                    out.append(self._find(keys, at.timestamp(), window))
            finally:
                self._conn.execute("COMMIT")
        return out

    def _find(self, keys: list[tuple[str, bool]], ts: float, window: float) -> SeenResult | None:
        for key, windowed in keys:
            row = self._conn.execute(
                "SELECT s.article_id, s.at, a.feed_id FROM seen_keys s "
                "LEFT JOIN articles a USING(article_id) WHERE s.key=?",
                (key,),
            ).fetchone()
            if row and (not windowed or abs(row[1] - ts) <= window):
                return SeenResult(row[0], row[2] or "")
        return None

    def record(
        self,
        article: Article,
        keys: list[tuple[str, bool]],
        at: datetime,
        first: SeenResult | None,
    ) -> None:
        """Remember ``keys`` for the story (new, or a duplicate of ``first``); a copy from
        another feed is kept as an additional source of the first article."""
        self.record_many([(article, keys, at, first)])

    def record_many(
        self, items: list[tuple[Article, list[tuple[str, bool]], datetime, SeenResult | None]]
    ) -> None:
        """:meth:`record` for every article of one feed body, in one write transaction."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                for article, keys, at, first in items:
                    self._record(article, keys, at.timestamp(), first)
                self._conn.execute("COMMIT")
            except BaseException:
                storage.rollback(self._conn)
                raise

    def _record(
        self, article: Article, keys: list[tuple[str, bool]], ts: float, first: SeenResult | None
    ) -> None:
        owner = first.article_id if first else article.id
        for key, windowed in keys:
            # Keep the first owner of a key; a stale windowed key goes to a new story.
            self._conn.execute(
                "INSERT INTO seen_keys(key, article_id, at, windowed) VALUES (?,?,?,?) "
                "ON CONFLICT(key) DO UPDATE SET article_id=excluded.article_id, "
                "at=excluded.at WHERE seen_keys.windowed=1 AND ?",
                (key, owner, ts, int(windowed), int(first is None)),
            )
        if first is None:
            self._conn.execute(
                "INSERT OR IGNORE INTO articles VALUES (?,?,?,?,?)",
                (article.id, article.feed_id, article.url, article.title, ts),
            )
        elif first.feed_id and first.feed_id != article.feed_id:
            src = article.source or Source(feed_id=article.feed_id, url=article.url)
            self._conn.execute(
                "INSERT OR IGNORE INTO sources VALUES (?,?,?,?,?,?)",
                (owner, article.feed_id, src.feed_title, src.feed_url, src.url or article.url, ts),
            )

    def remember(self, article_ids: list[str], at: datetime) -> int:
        """Mark ids as published (a feed taken over from another collect process: its last
        body's entries were published there); returns how many were not known yet."""
        rows = [(f"id:{a}", a, at.timestamp()) for a in article_ids]
        with self._lock:
            before = self._conn.total_changes
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.executemany(
                    "INSERT OR IGNORE INTO seen_keys(key, article_id, at, windowed) "
                    "VALUES (?, ?, ?, 0)", rows,
                )
                self._conn.execute("COMMIT")
            except BaseException:
                storage.rollback(self._conn)
                raise
            return self._conn.total_changes - before

    def sources(self, article_id: str) -> list[Source]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT feed_id, feed_title, feed_url, url FROM sources WHERE article_id=? "
                "ORDER BY at, feed_id",
                (article_id,),
            ).fetchall()
        return [Source(*row) for row in rows]

    def syndication_counts(self) -> dict[str, int]:
        """Feed id -> how many of its stories were also carried by other feeds."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT a.feed_id, COUNT(*) FROM sources s JOIN articles a USING(article_id) "
                "GROUP BY a.feed_id"
            ).fetchall()
        return dict(rows)

    def prune(self, now: datetime | None = None) -> int:
        """Forget windowed keys older than twice the window (URL and GUID keys are kept)."""
        now = now or datetime.now(UTC)
        horizon = now.timestamp() - 2 * self.window.total_seconds()
        with self._lock:
            cur = self._conn.execute(
                "DELETE FROM seen_keys WHERE windowed=1 AND at < ?", (horizon,)
            )
        return cur.rowcount

    def close(self) -> None:
        with self._lock:
            self._conn.close()
