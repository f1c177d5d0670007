"""Matches -> stories -> route groups -> alerts and their pending deliveries, in the ledger.

Called with an open ledger transaction, so a batch of matches, the stories and groups they join,
and the alerts and deliveries that come due are recorded atomically before the bus commit. A
match already recorded for a route (redelivered after a crash) is skipped: alert ids derive from
the group and its first match, so a replay of the same input gives the same ids. Every match's
disposition is written beside (:mod:`alerts.dispositions`).

A later report of a story already alerted on a route is a threaded follow-up (after
``group_interval_secs``); only a route with ``repeat_interval_secs`` > 0 suppresses an outlet
reporting the same story again within that interval, and says so.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from alerts.deliver import ChannelPolicy, NewAlert, record_alerts
from alerts.dispositions import Notes, record
from alerts.health import health_story
from alerts.router import group_key, quiet_until
from alerts.story import Fingerprint, StoryIndex
from newswatch import serde
from newswatch.config.routing import RouteConfig, severity_rank
from newswatch.models import Alert, Match, stable_id

__all__ = ["ChannelPolicy", "assign_story", "flush", "ingest", "load_stories"]


def _ts(now: float) -> datetime:
    return datetime.fromtimestamp(now, UTC)


def load_stories(conn: sqlite3.Connection, index: StoryIndex, now: float) -> None:
    rows = conn.execute(
        "SELECT story_id, fingerprint, seen FROM match_story WHERE seen>=? ORDER BY seen",
        (now - index.window_secs,),
    )
    for sid, fp, seen in rows:
        if fp.strip("|"):  # feed-health episodes have no fingerprint and stay out of the index
            index.add(sid, Fingerprint.decode(fp), seen)


def assign_story(conn: sqlite3.Connection, index: StoryIndex, match: Match, now: float) -> str:
    row = conn.execute(
        "SELECT story_id FROM match_story WHERE match_id=?", (match.id,)
    ).fetchone()
    if row:
        return row[0]
    fixed = health_story(match)  # a feed-health episode never joins a news story
    fp = Fingerprint(frozenset(), frozenset()) if fixed else Fingerprint.of(match)
    sid = fixed or index.find(fp, now) or stable_id("story", match.id)
    conn.execute(
        "INSERT INTO match_story(match_id, story_id, fingerprint, seen) VALUES (?, ?, ?, ?)",
        (match.id, sid, fp.encode(), now),
    )
    if not fixed:
        index.add(sid, fp, now)  # the caller rebuilds the index if the transaction fails
    return sid


def _mutes(conn: sqlite3.Connection, now: float) -> dict[tuple[str, str], tuple[float, str]]:
    rows = conn.execute("SELECT kind, value, until, reason FROM mutes WHERE until>?", (now,))
    return {(k, v): (until, reason) for k, v, until, reason in rows}


def _muted(mutes: Mapping, match: Match, sid: str, route: str) -> str | None:
    for kind, value in (("story", sid), ("watch", match.watch),
                        ("feed", match.article.feed_id), ("route", route)):
        if (kind, value) in mutes:
            until, reason = mutes[(kind, value)]
            text = f"{kind} {value} muted until {_ts(until):%Y-%m-%d %H:%M UTC}"
            return text + (f" ({reason})" if reason else "")
    return None


def ingest(conn: sqlite3.Connection, items: Iterable[tuple[Match, list[RouteConfig]]],
           index: StoryIndex, now: float, notes: Notes | None = None) -> int:
    """Record matches into their route groups; returns how many (match, route) pairs were new."""
    new = 0
    mutes = _mutes(conn, now)
    for match, routes in items:
        sid = assign_story(conn, index, match, now)
        if not routes:
            if not conn.execute("SELECT 1 FROM dispositions WHERE match_id=? AND route=''",
                                (match.id,)).fetchone():
                record(conn, notes, match, "", sid, "no_route",
                       f"no route and no channels of watch {match.watch} take it", now)
                conn.execute(  # the match itself, so the web inbox shows its evidence too
                    "INSERT OR IGNORE INTO match_routes(match_id, route, story_id, group_id, "
                    "state, received, data) VALUES (?, '', ?, '', 'no_route', ?, ?)",
                    (match.id, sid, now, serde.dumps(match)))
            continue
        for route in routes:
            if conn.execute(
                "SELECT 1 FROM match_routes WHERE match_id=? AND route=?", (match.id, route.name)
            ).fetchone():
                continue
            muted = _muted(mutes, match, sid, route.name)
            if muted:
                state, gid, why, beside = "muted", "", muted, None
            else:
                state, gid, why, beside = _join_group(conn, route, match, sid, now,
                                                      index.window_secs)
            conn.execute(
                "INSERT INTO match_routes(match_id, route, story_id, group_id, state, received, "
                "data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (match.id, route.name, sid, gid, state, now, serde.dumps(match)),
            )
            disposition = {"repeat": "suppressed"}.get(state, state)
            record(conn, notes, match, route.name, sid, disposition, why, now, beside)
            new += 1
    return new


def _join_group(conn: sqlite3.Connection, route: RouteConfig, match: Match, sid: str,
                now: float, window: float) -> tuple[str, str, str, str | None]:
    """(state, group id, reason, alert beside it) of a match joining its route group."""
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
        return "pending", gid, f"new group, waiting {route.group_wait_secs:g} s for more", None
    gid, last_sent, flush_at, sources = row
    if (last_sent is not None and route.repeat_interval_secs > 0
            and match.article.feed_id in json.loads(sources)
            and now - last_sent < route.repeat_interval_secs):
        conn.execute("UPDATE groups SET last_activity=? WHERE id=?", (now, gid))
        (last_alert,) = conn.execute(
            "SELECT alert_id FROM match_routes WHERE group_id=? AND state='alerted' "
            "ORDER BY received DESC LIMIT 1", (gid,)).fetchone() or (None,)
        why = (f"repeat: feed {match.article.feed_id} already reported this story; route "
               f"{route.name} suppresses repeats for {route.repeat_interval_secs:g} s "
               f"(last message {now - last_sent:.0f} s ago)")
        return "repeat", gid, why, last_alert
    if flush_at is None:
        flush_at = max(now, (last_sent or now) + route.group_interval_secs)
    conn.execute("UPDATE groups SET last_activity=?, flush_at=? WHERE id=?", (now, flush_at, gid))
    return "pending", gid, f"joined a waiting group, due in {flush_at - now:.0f} s", None


def flush(conn: sqlite3.Connection, routes: Mapping[str, RouteConfig],
          channels: Mapping[str, ChannelPolicy], now: float, force: bool = False,
          notes: Notes | None = None) -> list[Alert]:
    """Turn every group whose wait/interval has passed into an alert with its deliveries."""
    sql = "SELECT id, route, story_id, first_alert_id, sources FROM groups "
    sql += "WHERE flush_at IS NOT NULL"
    rows = conn.execute(sql + ("" if force else " AND flush_at<=?") + " ORDER BY flush_at, id",
                        () if force else (now,)).fetchall()
    created: list[NewAlert] = []
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
        hold = quiet_until(route.quiet_hours, severity, now) if route else None
        created.append(NewAlert(alert, tuple(route.channels) if route else (), hold))
        _settle(conn, alert, notes, now)
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
    merged = record_alerts(conn, created, channels, now, notes)
    return [n.alert for n in created] + merged


def _settle(conn: sqlite3.Connection, alert: Alert, notes: Notes | None, now: float) -> None:
    lead, *rest = alert.matches
    if alert.follow_up_of:
        record(conn, notes, lead, alert.route, alert.story_id, "follow_up",
               f"a new report of a story already alerted: threaded under alert "
               f"{alert.follow_up_of}", now, alert.id)
    else:
        record(conn, notes, lead, alert.route, alert.story_id, "alerted",
               "first report of a story on this route", now, alert.id)
    for m in rest:
        record(conn, notes, m, alert.route, alert.story_id, "grouped",
               f"same story as {lead.article.title[:60]!r}: one message with "
               f"{len(alert.matches)} reports (alert {alert.id})", now, alert.id)
