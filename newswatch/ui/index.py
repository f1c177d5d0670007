"""The UI's side index ``<data_dir>/ui.db``: every match in the ledger, searchable and filterable.

One row per matched article with the watches it matched (``seq`` = arrival order, so "newest
first" is the primary key read backwards and paging is a keyset ``seq < cursor``); ``members``
maps each match id to its row; a ``tags`` table holds the many-valued filters (watches, labels
flagged by the model, groups, places with their containing country and region); SQLite FTS5
indexes title and summary (contentless, rowid = seq); and the feedback given in the UI.
It is filled incrementally from the ledger's ``match_routes`` (``sync``); deleting the file
rebuilds it (feedback history excepted).
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newswatch import serde, storage
from newswatch.config.routing import severity_rank
from newswatch.models import Match
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


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")


def card_of(match: Match) -> dict[str, Any]:
    a = match.article
    return {
        "labels": [[ls.label, ls.score] for ls in match.labels],
        "groups": list(match.groups), "candidates": list(match.candidates),
        "places": [[p.id, p.name, p.kind] for p in match.places],
        "reasons": list(match.reasons), "summary": a.summary[:2000], "lang": a.language or "",
        "also": [s.feed_title or s.feed_id for s in a.also_seen_in],
    }


class Index:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._local = threading.local()
        self.sync_lock = threading.Lock()
        self.conn.executescript(SCHEMA)

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:  # private (0600), WAL; a lost tail is re-read from the ledger
            conn = storage.connect(self.path, timeout=30, synchronous="NORMAL")
            self._local.conn = conn
        return conn

    def _state(self, key: str, default: str = "") -> str:
        row = self.conn.execute("SELECT value FROM state WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    # -- filling ------------------------------------------------------------------------------
    def sync(self, ledger: LedgerView, limit: int = 5000, wait: bool = True) -> int:
        """Copy matches recorded in the ledger since the last sync; how many were new."""
        if not self.sync_lock.acquire(blocking=wait):
            return 0
        try:
            done = int(self._state("ledger_rowid", "0"))
            if ledger.last_rowid() < done:  # a new ledger file: start over
                self.reset()
                done = 0
            rows = ledger.routed_after(done, limit)
            if not rows:
                return 0
            new = 0
            conn = self.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                for _rowid, match_id, story_id, received, data in rows:
                    new += self._add(conn, match_id, story_id, received, data)
                conn.execute("INSERT OR REPLACE INTO state(key, value) VALUES ('ledger_rowid', ?)",
                             (str(rows[-1][0]),))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return new
        finally:
            self.sync_lock.release()

    def _add(self, conn: sqlite3.Connection, match_id: str, story_id: str, received: float,
             data: bytes) -> int:
        if conn.execute("SELECT 1 FROM members WHERE match_id=?", (match_id,)).fetchone():
            return 0  # the same match on a second route
        try:
            m = serde.loads(data, Match)
        except serde.SerdeError:
            return 0
        a = m.article
        row = conn.execute("SELECT seq, watches, severity, score FROM matches WHERE article_id=?",
                           (a.id,)).fetchone()
        if row is not None:  # another watch matched the same article: one row, both watches
            seq, watches, severity, score = row
            watches = [*json.loads(watches), [m.watch, m.severity]]
            conn.execute("UPDATE matches SET watches=?, severity=?, score=? WHERE seq=?",
                         (json.dumps(watches), max(severity, m.severity, key=severity_rank),
                          max(score, m.score), seq))
            conn.execute("INSERT INTO members(match_id, seq) VALUES (?, ?)", (match_id, seq))
            conn.execute("INSERT OR IGNORE INTO tags(kind, value, seq) VALUES ('watch', ?, ?)",
                         (m.watch, seq))
            return 0
        published = a.published.timestamp() if a.published else None
        feed = a.source.feed_title if a.source and a.source.feed_title else a.feed_id
        prior = conn.execute(  # feedback on the article carries over to its later matches
            "SELECT action FROM feedback WHERE article_id=? ORDER BY at DESC LIMIT 1", (a.id,),
        ).fetchone()
        cur = conn.execute(
            f"INSERT INTO matches({', '.join(COLUMNS[1:])}) VALUES ({', '.join('?' * 16)})",
            (match_id, a.id, json.dumps([[m.watch, m.severity]]), m.severity, a.feed_id, feed,
             a.title or a.url, a.url, published, received, _day(published or received),
             story_id, m.score, m.model_version, prior[0] if prior else "",
             json.dumps(card_of(m))),
        )
        seq = cur.lastrowid
        conn.execute("INSERT INTO members(match_id, seq) VALUES (?, ?)", (match_id, seq))
        tags = {("watch", m.watch)} | {("label", ls.label) for ls in m.labels if ls.score >= 0.5}
        tags |= {("group", g) for g in m.groups}
        for p in m.places:
            tags |= {("place", pid) for pid in (p.id, p.country, p.region) if pid}
            conn.execute("INSERT INTO places(id, name, kind) VALUES (?, ?, ?) ON CONFLICT(id) "
                         "DO UPDATE SET name=excluded.name, kind=excluded.kind",
                         (p.id, p.name or p.id, p.kind))
            for pid, kind in ((p.country, "country"), (p.region, "region")):
                if pid:  # named by its id until a match names the place itself
                    conn.execute("INSERT OR IGNORE INTO places(id, name, kind) VALUES (?, ?, ?)",
                                 (pid, pid, kind))
        conn.executemany("INSERT OR IGNORE INTO tags(kind, value, seq) VALUES (?, ?, ?)",
                         [(k, v, seq) for k, v in sorted(tags)])
        conn.execute("INSERT INTO fts(rowid, title, summary) VALUES (?, ?, ?)",
                     (seq, a.title, a.summary))
        return 1

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
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
