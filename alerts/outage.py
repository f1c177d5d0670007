"""Channel outages in the ledger: give up late, probe, and re-drive when the channel is back.

* A delivery that keeps failing (or waiting behind a failing channel) is dead-lettered only
  after ``give_up_after_secs`` (default a day), counted from its first failure; ``note`` says
  ``gave up`` so it can be re-driven.
* When the channel answers again (any delivery confirmed), waiting deliveries are made due at
  once and up to ``redrive_dead_max`` of its ``gave up`` dead letters are re-queued.
* With nothing pending but such dead letters, one of them is re-queued as a probe every
  ``backoff_max_secs``; a failed probe goes straight back to the dead letters.
"""

from __future__ import annotations

import sqlite3

GAVE_UP, PROBE, REDRIVEN = "gave up", "probe", "re-driven: the channel answers again"


def migrate(conn: sqlite3.Connection) -> None:
    """Add ``deliveries.retry_since`` (start of the current failure episode) if missing."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(deliveries)")}
    if "retry_since" not in columns:
        conn.execute("ALTER TABLE deliveries ADD COLUMN retry_since REAL")


def note(conn: sqlite3.Connection, alert_id: str, channel: str) -> str:
    row = conn.execute("SELECT note FROM deliveries WHERE alert_id=? AND channel=?",
                       (alert_id, channel)).fetchone()
    return row[0] if row else ""


def expired(conn: sqlite3.Connection, channel: str, cutoff: float) -> list[tuple[str, str]]:
    """(alert id, last error) of pending deliveries failing or waiting since before ``cutoff``
    (a delivery never tried counts from when it became pending)."""
    return conn.execute(
        "SELECT alert_id, last_error FROM deliveries WHERE channel=? AND state='pending' "
        "AND COALESCE(retry_since, updated) <= ? ORDER BY updated LIMIT 500",
        (channel, cutoff),
    ).fetchall()


def bring_forward(conn: sqlite3.Connection, channel: str, now: float) -> int:
    """Make every waiting delivery of ``channel`` due now; how many were waiting."""
    return conn.execute(
        "UPDATE deliveries SET next_attempt=? WHERE channel=? AND state='pending' "
        "AND next_attempt>?", (now, channel, now),
    ).rowcount


def redrive(conn: sqlite3.Connection, channel: str, now: float, limit: int) -> int:
    """Re-queue up to ``limit`` dead letters that died of the outage (newest first)."""
    if limit <= 0:
        return 0
    return conn.execute(
        "UPDATE deliveries SET state='pending', attempts=0, retry_since=NULL, next_attempt=?, "
        "updated=?, note=? WHERE rowid IN (SELECT rowid FROM deliveries WHERE channel=? AND "
        "state='dead' AND note=? ORDER BY updated DESC LIMIT ?)",
        (now, now, REDRIVEN, channel, GAVE_UP, limit),
    ).rowcount


def has_pending(conn: sqlite3.Connection, channel: str) -> bool:
    return conn.execute("SELECT 1 FROM deliveries WHERE channel=? AND state='pending' LIMIT 1",
                        (channel,)).fetchone() is not None


def probe(conn: sqlite3.Connection, channel: str, now: float) -> str | None:
    """Re-queue the newest dead letter that gave up, as a probe; its alert id (None if none)."""
    row = conn.execute(
        "SELECT alert_id FROM deliveries WHERE channel=? AND state='dead' AND note=? "
        "ORDER BY updated DESC LIMIT 1", (channel, GAVE_UP),
    ).fetchone()
    if row is None:
        return None
    conn.execute(
        "UPDATE deliveries SET state='pending', next_attempt=?, updated=?, note=? "
        "WHERE alert_id=? AND channel=?", (now, now, PROBE, row[0], channel),
    )
    return row[0]
