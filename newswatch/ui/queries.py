"""Everything the web UI reads from (or asks of) the alert ledger, in one place.

Built on the ledger's tables (``alerts/ledger.py``): ``match_routes`` (every match with the
serialised match, the side index's source), ``dispositions`` (what became of each match on each
route, with the reason: alerted, follow-up, grouped, suppressed, muted, no route, pending),
``alerts``, ``deliveries`` (per channel) and ``mutes``. The side index (``index.py``, filled by
``fill.py``) copies the static facts of each match; the live ones are read here per page, for
the rows shown only.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from alerts.ledger import DeliveryRow, Ledger

# What a disposition means to a reader (the ledger's reason says why).
DISPOSITIONS = {
    "pending": "waiting to be grouped into an alert",
    "alerted": "alerted",
    "follow_up": "sent as a follow-up",
    "grouped": "grouped into another report's alert",
    "suppressed": "suppressed",
    "muted": "muted",
    "no_route": "not sent",
}
MUTE_SECS = 365 * 86400  # "mute this story" from the UI: until unmuted, in practice


@dataclass
class RouteFate:
    """What became of one match on one route (route "" when none took it)."""

    route: str
    disposition: str
    reason: str = ""
    alert_id: str = ""
    deliveries: list[DeliveryRow] = field(default_factory=list)

    @property
    def words(self) -> str:
        return DISPOSITIONS.get(self.disposition, self.disposition)


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
            "SELECT match_id, route, disposition, reason, COALESCE(alert_id, '') "
            f"FROM dispositions WHERE match_id IN ({_marks(match_ids)}) ORDER BY route",
            list(match_ids),
        ).fetchall()
        fates = [RouteFate(route, disp, reason, alert) for _, route, disp, reason, alert in rows]
        alert_ids = sorted({f.alert_id for f in fates if f.alert_id})
        deliveries = self.deliveries(alert_ids) if alert_ids else {}
        for (match_id, *_), fate in zip(rows, fates, strict=True):
            fate.deliveries = deliveries.get(fate.alert_id, [])
            out[match_id].append(fate)
        return out

    def story_of(self, match_id: str) -> str:
        row = self.conn.execute(
            "SELECT story_id FROM dispositions WHERE match_id=? LIMIT 1", (match_id,)
        ).fetchone()
        return row[0] if row else ""

    def story_matches(self, story_id: str) -> list[str]:
        """Every match id of a story (alerted, grouped, suppressed, muted...), oldest first."""
        rows = self.conn.execute(
            "SELECT match_id, MIN(received) FROM dispositions WHERE story_id=? "
            "GROUP BY match_id ORDER BY MIN(received), match_id", (story_id,),
        ).fetchall()
        return [r[0] for r in rows]

    def story_alerts(self, story_id: str) -> list[AlertRow]:
        ids = [r[0] for r in self.conn.execute(
            "SELECT DISTINCT alert_id FROM dispositions WHERE story_id=? AND alert_id IS NOT NULL",
            (story_id,))]
        if not ids:
            return []
        return [AlertRow(*r) for r in self.conn.execute(
            "SELECT id, created, route, severity, title, follow_up_of, story_id FROM alerts "
            f"WHERE id IN ({_marks(ids)}) ORDER BY created, id", ids,
        )]

    def muted(self, story_ids: Sequence[str]) -> dict[str, tuple[float, str]]:
        """Muted stories among ``story_ids``: story -> (until, reason)."""
        wanted = set(story_ids)
        return {value: (until, reason) for _, kind, value, until, reason
                in self.ledger.mutes(time.time()) if kind == "story" and value in wanted}

    def mute(self, story_id: str, note: str) -> None:
        """Mute a story the way ``newswatch alerts mute`` does: the alert stage records its
        later matches as muted, with the reason, and sends none of them."""
        now = time.time()
        self.ledger.mute("story", story_id, now + MUTE_SECS, now, note)

    def unmute(self, story_id: str) -> bool:
        ids = [mid for mid, kind, value, _, _ in self.ledger.mutes(time.time())
               if kind == "story" and value == story_id]
        return sum(self.ledger.unmute(mid) for mid in ids) > 0

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
        """Per alert, its deliveries; one merged into another message (per-channel merge, a
        digest) shows the state of the message that carried it, and says so."""
        out = self.ledger.deliveries(alert_ids)
        for rows in out.values():
            for i, d in enumerate(rows):
                if d.state in ("merged", "digested"):
                    rows[i] = self._carried(d)
        return out

    def _carried(self, d: DeliveryRow) -> DeliveryRow:
        alert_id, state, error, note = d.alert_id, d.state, d.last_error, d.note
        for _ in range(3):  # merged into a digest, say: follow the carriers
            row = self.conn.execute(
                "SELECT digest_id FROM deliveries WHERE alert_id=? AND channel=?",
                (alert_id, d.channel)).fetchone()
            carrier = row[0] if row else None
            if not carrier:
                break
            found = self.conn.execute(
                "SELECT state, last_error FROM deliveries WHERE alert_id=? AND channel=?",
                (carrier, d.channel)).fetchone()
            if found is None:
                break
            alert_id, (state, error) = carrier, found
            if state not in ("merged", "digested"):
                break
        if alert_id == d.alert_id:
            return d
        words = f"{d.state} into alert {alert_id}" + (f": {note}" if note else "")
        return replace(d, state=state, last_error=error, note=words)

    def dead_letters(self, channel: str | None = None) -> list[DeliveryRow]:
        return self.ledger.dead_letters(channel)

    def retry(self, alert_ids: list[str] | None, channel: str | None) -> int:
        return self.ledger.retry_dead(time.time(), alert_ids, channel)

    def close(self) -> None:
        self.ledger.close()
