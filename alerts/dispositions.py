"""What became of every match, per route, and of every alert, per channel: nothing is silent.

The ``dispositions`` table (one row per (match, route), route '' when none took the match):

- ``pending``: waiting in its group (``group_wait_secs`` / ``group_interval_secs``);
- ``alerted``: the first report of a new alert (its own message), ``alert_id``;
- ``follow_up``: the first report of a threaded follow-up alert (its own message), ``alert_id``;
- ``grouped``: carried by alert ``alert_id`` led by another report of the story;
- ``suppressed``: a repeat the route asked to suppress (``repeat_interval_secs``), beside the
  group's last alert ``alert_id``;
- ``muted``: a mute covered its story, watch, feed or route (``alerts mute``);
- ``no_route``: no route and no watch ``channels`` take it.

Channel-level outcomes live in ``deliveries`` (state and note): held by quiet hours, delayed by a
rate limit, queued for a digest, merged into another alert's message on that channel.
Every outcome other than an alert of its own is logged at INFO with its reason and counted in
``newswatch_alert_matches_total{disposition}`` / ``newswatch_alert_deliveries_deferred_total
{reason}``; the notes are collected during the ledger transaction and emitted after it commits.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field

from newswatch import metrics
from newswatch.models import Match

log = logging.getLogger("newswatch.alert")
OWN_MESSAGE = ("alerted", "follow_up")


@dataclass
class Notes:
    """Log lines and metric increments of one transaction, emitted once it committed."""

    matches: list[tuple[str, str, dict]] = field(default_factory=list)
    deliveries: list[tuple[str, str, str, dict]] = field(default_factory=list)

    def emit(self) -> None:
        for disposition, text, extra in self.matches:
            metrics.ALERT_MATCHES.labels(disposition).inc()
            if disposition not in OWN_MESSAGE:
                log.info("%s", text, extra=extra)
        for reason, channel, text, extra in self.deliveries:
            metrics.ALERT_DEFERRED.labels(reason, channel).inc()
            log.info("%s", text, extra=extra)
        self.matches.clear()
        self.deliveries.clear()

    def delivery(self, reason: str, channel: str, alert_id: str, text: str) -> None:
        self.deliveries.append((reason, channel, text, {"alert_id": alert_id,
                                                        "channel": channel}))


def _describe(match: Match) -> str:
    title = " ".join(match.article.title.split())
    return f"match {match.id} of watch {match.watch} ({title[:80]!r})"


def record(conn: sqlite3.Connection, notes: Notes | None, match: Match, route: str,
           story_id: str, disposition: str, reason: str, now: float,
           alert_id: str | None = None) -> None:
    """Insert or update the disposition of (match, route); note it unless still pending."""
    a = match.article
    conn.execute(
        "INSERT INTO dispositions(match_id, route, watch, article_id, feed_id, title, url, "
        "story_id, alert_id, disposition, reason, received, updated) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(match_id, route) DO UPDATE "
        "SET alert_id=excluded.alert_id, disposition=excluded.disposition, "
        "reason=excluded.reason, updated=excluded.updated",
        (match.id, route, match.watch, a.id, a.feed_id, a.title, a.url, story_id, alert_id,
         disposition, reason, now, now),
    )
    if notes is not None and disposition != "pending":
        where = f" on route {route}" if route else ""
        notes.matches.append((disposition, f"{_describe(match)}{where}: {disposition}: {reason}",
                              {"article_id": a.id, "alert_id": alert_id or ""}))
