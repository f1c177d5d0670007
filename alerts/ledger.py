"""The delivery ledger: one SQLite file recording every match, story, group, alert and delivery.

A delivery is keyed by (alert id, channel). Its states: ``queued`` (waiting for a digest),
``pending`` (due at ``next_attempt``; ``attempts`` is raised *before* each send), ``sent`` (only
after the channel confirmed), ``dead`` (permanent failure or attempts exhausted: the dead-letter
store), ``digested`` (folded into a digest alert, ``digest_id``), ``merged`` (carried on this
channel by another alert, ``digest_id``, so one article makes one message per channel). Everything
an alert needs is written in the same transaction that records the matches, before the bus
offsets are committed.

``dispositions`` says, for every (match, route), what became of it (``alerts.dispositions``);
``mutes`` silences a story, watch, feed or route until a time.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path

from alerts import outage
from newswatch import serde, storage
from newswatch.models import Alert, stable_id

SCHEMA = """
CREATE TABLE IF NOT EXISTS match_story (
    match_id TEXT PRIMARY KEY, story_id TEXT NOT NULL, fingerprint TEXT NOT NULL,
    seen REAL NOT NULL);
CREATE INDEX IF NOT EXISTS match_story_seen ON match_story(seen);
CREATE TABLE IF NOT EXISTS match_routes (
    match_id TEXT NOT NULL, route TEXT NOT NULL, story_id TEXT NOT NULL, group_id TEXT NOT NULL,
    alert_id TEXT, state TEXT NOT NULL, received REAL NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (match_id, route));
CREATE INDEX IF NOT EXISTS match_routes_group ON match_routes(group_id, state);
CREATE TABLE IF NOT EXISTS groups (
    id TEXT PRIMARY KEY, route TEXT NOT NULL, gkey TEXT NOT NULL, story_id TEXT NOT NULL,
    first_alert_id TEXT NOT NULL DEFAULT '', created REAL NOT NULL, last_activity REAL NOT NULL,
    last_sent REAL, flush_at REAL, sources TEXT NOT NULL DEFAULT '[]');
