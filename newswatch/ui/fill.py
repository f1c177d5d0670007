"""Filling the UI's side index from the ledger: one row per matched article, its tags (watches,
flagged labels, groups, places with their containing country and region), its search text."""

from __future__ import annotations

import functools
import json
import sqlite3
from datetime import UTC, datetime
from typing import Any

from newswatch import serde
from newswatch.config.routing import severity_rank
from newswatch.models import Match
from newswatch.ui.index import COLUMNS, Index
from newswatch.ui.queries import LedgerView


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


@functools.lru_cache(maxsize=4096)
def iso_name(code: str) -> str:
    """A name for an ISO 3166 country ("RU" -> "Russia", as the classifier's geography names it:
    its country table is light, unlike the whole geography) or region ("RU-BEL": ISO 3166-2)."""
    try:
        if "-" not in code:
            from classifiers.geo.countries import load_countries

            country = load_countries().get(code)
            return country.name if country else code
        import pycountry

        region = pycountry.subdivisions.get(code=code)
        return str(region.name) if region else code
    except (ImportError, LookupError):
        return code


def sync(index: Index, ledger: LedgerView, limit: int = 5000, wait: bool = True) -> int:
    """Copy matches recorded in the ledger since the last sync; how many were new."""
    if not index.sync_lock.acquire(blocking=wait):
        return 0
    try:
        done = int(index.state("ledger_rowid", "0"))
        if ledger.last_rowid() < done:  # a new ledger file: start over
            index.reset()
            done = 0
        rows = ledger.routed_after(done, limit)
        if not rows:
            return 0
        new = 0
        conn = index.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            for _rowid, match_id, story_id, received, data in rows:
                new += _add(conn, match_id, story_id, received, data)
            conn.execute("INSERT OR REPLACE INTO state(key, value) VALUES ('ledger_rowid', ?)",
                         (str(rows[-1][0]),))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return new
    finally:
        index.sync_lock.release()

def _add(conn: sqlite3.Connection, match_id: str, story_id: str, received: float,
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
            if pid:  # named from ISO 3166 until a match names the place itself
                conn.execute("INSERT OR IGNORE INTO places(id, name, kind) VALUES (?, ?, ?)",
                             (pid, iso_name(pid), kind))
    conn.executemany("INSERT OR IGNORE INTO tags(kind, value, seq) VALUES (?, ?, ?)",
                     [(k, v, seq) for k, v in sorted(tags)])
    conn.execute("INSERT INTO fts(rowid, title, summary) VALUES (?, ?, ?)",
                 (seq, a.title, a.summary))
    return 1

