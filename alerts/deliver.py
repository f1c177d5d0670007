"""New alerts -> deliveries per channel: one message per article per channel, digests, holds.

Alerts created together (one flush) that share an article and a channel become one *merged*
message on that channel: every watch that matched, at the highest severity; each constituent's
delivery there is ``merged`` into it. An alert whose every article already went (or is going)
out on a channel in an earlier message is ``merged`` into that message too. A follow-up whose
first alert went out merged threads under the merged message (:meth:`Ledger.due`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from alerts.dispositions import Notes
from newswatch import serde
from newswatch.config.routing import severity_rank
from newswatch.models import Alert, stable_id

LIVE = ("pending", "sent", "queued", "digested")  # states of a delivery that reached or will


@dataclass(frozen=True, slots=True)
class ChannelPolicy:
    name: str
    digest: bool = False


@dataclass(frozen=True, slots=True)
class NewAlert:
    alert: Alert
    channels: tuple[str, ...]
    hold_until: float | None = None  # quiet hours of its route


def _ts(now: float) -> datetime:
    return datetime.fromtimestamp(now, UTC)


def _when(ts: float) -> str:
    return _ts(ts).strftime("%Y-%m-%d %H:%M UTC")


def insert_alert(conn: sqlite3.Connection, alert: Alert, now: float) -> None:
    title = alert.matches[0].article.title if alert.matches else ""
    conn.execute(
        "INSERT OR IGNORE INTO alerts(id, route, story_id, follow_up_of, severity, created, "
        "title, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (alert.id, alert.route, alert.story_id, alert.follow_up_of, alert.severity, now,
         title, serde.dumps(alert)),
    )


def _delivery(conn: sqlite3.Connection, alert_id: str, channel: str, state: str,
              when: float | None, now: float, note: str = "", carrier: str | None = None) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO deliveries(alert_id, channel, state, next_attempt, updated, note, "
        "digest_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (alert_id, channel, state, when, now, note, carrier),
    )


def _queue(conn: sqlite3.Connection, alert: Alert, channel: str, policy: ChannelPolicy,
           hold: float | None, now: float, notes: Notes | None) -> None:
    if policy.digest:
        _delivery(conn, alert.id, channel, "queued", None, now, "waiting for the digest")
        if notes is not None:
            notes.delivery("digested", channel, alert.id,
                           f"alert {alert.id} queued for the digest on {channel}")
        return
    note = f"held: quiet hours until {_when(hold)}" if hold else ""
    _delivery(conn, alert.id, channel, "pending", hold or now, now, note)
    if hold and notes is not None:
        notes.delivery("quiet_hours", channel, alert.id,
                       f"alert {alert.id} held on {channel} by quiet hours until {_when(hold)}")


def _carrier(conn: sqlite3.Connection, alert: Alert, channel: str) -> str | None:
    """The earlier message on ``channel`` that carried every article of ``alert``, if any."""
    carriers = []
    for article_id in {m.article.id for m in alert.matches}:
        row = conn.execute(
            "SELECT COALESCE(d.digest_id, d.alert_id) FROM dispositions p "
            "JOIN deliveries d ON d.alert_id = p.alert_id AND d.channel = ? "
            "WHERE p.article_id = ? AND p.alert_id != ? "
            "AND (d.state IN ('pending', 'sent', 'queued', 'digested') OR "
            "(d.state = 'merged' AND d.digest_id IS NOT NULL)) "
            "ORDER BY p.received LIMIT 1",
            (channel, article_id, alert.id),
        ).fetchone()
        if row is None:
            return None
        carriers.append(row[0])
    return min(carriers) if carriers else None


def _components(alerts: Sequence[NewAlert], channel: str) -> list[list[NewAlert]]:
    """Alerts going to ``channel``, joined when they share an article (union-find)."""
    on = [a for a in alerts if channel in a.channels]
    parent = list(range(len(on)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, new in enumerate(on):
        for m in new.alert.matches:
            j = owner.setdefault(m.article.id, i)
            parent[root(i)] = root(j)
    groups: dict[int, list[NewAlert]] = {}
    for i, new in enumerate(on):
        groups.setdefault(root(i), []).append(new)
    return list(groups.values())


def merged_alert(parts: Sequence[Alert], channel: str, now: float) -> Alert:
    seen, matches = set(), []
    for part in parts:
        for m in part.matches:
            if m.id not in seen:
                seen.add(m.id)
                matches.append(m)
    routes = sorted({p.route for p in parts})
    return Alert(
        id=stable_id("merged", channel, *sorted(p.id for p in parts)),
        route="merged:" + "+".join(routes), matches=tuple(matches), created=_ts(now),
        story_id=parts[0].story_id, severity=max((p.severity for p in parts), key=severity_rank),
        follow_up_of=next((p.follow_up_of for p in parts if p.follow_up_of), ""),
    )


def record_alerts(conn: sqlite3.Connection, alerts: Sequence[NewAlert],
                  channels: Mapping[str, ChannelPolicy], now: float,
                  notes: Notes | None = None) -> list[Alert]:
    """Insert the alerts and their deliveries; returns the merged alerts made on the way."""
    for new in alerts:
        insert_alert(conn, new.alert, now)
    made = []
    for channel in sorted({c for new in alerts for c in new.channels}):
        policy = channels.get(channel, ChannelPolicy(channel))
        for part in _components(alerts, channel):
            if len(part) == 1 or policy.digest:  # a digest folds everything anyway
                for new in part:
                    _single(conn, new, channel, policy, now, notes)
                continue
            merged = merged_alert([p.alert for p in part], channel, now)
            insert_alert(conn, merged, now)
            holds = [p.hold_until for p in part]
            hold = None if None in holds else min(h for h in holds if h is not None)
            _queue(conn, merged, channel, policy, hold, now, notes)
            made.append(merged)
            for new in part:
                _merge_into(conn, new.alert.id, channel, merged.id, now, notes,
                            "one message per article: merged with the other watches' alerts")
    return made


def _single(conn: sqlite3.Connection, new: NewAlert, channel: str, policy: ChannelPolicy,
            now: float, notes: Notes | None) -> None:
    carrier = None if policy.digest else _carrier(conn, new.alert, channel)
    if carrier is not None:
        _merge_into(conn, new.alert.id, channel, carrier, now, notes,
                    f"every article already went out on this channel in alert {carrier}")
    else:
        _queue(conn, new.alert, channel, policy, new.hold_until, now, notes)


def _merge_into(conn: sqlite3.Connection, alert_id: str, channel: str, carrier: str,
                now: float, notes: Notes | None, why: str) -> None:
    _delivery(conn, alert_id, channel, "merged", None, now, why, carrier)
    if notes is not None:
        notes.delivery("merged", channel, alert_id,
                       f"alert {alert_id} sent on {channel} within alert {carrier}: {why}")


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
    insert_alert(conn, digest, now)
    _delivery(conn, digest.id, channel, "pending", now, now)
    conn.executemany(
        "UPDATE deliveries SET state='digested', digest_id=?, updated=?, note='' "
        "WHERE alert_id=? AND channel=?",
        [(digest.id, now, aid, channel) for aid, _ in rows],
    )
    return digest