CREATE INDEX IF NOT EXISTS groups_key ON groups(route, gkey, last_activity);
CREATE INDEX IF NOT EXISTS groups_flush ON groups(flush_at);
CREATE TABLE IF NOT EXISTS alerts (
    id TEXT PRIMARY KEY, route TEXT NOT NULL, story_id TEXT NOT NULL, follow_up_of TEXT NOT NULL,
    severity TEXT NOT NULL, created REAL NOT NULL, title TEXT NOT NULL, data BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS alerts_created ON alerts(created);
CREATE TABLE IF NOT EXISTS deliveries (
    alert_id TEXT NOT NULL, channel TEXT NOT NULL, state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, next_attempt REAL, last_error TEXT NOT NULL DEFAULT '',
    updated REAL NOT NULL, sent_at REAL, note TEXT NOT NULL DEFAULT '', digest_id TEXT,
    PRIMARY KEY (alert_id, channel));
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(channel, state, next_attempt);
CREATE TABLE IF NOT EXISTS ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dispositions (
    match_id TEXT NOT NULL, route TEXT NOT NULL, watch TEXT NOT NULL, article_id TEXT NOT NULL,
    feed_id TEXT NOT NULL, title TEXT NOT NULL, url TEXT NOT NULL, story_id TEXT NOT NULL,
    alert_id TEXT, disposition TEXT NOT NULL, reason TEXT NOT NULL, received REAL NOT NULL,
    updated REAL NOT NULL, PRIMARY KEY (match_id, route));
CREATE INDEX IF NOT EXISTS dispositions_alert ON dispositions(alert_id);
CREATE INDEX IF NOT EXISTS dispositions_story ON dispositions(story_id, received);
CREATE INDEX IF NOT EXISTS dispositions_received ON dispositions(received);
CREATE INDEX IF NOT EXISTS dispositions_article ON dispositions(article_id);
CREATE TABLE IF NOT EXISTS mutes (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, value TEXT NOT NULL, until REAL NOT NULL,
    created REAL NOT NULL, reason TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS mutes_until ON mutes(until);
"""
MUTE_KINDS = ("story", "watch", "feed", "route")


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    alert_id: str
    channel: str
    state: str
    attempts: int
    next_attempt: float | None
    last_error: str
    updated: float
    note: str


class Ledger:
    """One connection per thread onto the ledger file."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._conns = storage.PerThread(self.path, timeout=60)
        self.conn.executescript(SCHEMA)
        outage.migrate(self.conn)

    @property
    def conn(self) -> sqlite3.Connection:
        return self._conns.get()

    def transaction(self) -> _Txn:
        return _Txn(self.conn)

    @staticmethod
    def note_consumed(conn: sqlite3.Connection, now: float) -> None:
        """Mark (inside the batch's transaction) that matches were consumed into this ledger:
        a missing or emptied ledger is then told apart from a new one at start."""
        conn.execute("INSERT OR REPLACE INTO ledger_meta(key, value) VALUES ('consumed', ?)",
                     (repr(now),))

    # -- deliveries ------------------------------------------------------------------------
    def due(self, channel: str, now: float, limit: int = 50) -> list[tuple[Alert, int]]:
        """Due alerts; a follow-up whose first alert went out inside a merged message on this
        channel threads under that message instead."""
        rows = self.conn.execute(
            "SELECT a.data, d.attempts, t.state, t.digest_id FROM deliveries d "
            "JOIN alerts a ON a.id = d.alert_id "
            "LEFT JOIN deliveries t ON t.alert_id = a.follow_up_of AND t.channel = d.channel "
            "WHERE d.channel=? AND d.state='pending' AND d.next_attempt<=? "
            "ORDER BY d.next_attempt, a.created, d.alert_id LIMIT ?",
            (channel, now, limit),
        ).fetchall()
        out = []
        for data, attempts, parent_state, carrier in rows:
            alert = serde.loads(data, Alert)
            if parent_state == "merged" and carrier:
                alert = replace(alert, follow_up_of=carrier)
            out.append((alert, attempts))
        return out

    def next_due(self, channel: str) -> float | None:
        row = self.conn.execute(
            "SELECT MIN(next_attempt) FROM deliveries WHERE channel=? AND state='pending'",
            (channel,),
        ).fetchone()
        return row[0]

    def _update(self, sql: str, args: tuple) -> None:
        with self.transaction() as conn:
            conn.execute(sql, args)

    def mark_attempt(self, alert_id: str, channel: str, now: float) -> int:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE deliveries SET attempts=attempts+1, updated=? "
                "WHERE alert_id=? AND channel=?",
                (now, alert_id, channel),
            )
            row = conn.execute(
                "SELECT attempts FROM deliveries WHERE alert_id=? AND channel=?",
                (alert_id, channel),
            ).fetchone()
        return row[0]

    def mark_sent(self, alert_id: str, channel: str, now: float) -> None:
        self._update(
            "UPDATE deliveries SET state='sent', sent_at=?, updated=?, last_error='', note='', "
            "retry_since=NULL WHERE alert_id=? AND channel=?",
            (now, now, alert_id, channel),
        )

    def mark_retry(self, alert_id: str, channel: str, now: float, at: float, error: str) -> None:
        self._update(
            "UPDATE deliveries SET next_attempt=?, last_error=?, updated=?, note='retrying', "
            "retry_since=COALESCE(retry_since, ?) WHERE alert_id=? AND channel=?",
            (at, error, now, now, alert_id, channel),
        )

    def note(self, alert_id: str, channel: str, note: str, now: float) -> bool:
        """Set a pending delivery's note; False if it already said so."""
        with self.transaction() as conn:
            return conn.execute(
                "UPDATE deliveries SET note=?, updated=? WHERE alert_id=? AND channel=? "
                "AND note!=?", (note, now, alert_id, channel, note)).rowcount > 0

    def mark_dead(self, alert_id: str, channel: str, now: float, error: str,
                  note: str = "") -> None:
        """``note`` ``gave up`` (an outage outlasted the retries) makes it re-drivable."""
        self._update(
            "UPDATE deliveries SET state='dead', last_error=?, updated=?, note=? "
            "WHERE alert_id=? AND channel=?",
            (error, now, note, alert_id, channel),
        )

    # -- operator views --------------------------------------------------------------------
    def deliveries(self, alert_ids: list[str]) -> dict[str, list[DeliveryRow]]:
        out: dict[str, list[DeliveryRow]] = {a: [] for a in alert_ids}
        for i in range(0, len(alert_ids), 500):
            chunk = alert_ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.conn.execute(
                "SELECT alert_id, channel, state, attempts, next_attempt, last_error, updated, "
                f"note FROM deliveries WHERE alert_id IN ({marks}) ORDER BY channel",
                chunk,
            ):
                out[row[0]].append(DeliveryRow(*row))
        return out

    def recent_alerts(self, limit: int = 20) -> list[tuple[str, float, str, str, str, str]]:
        """(id, created, route, severity, title, follow_up_of), newest first."""
        return self.conn.execute(
            "SELECT id, created, route, severity, title, follow_up_of FROM alerts "
            "ORDER BY created DESC, id LIMIT ?",
            (limit,),
        ).fetchall()

    def titles(self, alert_ids: list[str]) -> dict[str, str]:
        """alert id -> title (for listings of deliveries)."""
        out: dict[str, str] = {}
        for i in range(0, len(alert_ids), 500):
            chunk = alert_ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            out.update(self.conn.execute(
                f"SELECT id, title FROM alerts WHERE id IN ({marks})", chunk).fetchall())
        return out

    def dead_letters(self, channel: str | None = None) -> list[DeliveryRow]:
        sql = (
            "SELECT alert_id, channel, state, attempts, next_attempt, last_error, updated, note "
            "FROM deliveries WHERE state='dead'"
        )
        args: tuple = ()
        if channel:
            sql, args = sql + " AND channel=?", (channel,)
        return [DeliveryRow(*r) for r in self.conn.execute(sql + " ORDER BY updated", args)]

    def retry_dead(self, now: float, alert_ids: list[str] | None = None,
                   channel: str | None = None) -> int:
        """Re-queue dead deliveries (all, or these alert ids / this channel)."""
        sql = "UPDATE deliveries SET state='pending', attempts=0, next_attempt=?, updated=?, "
        sql += "retry_since=NULL, "
        sql += "note='re-queued from dead letters' WHERE state='dead'"
        args: list = [now, now]
        if alert_ids:
            sql += f" AND alert_id IN ({','.join('?' * len(alert_ids))})"
            args += alert_ids
        if channel:
            sql += " AND channel=?"
            args.append(channel)
        with self.transaction() as conn:
            return conn.execute(sql, args).rowcount

    def count(self, state: str, channel: str | None = None) -> int:
        sql, args = "SELECT COUNT(*) FROM deliveries WHERE state=?", [state]
        if channel:
            sql, args = sql + " AND channel=?", [state, channel]
        return self.conn.execute(sql, args).fetchone()[0]

    # -- mutes -----------------------------------------------------------------------------
    def mute(self, kind: str, value: str, until: float, now: float, reason: str = "") -> str:
        """Silence matches of a story, watch, feed or route until ``until``; returns the id."""
        if kind not in MUTE_KINDS:
            raise ValueError(f"mute kind must be one of {', '.join(MUTE_KINDS)}")
        mute_id = stable_id("mute", kind, value, repr(now))
        with self.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO mutes(id, kind, value, until, created, reason) "
                         "VALUES (?, ?, ?, ?, ?, ?)", (mute_id, kind, value, until, now, reason))
        return mute_id

    def unmute(self, mute_id: str) -> bool:
        with self.transaction() as conn:
            return conn.execute("DELETE FROM mutes WHERE id=?", (mute_id,)).rowcount > 0

    def mutes(self, now: float) -> list[tuple[str, str, str, float, str]]:
        """Active mutes: (id, kind, value, until, reason), soonest to end first."""
        return self.conn.execute(
            "SELECT id, kind, value, until, reason FROM mutes WHERE until>? ORDER BY until, id",
            (now,),
        ).fetchall()

    def dispositions(self, alert_ids: list[str]) -> dict[str, list[tuple]]:
        """Per alert: (match_id, route, watch, disposition, reason, title) of what it carried
        or stood beside (grouped, suppressed), in arrival order."""
        out: dict[str, list[tuple]] = {a: [] for a in alert_ids}
        for i in range(0, len(alert_ids), 500):
            chunk = alert_ids[i : i + 500]
            for row in self.conn.execute(
                "SELECT alert_id, match_id, route, watch, disposition, reason, title "
                f"FROM dispositions WHERE alert_id IN ({','.join('?' * len(chunk))}) "
                "ORDER BY received, match_id, route",
                chunk,
            ):
                out[row[0]].append(row[1:])
        return out

    def unalerted(self, limit: int = 50) -> list[tuple]:
        """Recent matches with no alert beside them (muted, no route, still waiting), newest
        first: (match_id, route, watch, disposition, reason, title, received)."""
        return self.conn.execute(
            "SELECT match_id, route, watch, disposition, reason, title, received "
            "FROM dispositions WHERE alert_id IS NULL ORDER BY received DESC, match_id LIMIT ?",
            (limit,),
        ).fetchall()

    def close(self) -> None:
        self._conns.close()


class _Txn:
    """``with ledger.transaction() as conn``: BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error)."""

    def __init__(self, conn: sqlite3.Connection):
        self.c = conn

    def __enter__(self) -> sqlite3.Connection:
        self.c.execute("BEGIN IMMEDIATE")
        return self.c

    def __exit__(self, exc_type, *_: object) -> None:
        if exc_type:  # never hide the error behind "cannot rollback - no transaction is active"
            storage.rollback(self.c)
            return
        try:
            self.c.execute("COMMIT")
        except BaseException:
            storage.rollback(self.c)
            raise
