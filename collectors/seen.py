"""Persistent seen-store: an article is published once, across restarts and feeds."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class SqliteSeenStore:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, article_id TEXT NOT NULL)"
        )

    def first_seen(self, key: str, article_id: str) -> str | None:
        cur = self._conn.execute(
            "INSERT OR IGNORE INTO seen(key, article_id) VALUES (?, ?)", (key, article_id)
        )
        if cur.rowcount:
            return None
        row = self._conn.execute("SELECT article_id FROM seen WHERE key=?", (key,)).fetchone()
        return row[0]

    def close(self) -> None:
        self._conn.close()
