"""Matches -> stories -> route groups -> alerts and their pending deliveries, in the ledger.

Called with an open ledger transaction, so a batch of matches, the stories and groups they join,
and the alerts and deliveries that come due are recorded atomically before the bus commit. A
match already recorded for a route (redelivered after a crash) is skipped: alert ids derive from
the group and its first match, so a replay of the same input gives the same ids.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from alerts.health import health_story
from alerts.router import group_key, quiet_until
from alerts.story import Fingerprint, StoryIndex
from newswatch import serde
from newswatch.config.routing import RouteConfig, severity_rank
from newswatch.models import Alert, Match, stable_id


@dataclass(frozen=True, slots=True)
class ChannelPolicy:
    name: str
    digest: bool = False


def _ts(now: float) -> datetime:
    return datetime.fromtimestamp(now, UTC)


def load_stories(conn: sqlite3.Connection, index: StoryIndex, now: float) -> None:
    rows = conn.execute(
        "SELECT story_id, fingerprint, seen FROM match_story WHERE seen>=? ORDER BY seen",
        (now - index.window_secs,),
    )
    for sid, fp, seen in rows:
        index.add(sid, Fingerprint.decode(fp), seen)


def assign_story(conn: sqlite3.Connection, index: StoryIndex, match: Match, now: float) -> str:
    row = conn.execute(
        "SELECT story_id FROM match_story WHERE match_id=?", (match.id,)
    ).fetchone()
    if row:
        return row[0]
    fixed = health_story(match)  # a feed-health episode never joins a news story
    fp = Fingerprint(frozenset(), frozenset()) if fixed else Fingerprint.of(match.article)
    sid = fixed or index.find(fp, now) or stable_id("story", match.id)
    conn.execute(
        "INSERT INTO match_story(match_id, story_id, fingerprint, seen) VALUES (?, ?, ?, ?)",
        (match.id, sid, fp.encode(), now),
    )
    if not fixed:
        index.add(sid, fp, now)  # the caller rebuilds the index if the transaction fails
    return sid


def ingest(conn: sqlite3.Connection, items: Iterable[tuple[Match, list[RouteConfig]]],
           index: StoryIndex, now: float) -> int:
    """Record matches into their route groups; returns how many (match, route) pairs were new."""
    new = 0
    for match, routes in items:
        if not routes:
            continue
        sid = assign_story(conn, index, match, now)
        for route in routes:
            if conn.execute(
                "SELECT 1 FROM match_routes WHERE match_id=? AND route=?", (match.id, route.name)
            ).fetchone():
                continue
            state, gid = _join_group(conn, route, match, sid, now, index.window_secs)
            conn.execute(
                "INSERT INTO match_routes(match_id, route, story_id, group_id, state, received, "
                "data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (match.id, route.name, sid, gid, state, now, serde.dumps(match)),
            )
            new += 1
    return new


def _join_group(conn: sqlite3.Connection, route: RouteConfig, match: Match, sid: str,
                now: float, window: float) -> tuple[str, str]:
    key = group_key(route, match, sid)
    row = conn.execute(
        "SELECT id, last_sent, flush_at, sources FROM groups WHERE route=? AND gkey=? "
        "AND last_activity>=? ORDER BY created DESC LIMIT 1",
        (route.name, key, now - window),
    ).fetchone()
    if row is None:
        gid = stable_id("group", route.name, key, match.id)
        conn.execute(
            "INSERT INTO groups(id, route, gkey, story_id, created, last_activity, flush_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (gid, route.name, key, sid, now, now, now + route.group_wait_secs),
        )
        return "pending", gid
    gid, last_sent, flush_at, sources = row
    repeat = (
        last_sent is not None
        and match.article.feed_id in json.loads(sources)
        and now - last_sent < route.repeat_interval_secs
    )
    if repeat:
        conn.execute("UPDATE groups SET last_activity=? WHERE id=?", (now, gid))
        return "repeat", gid
    if flush_at is None:
        flush_at = max(now, (last_sent or now) + route.group_interval_secs)
    conn.execute("UPDATE groups SET last_activity=?, flush_at=? WHERE id=?", (now, flush_at, gid))
    return "pending", gid


def flush(conn: sqlite3.Connection, routes: Mapping[str, RouteConfig],
          channels: Mapping[str, ChannelPolicy], now: float, force: bool = False) -> list[Alert]:
    """Turn every group whose wait/interval has passed into an alert with its deliveries."""
    sql = "SELECT id, route, story_id, first_alert_id, sources FROM groups "
    sql += "WHERE flush_at IS NOT NULL"
    rows = conn.execute(sql + ("" if force else " AND flush_at<=?") + " ORDER BY flush_at, id",
                        () if force else (now,)).fetchall()
    created = []
    for gid, route_name, sid, first_alert, sources in rows:
        pend = conn.execute(
            "SELECT match_id, data FROM match_routes WHERE group_id=? AND state='pending' "
            "ORDER BY received, match_id",
            (gid,),
        ).fetchall()
        if not pend:
            conn.execute("UPDATE groups SET flush_at=NULL WHERE id=?", (gid,))
            continue
        matches = tuple(serde.loads(data, Match) for _, data in pend)
        severity = max((m.severity for m in matches), key=severity_rank)
        alert = Alert(
            id=stable_id("alert", gid, pend[0][0]), route=route_name, matches=matches,
            created=_ts(now), story_id=sid, severity=severity, follow_up_of=first_alert,
        )
        route = routes.get(route_name)
        record_alert(conn, alert, route.channels if route else [], channels, now,
                     quiet_until(route.quiet_hours, severity, now) if route else None)
        feeds = sorted(set(json.loads(sources)) | {m.article.feed_id for m in matches})
        conn.execute(
            "UPDATE match_routes SET alert_id=?, state='alerted' WHERE group_id=? "
            "AND state='pending'",
            (alert.id, gid),
        )
        conn.execute(
            "UPDATE groups SET first_alert_id=?, last_sent=?, flush_at=NULL, sources=? WHERE id=?",
            (first_alert or alert.id, now, json.dumps(feeds), gid),
        )
        created.append(alert)
    return created


def record_alert(conn: sqlite3.Connection, alert: Alert, channel_names: Iterable[str],
                 channels: Mapping[str, ChannelPolicy], now: float,
                 hold_until: float | None = None) -> None:
    title = alert.matches[0].article.title if alert.matches else ""
    conn.execute(
        "INSERT OR IGNORE INTO alerts(id, route, story_id, follow_up_of, severity, created, "
        "title, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (alert.id, alert.route, alert.story_id, alert.follow_up_of, alert.severity, now,
         title, serde.dumps(alert)),
    )
    for name in channel_names:
        policy = channels.get(name, ChannelPolicy(name))
        state = "queued" if policy.digest else "pending"
        note = "held: quiet hours" if hold_until and state == "pending" else ""
        when = None if policy.digest else (hold_until or now)
        conn.execute(
            "INSERT OR IGNORE INTO deliveries(alert_id, channel, state, next_attempt, updated, "
            "note) VALUES (?, ?, ?, ?, ?, ?)",
            (alert.id, name, state, when, now, note),
        )


def build_digest(conn: sqlite3.Connection, channel: str, boundary: float,
                 now: float) -> Alert | None:
    """Fold every alert queued for ``channel`` before ``boundary`` into one digest alert."""
    rows = conn.execute(
        "SELECT a.id, a.data FROM deliveries d JOIN alerts a ON a.id=d.alert_id "
        "WHERE d.channel=? AND d.state='queued' AND a.created<? ORDER BY a.created, a.id",
        (channel, boundary),
    ).fetchall()
    if not rows:
        return None
    seen, matches = set(), []
    for _, data in rows:
        for m in serde.loads(data, Alert).matches:
            if m.id not in seen:
                seen.add(m.id)
                matches.append(m)
    severity = max((m.severity for m in matches), key=severity_rank)
    digest = Alert(
        id=stable_id("digest", channel, repr(boundary)), route=f"digest:{channel}",
        matches=tuple(matches), created=_ts(now), severity=severity,
    )
    record_alert(conn, digest, [channel], {}, now)
    conn.executemany(
        "UPDATE deliveries SET state='digested', digest_id=?, updated=? "
        "WHERE alert_id=? AND channel=?",
        [(digest.id, now, aid, channel) for aid, _ in rows],
    )
    return digest
