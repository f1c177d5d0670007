"""The UI's side index ``<data_dir>/ui.db``: every match in the ledger, searchable and filterable.

One row per matched article with the watches it matched (``seq`` = arrival order, so "newest
first" is the primary key read backwards and paging is a keyset ``seq < cursor``); ``members``
maps each match id to its row; a ``tags`` table holds the many-valued filters (watches, labels
flagged by the model, groups, places with their containing country and region); SQLite FTS5
indexes title and summary (contentless, rowid = seq); and the feedback given in the UI.
It is filled incrementally from the ledger's ``match_routes`` (``fill.py``); deleting the file
rebuilds it (feedback history excepted).
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from newswatch import storage
from newswatch.ui.queries import LedgerView

SCHEMA = """
CREATE TABLE IF NOT EXISTS matches (
    seq INTEGER PRIMARY KEY, match_id TEXT NOT NULL, article_id TEXT NOT NULL UNIQUE,
    watches TEXT NOT NULL, severity TEXT NOT NULL, feed_id TEXT NOT NULL, feed TEXT NOT NULL,
    title TEXT NOT NULL, url TEXT NOT NULL, published REAL, received REAL NOT NULL,
    day TEXT NOT NULL, story_id TEXT NOT NULL, score REAL NOT NULL,
    model_version TEXT NOT NULL, feedback TEXT NOT NULL DEFAULT '', card TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS members (match_id TEXT PRIMARY KEY, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS members_seq ON members(seq);
CREATE INDEX IF NOT EXISTS m_severity ON matches(severity, seq);
CREATE INDEX IF NOT EXISTS m_feed ON matches(feed_id, seq);
CREATE INDEX IF NOT EXISTS m_feedback ON matches(feedback, seq);
CREATE INDEX IF NOT EXISTS m_story ON matches(story_id, seq);
CREATE INDEX IF NOT EXISTS m_day ON matches(day);
CREATE TABLE IF NOT EXISTS tags (
    kind TEXT NOT NULL, value TEXT NOT NULL, seq INTEGER NOT NULL,
    PRIMARY KEY (kind, value, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS places (id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    title, summary, content='', tokenize='unicode61 remove_diacritics 2');
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY, match_id TEXT NOT NULL, article_id TEXT NOT NULL,
    action TEXT NOT NULL, at REAL NOT NULL, via TEXT NOT NULL, user TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS feedback_article ON feedback(article_id, at);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
COLUMNS = ("seq", "match_id", "article_id", "watches", "severity", "feed_id", "feed", "title",
           "url", "published", "received", "day", "story_id", "score", "model_version",
           "feedback", "card")
TAG_KINDS = ("watch", "label", "group", "place")
COUNT_CAP = 1_000
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Filters:
    q: str = ""
    watch: str = ""
    label: str = ""
    group: str = ""
    place: str = ""
    feed: str = ""
    severity: str = ""
    feedback: str = ""  # "" any | "none" | an action name

    @classmethod
    def from_params(cls, params: Any) -> Filters:
        return cls(**{f.name: str(params.get(f.name, "")).strip()[:200] for f in fields(cls)})

    def params(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


@dataclass
class Row:
    """One matched article: ``match_id`` is its first match, ``watches`` [(watch, severity)]."""

    seq: int
    match_id: str
    article_id: str
    watches: list[tuple[str, str]]
    severity: str
    feed_id: str
    feed: str
    title: str
    url: str
    published: float | None
    received: float
    day: str
    story_id: str
    score: float
    model_version: str
    feedback: str
    card: dict[str, Any]


def _marks(items: list) -> str:
    return ",".join("?" * len(items))


def fts_query(text: str) -> str:
    """Words as an FTS5 query: every word must appear, the last one as a prefix."""
    words = _WORD.findall(text)[:12]
    if not words:
        return ""
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


class Index:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        # private (0600), WAL, synchronous=NORMAL: a lost tail is re-read from the ledger
        self._conns = storage.PerThread(self.path, timeout=30, synchronous="NORMAL")
        self.sync_lock = threading.Lock()
        self.conn.executescript(SCHEMA)

    @property
    def conn(self) -> sqlite3.Connection:
        return self._conns.get()

    def state(self, key: str, default: str = "") -> str:
        row = self.conn.execute("SELECT value FROM state WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    # -- filling ------------------------------------------------------------------------------
    def sync(self, ledger: LedgerView, limit: int = 5000, wait: bool = True) -> int:
        """Copy matches recorded in the ledger since the last sync; how many were new."""
        from newswatch.ui.fill import sync

        return sync(self, ledger, limit, wait)

    def reset(self) -> None:
        conn = self.conn
        for table in ("matches", "members", "tags", "places", "state"):
            conn.execute(f"DELETE FROM {table}")
        conn.execute("DROP TABLE IF EXISTS fts")
        conn.executescript(SCHEMA)

    # -- reading ------------------------------------------------------------------------------
    def _where(self, f: Filters) -> tuple[str, str, list[str], list[Any]]:
        """(FROM clause with the driving table, its ordering key, WHERE conditions, args)."""
        conds, args = [], []
        source = "matches m"
        if f.severity:
            conds.append("m.severity=?")
            args.append(f.severity)
        if f.feed:
            conds.append("m.feed_id=?")
            args.append(f.feed)
        if f.feedback:
            conds.append("m.feedback=?")
            args.append("" if f.feedback == "none" else f.feedback)
        tags = [(k, getattr(f, k)) for k in TAG_KINDS if getattr(f, k)]
        if len(tags) > 1:  # the rarest tag drives the scan: fewest rows to walk
            tags.sort(key=lambda kv: self.conn.execute(
                "SELECT COUNT(*) FROM tags WHERE kind=? AND value=?", kv).fetchone()[0])
        query = fts_query(f.q)
        key = "m.seq"
        if query:  # the search drives: FTS5 returns rowids newest first and stops early
            source = "fts JOIN matches m ON m.seq = fts.rowid"
            conds.insert(0, "fts MATCH ?")
            args.insert(0, query)
            key = "fts.rowid"
        elif tags:
            kind, value = tags.pop(0)
            source = "tags t JOIN matches m ON m.seq = t.seq"
            conds[:0] = ["t.kind=?", "t.value=?"]
            args[:0] = [kind, value]
            key = "t.seq"
        for kind, value in tags:
            conds.append("EXISTS (SELECT 1 FROM tags x WHERE x.kind=? AND x.value=? "
                         "AND x.seq=m.seq)")
            args += [kind, value]
        return source, key, conds, args

    def page(self, f: Filters, before: int | None = None, after: int | None = None,
             limit: int = 50) -> tuple[list[Row], bool]:
        """Up to ``limit`` rows newest first, older than ``before`` or newer than ``after``;
        and whether more rows lie beyond in the paging direction."""
        source, key, conds, args = self._where(f)
        if before is not None:
            conds.append(f"{key} < ?")
            args.append(before)
        if after is not None:
            conds.append(f"{key} > ?")
            args.append(after)
        where = f" WHERE {' AND '.join(conds)}" if conds else ""
        order = "ASC" if after is not None else "DESC"
        cols = ", ".join(f"m.{c}" for c in COLUMNS)
        rows = self.conn.execute(
            f"SELECT {cols} FROM {source}{where} ORDER BY {key} {order} LIMIT ?",
            [*args, limit + 1],
        ).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        if after is not None:
            rows.reverse()
        return [self._row(r) for r in rows], more

    def count(self, f: Filters) -> tuple[int, bool]:
        """How many rows match (counting stops at COUNT_CAP; True if it stopped)."""
        source, _, conds, args = self._where(f)
        where = f" WHERE {' AND '.join(conds)}" if conds else ""
        n = self.conn.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {source}{where} LIMIT {COUNT_CAP + 1})", args
        ).fetchone()[0]
        return min(n, COUNT_CAP), n > COUNT_CAP

    @staticmethod
    def _row(r: tuple) -> Row:
        row = Row(*r)
        row.watches = [tuple(w) for w in json.loads(r[3])]
        row.card = json.loads(r[-1])
        return row

    def get(self, match_id: str) -> Row | None:
        """The row of an article by any of its match ids."""
        r = self.conn.execute(
            f"SELECT {', '.join('m.' + c for c in COLUMNS)} FROM members x "
            "JOIN matches m ON m.seq = x.seq WHERE x.match_id=?", (match_id,),
        ).fetchone()
        return self._row(r) if r else None

    def rows(self, match_ids: list[str]) -> list[Row]:
        """Rows of these matches (one per article), in the order first seen in ``match_ids``."""
        found: dict[str, Row] = {}
        for i in range(0, len(match_ids), 500):
            chunk = match_ids[i : i + 500]
            for mid, *r in self.conn.execute(
                f"SELECT x.match_id, {', '.join('m.' + c for c in COLUMNS)} FROM members x "
                f"JOIN matches m ON m.seq = x.seq WHERE x.match_id IN ({_marks(chunk)})", chunk,
            ):
                found[mid] = self._row(tuple(r))
        out: dict[int, Row] = {}
        for mid in match_ids:
            if mid in found:
                out.setdefault(found[mid].seq, found[mid])
        return list(out.values())

    def members(self, seqs: list[int]) -> dict[int, list[str]]:
        """seq -> every match id of that row."""
        out: dict[int, list[str]] = {s: [] for s in seqs}
        for i in range(0, len(seqs), 500):
            chunk = seqs[i : i + 500]
            for mid, seq in self.conn.execute(
                f"SELECT match_id, seq FROM members WHERE seq IN ({_marks(chunk)}) "
                "ORDER BY match_id", chunk,
            ):
                out[seq].append(mid)
        return out

    def facets(self) -> dict[str, list[tuple[str, str, int]]]:
        """Filter choices with counts: kind -> [(value, shown name, count)]."""
        c = self.conn
        out: dict[str, list[tuple[str, str, int]]] = {}
        out["severity"] = [(v, v, n) for v, n in c.execute(
            "SELECT severity, COUNT(*) FROM matches GROUP BY severity ORDER BY severity")]
        out["feed"] = [(v, name, n) for v, name, n in c.execute(
            "SELECT feed_id, MAX(feed), COUNT(*) FROM matches GROUP BY feed_id ORDER BY 2")]
        names = dict(c.execute("SELECT id, name FROM places"))
        for kind in TAG_KINDS:
            rows = c.execute("SELECT value, COUNT(*) FROM tags WHERE kind=? GROUP BY value "
                             "ORDER BY COUNT(*) DESC, value LIMIT 200", (kind,))
            out[kind] = [(v, names.get(v, v) if kind == "place" else v, n) for v, n in rows]
        return out

    # -- feedback -----------------------------------------------------------------------------
    def add_feedback(self, row: Row, action: str, at: float, via: str, user: str,
                     note: str = "") -> None:
        with self.conn:
            self.conn.execute(
                "INSERT INTO feedback(match_id, article_id, action, at, via, user, note) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (row.match_id, row.article_id, action, at, via, user, note),
            )
            column = "story_id" if action == "mute" else "article_id"
            self.conn.execute(f"UPDATE matches SET feedback=? WHERE {column}=?",
                              (action, getattr(row, column)))

    def feedback_of(self, article_id: str) -> list[tuple[str, float, str, str, str]]:
        """(action, at, via, user, note) on one article, newest first."""
        return self.conn.execute(
            "SELECT action, at, via, user, note FROM feedback WHERE article_id=? "
            "ORDER BY at DESC, id DESC", (article_id,),
        ).fetchall()

    # -- charts -------------------------------------------------------------------------------
    def per_day(self, since_day: str, by: str) -> list[tuple[str, str, int]]:
        """(day, series, matches) since ``since_day``; ``by``: "watch" or "label"."""
        return self.conn.execute(
            "SELECT m.day, t.value, COUNT(*) FROM matches m JOIN tags t ON t.seq=m.seq "
            "AND t.kind=? WHERE m.day>=? GROUP BY m.day, t.value", (by, since_day),
        ).fetchall()

    def top_places(self, since_day: str, limit: int = 15) -> list[tuple[str, str, str, int]]:
        """(place id, name, kind, matches) of matches since ``since_day``, most first."""
        return self.conn.execute(
            "SELECT t.value, COALESCE(p.name, t.value), COALESCE(p.kind, ''), COUNT(*) "
            "FROM tags t JOIN matches m ON m.seq=t.seq LEFT JOIN places p ON p.id=t.value "
            "WHERE t.kind='place' AND m.day>=? GROUP BY t.value ORDER BY 4 DESC, 1 LIMIT ?",
            (since_day, limit),
        ).fetchall()

    def close(self) -> None:
        self._conns.close()
