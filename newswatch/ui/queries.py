"""Everything the web UI reads from (or asks of) the alert ledger, in one place.

Built on the ledger's tables (``alerts/ledger.py``): ``match_routes`` (every routed match with
its route state, story, alert and the serialised match), ``alerts``, ``deliveries`` and
``muted_stories``. The UI's own side index (``index.py``) copies the static facts of each match
from here; the live facts (what happened to a match on each route and channel) are read here
per page, for the rows shown only.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from alerts.ledger import DeliveryRow, Ledger

# What a route state means to a reader.
ROUTE_STATES = {
    "pending": "waiting to be grouped into an alert",
    "alerted": "alerted",
    "repeat": "suppressed: same story and outlet already alerted within the repeat interval",
    "muted": "muted: the story is muted",
    "unrouted": "not sent: no route or channel takes this watch (inbox only)",
}


@dataclass
class RouteFate:
    """What became of one match on one route."""

    route: str
    state: str
    alert_id: str = ""
    follow_up_of: str = ""
    deliveries: list[DeliveryRow] = field(default_factory=list)

    @property
    def words(self) -> str:
        if self.state == "alerted" and self.follow_up_of:
            return f"follow-up of alert {self.follow_up_of}"
        return ROUTE_STATES.get(self.state, self.state)


@dataclass(frozen=True)
class AlertRow:
    id: str
    created: float
    route: str
    severity: str
    title: str
    follow_up_of: str
    story_id: str


def _marks(items: Sequence[object]) -> str:
    return ",".join("?" * len(items))


class LedgerView:
    """Read (and the few writes the UI makes: mute, dead-letter retry) on the ledger file."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.ledger = Ledger(self.path)

    @property
    def conn(self):  # noqa: ANN201 - sqlite3.Connection, one per thread
        return self.ledger.conn

    # -- feeding the side index ---------------------------------------------------------------
    def routed_after(self, rowid: int, limit: int) -> list[tuple[int, str, str, float, bytes]]:
        """(rowid, match_id, story_id, received, serialised match) in ledger order."""
        return self.conn.execute(
            "SELECT rowid, match_id, story_id, received, data FROM match_routes WHERE rowid>? "
            "ORDER BY rowid LIMIT ?", (rowid, limit),
        ).fetchall()

    def last_rowid(self) -> int:
        return self.conn.execute("SELECT COALESCE(MAX(rowid), 0) FROM match_routes").fetchone()[0]

    # -- what happened to matches --------------------------------------------------------------
    def fates(self, match_ids: Sequence[str]) -> dict[str, list[RouteFate]]:
        out: dict[str, list[RouteFate]] = defaultdict(list)
        if not match_ids:
            return out
        rows = self.conn.execute(
            "SELECT r.match_id, r.route, r.state, COALESCE(r.alert_id, ''), "
            "COALESCE(a.follow_up_of, '') FROM match_routes r LEFT JOIN alerts a "
            f"ON a.id = r.alert_id WHERE r.match_id IN ({_marks(match_ids)}) ORDER BY r.route",
            list(match_ids),
        ).fetchall()
        fates = [RouteFate(route, state, alert, follow) for _, route, state, alert, follow in rows]
        alert_ids = sorted({f.alert_id for f in fates if f.alert_id})
        deliveries = self.ledger.deliveries(alert_ids) if alert_ids else {}
        for (match_id, *_), fate in zip(rows, fates, strict=True):
            fate.deliveries = deliveries.get(fate.alert_id, [])
            out[match_id].append(fate)
        return out

    def story_of(self, match_id: str) -> str:
        row = self.conn.execute(
            "SELECT story_id FROM match_routes WHERE match_id=? LIMIT 1", (match_id,)
        ).fetchone()
        return row[0] if row else ""

    def story_matches(self, story_id: str) -> list[str]:
        """Every match id of a story (alerted, grouped, suppressed or muted), oldest first."""
        rows = self.conn.execute(
            "SELECT match_id, MIN(received) FROM match_routes WHERE story_id=? "
            "GROUP BY match_id ORDER BY MIN(received), match_id", (story_id,),
        ).fetchall()
        return [r[0] for r in rows]

    def story_alerts(self, story_id: str) -> list[AlertRow]:
        return [AlertRow(*r) for r in self.conn.execute(
            "SELECT id, created, route, severity, title, follow_up_of, story_id FROM alerts "
            "WHERE story_id=? ORDER BY created, id", (story_id,),
        )]

    def muted(self, story_ids: Sequence[str]) -> dict[str, tuple[float, str]]:
        if not story_ids:
            return {}
        rows = self.conn.execute(
            "SELECT story_id, muted_at, note FROM muted_stories "
            f"WHERE story_id IN ({_marks(story_ids)})", list(story_ids),
        )
        return {sid: (at, note) for sid, at, note in rows}

    def mute(self, story_id: str, note: str) -> int:
        return self.ledger.mute_story(story_id, time.time(), note)

    def unmute(self, story_id: str) -> bool:
        return self.ledger.unmute_story(story_id)

    # -- deliveries ----------------------------------------------------------------------------
    def channel_states(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = defaultdict(dict)
        for channel, state, n in self.conn.execute(
            "SELECT channel, state, COUNT(*) FROM deliveries GROUP BY channel, state"
        ):
            out[channel][state] = n
        return out

    def last_errors(self) -> dict[str, tuple[str, float]]:
        rows = self.conn.execute(
            "SELECT channel, last_error, MAX(updated) FROM deliveries WHERE last_error != '' "
            "GROUP BY channel"
        )
        return {ch: (err, at) for ch, err, at in rows}

    def recent_alerts(self, limit: int = 50) -> list[AlertRow]:
        return [AlertRow(*r) for r in self.conn.execute(
            "SELECT id, created, route, severity, title, follow_up_of, story_id FROM alerts "
            "ORDER BY created DESC, id LIMIT ?", (limit,),
        )]

    def deliveries(self, alert_ids: list[str]) -> dict[str, list[DeliveryRow]]:
        return self.ledger.deliveries(alert_ids)

    def dead_letters(self, channel: str | None = None) -> list[DeliveryRow]:
        return self.ledger.dead_letters(channel)

    def retry(self, alert_ids: list[str] | None, channel: str | None) -> int:
        return self.ledger.retry_dead(time.time(), alert_ids, channel)

    def close(self) -> None:
        self.ledger.close()
