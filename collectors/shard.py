"""Sharded collect: several ``newswatch run --stage collect`` processes share one feed list.

Every process reads the same config (the feed list). The Kafka consumer group
``<prefix>-collect`` divides the partitions of the compacted ``<prefix>feeds`` topic among them;
a feed belongs to partition ``murmur2(feed id) % partitions`` and is polled only by the process
owning that partition. The topic holds one row per feed, keyed by feed id: its
:class:`~collectors.state.FeedState` (validators, body hash, backoff, next poll, the ids of the
last body's entries), written by the owner after each poll that changed it. When a partition
moves (a process joins, leaves or dies), the old owner stops its feeds and writes their last
state before letting go; the new owner reads the partition to the end, adopts the states (so
its first request is conditional and a backoff continues), marks the last bodies' entries as
seen, and schedules the feeds.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from collectors.base import SeenStore
from collectors.state import FeedState, FeedStateStore
from newswatch import metrics
from newswatch.bus import Bus
from newswatch.bus.base import SharedTable
from newswatch.config.feeds import FeedConfig
from newswatch.models import utcnow

log = logging.getLogger("newswatch.collect")
FORMAT = 1
REFRESH_SECS = 3600  # rewrite an unchanged row this often (fresh health in `newswatch feeds`)
REVOKE_WAIT_SECS = 60.0  # for a poll in flight when its partition moves
# Fields that change on every poll: a change in these alone does not rewrite the row.
_VOLATILE = frozenset({"last_poll", "next_poll", "last_success", "last_status"})


def encode_state(state: FeedState) -> bytes:
    out: dict[str, Any] = {"format": FORMAT}
    for f in dataclasses.fields(FeedState):
        value = getattr(state, f.name)
        out[f.name] = value.isoformat() if isinstance(value, datetime) else value
    return json.dumps(out, separators=(",", ":")).encode()


def decode_state(raw: bytes) -> FeedState:
    data = json.loads(raw)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(FeedState):
        if f.name not in data:
            continue
        value = data[f.name]
        if f.name in ("last_poll", "last_success", "failing_since", "next_poll") and value:
            value = datetime.fromisoformat(value).astimezone(UTC)
        elif f.name == "entry_ids":
            value = tuple(value or ())
        values[f.name] = value
    return FeedState(**values)


class SharedStateStore:
    """The FeedStateStore of a sharded process: this host's SQLite copy (what ``newswatch
    feeds`` reads offline) plus the row on the shared table that moves with the feed."""

    def __init__(self, local: FeedStateStore, refresh_secs: float = REFRESH_SECS):
        self.local, self.refresh_secs = local, refresh_secs
        self.path = local.path
        self.table: SharedTable | None = None
        self._written: dict[str, tuple[FeedState, float]] = {}
        self._lock = threading.Lock()

    def get(self, feed_id: str) -> FeedState:
        return self.local.get(feed_id)

    def put(self, state: FeedState) -> None:
        self.local.put(state)
        if self.table is None:
            return
        now = time.monotonic()
        with self._lock:
            last = self._written.get(state.feed_id)
            if last is not None and now - last[1] < self.refresh_secs and not _material(
                    last[0], state):
                return
            self._written[state.feed_id] = (state, now)
        self.table.put(state.feed_id, encode_state(state))

    def adopt(self, shared: dict[str, FeedState | None]) -> dict[str, FeedState]:
        """Take feeds over: for each, the newer of the shared row and this host's copy wins."""
        out, newer = {}, []
        for feed_id, row in shared.items():
            local = self.local.get(feed_id)
            best = local
            if row is not None and _when(row) >= _when(local):
                best = row
                newer.append(row)
            out[feed_id] = best
        if newer:
            self.local.put_many(newer)
        now = time.monotonic()
        with self._lock:
            for feed_id, best in out.items():
                self._written[feed_id] = (best, now)
        return out

    def release(self, feed_id: str) -> None:
        with self._lock:
            self._written.pop(feed_id, None)

    def delete(self, feed_id: str) -> None:
        """The feed left the config: tombstone its shared row."""
        self.release(feed_id)
        if self.table is not None:
            self.table.put(feed_id, None)

    def all(self) -> dict[str, FeedState]:
        return self.local.all()

    def close(self) -> None:
        self.local.close()


def read_states(bus: Bus, topic: str) -> dict[str, FeedState]:
    """Every feed's row on the shared table (what ``newswatch feeds`` shows when sharded)."""
    out = {}
    for feed_id, raw in bus.read_table(topic).items():
        try:
            out[feed_id] = decode_state(raw)
        except (ValueError, TypeError) as exc:
            log.warning("feed %r: unreadable row on %s: %s", feed_id, topic, exc)
    return out


def _when(state: FeedState) -> float:
    return state.last_poll.timestamp() if state.last_poll else 0.0


def _material(a: FeedState, b: FeedState) -> bool:
    return any(getattr(a, f.name) != getattr(b, f.name) for f in dataclasses.fields(FeedState)
               if f.name not in _VOLATILE)


class Schedules(Protocol):
    def add_feeds(self, feeds: list[tuple[FeedConfig, FeedState]]) -> None: ...
    def remove_feed(self, feed_id: str) -> None: ...


class FeedShard:
    """This process's part of the feed list, kept in step with the group's assignment."""

    def __init__(self, bus: Bus, topic: str, group: str, partitions: int,
                 state: SharedStateStore, seen: SeenStore):
        self.state, self.seen = state, seen
        self.table = bus.shared_table(topic, group, self, partitions=partitions)
        state.table = self.table
        self.feeds: dict[str, FeedConfig] = {}  # enabled feeds of the config
        self._parts: set[int] = set()  # partitions handed over to this process
        self._owned: set[str] = set()  # feed ids this process may poll now
        self._busy: set[str] = set()  # feed ids being polled now
        self._cond = threading.Condition()
        # One membership change at a time: the table's thread (assigned, revoked) and a reload
        # (reconfigure) would otherwise each see the other half done (a feed added by the
        # reload in a partition being taken over never scheduled, or a removed one scheduled).
        self._change = threading.RLock()
        self._parts_of: dict[str, int] = {}  # feed id -> partition (murmur2: 5 us a feed)
        self._jobs: Schedules | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _partition(self, feed_id: str) -> int:
        part = self._parts_of.get(feed_id)
        if part is None:
            part = self._parts_of[feed_id] = self.table.partition_of(feed_id)
        return part

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self, jobs: Schedules, feeds: Sequence[FeedConfig]) -> None:
        self._jobs = jobs
        self.feeds = {f.id: f for f in feeds if f.enabled}
        self._thread = threading.Thread(target=self.table.run, args=(self._stop,),
                                        name="collect-shard", daemon=True)
        self._thread.start()

    def ready(self) -> tuple[bool, str]:
        if self.table.ready():
            return True, f"{len(self._owned)} feeds in partitions {sorted(self._parts)}"
        return False, "joining the collect group / loading feed state"

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.table.close()  # gives every partition up (revoked) and leaves the group

    # -- polling gate -------------------------------------------------------------------------
    @contextlib.contextmanager
    def polling(self, feed_id: str) -> Iterator[bool]:
        """True while this process owns the feed; a revoke waits for the poll to end."""
        with self._cond:
            mine = feed_id in self._owned and feed_id not in self._busy
            if mine:
                self._busy.add(feed_id)
        try:
            yield mine
        finally:
            if mine:
                with self._cond:
                    self._busy.discard(feed_id)
                    self._cond.notify_all()

    # -- TableListener --------------------------------------------------------------------------
    def assigned(self, partition: int, rows: dict[str, bytes]) -> None:
        with self._change:
            self._assigned(partition, rows)

    def _assigned(self, partition: int, rows: dict[str, bytes]) -> None:
        started = time.monotonic()
        feeds = [f for f in self.feeds.values() if self._partition(f.id) == partition]
        seeded = self._adopt(feeds, rows)
        with self._cond:
            self._parts.add(partition)
            metrics.COLLECT_PARTITIONS.set(len(self._parts))
        log.info("collect: took partition %d: %d feeds (%d with state from the previous owner, "
                 "%d entry ids marked seen) in %.2f s", partition, len(feeds),
                 sum(1 for f in feeds if f.id in rows), seeded, time.monotonic() - started)

    def _adopt(self, feeds: list[FeedConfig], rows: dict[str, bytes]) -> int:
        """Start polling ``feeds`` with the state they bring (one transaction per store)."""
        shared: dict[str, FeedState | None] = {}
        for feed in feeds:
            shared[feed.id] = None
            if feed.id in rows:
                try:
                    shared[feed.id] = decode_state(rows[feed.id])
                except (ValueError, TypeError) as exc:
                    log.warning("feed %r: unreadable shared state, starting afresh: %s",
                                feed.id, exc, extra={"feed_id": feed.id})
        states = self.state.adopt(shared)
        ids = [i for st in states.values() for i in st.entry_ids]
        seeded = self.seen.remember(ids, utcnow()) if ids else 0
        with self._cond:
            self._owned.update(shared)
            metrics.COLLECT_FEEDS.set(len(self._owned))
        if self._jobs is not None:
            self._jobs.add_feeds([(f, states[f.id]) for f in feeds])
        return seeded

    def revoked(self, partitions: set[int]) -> None:
        with self._change:
            self._revoked(partitions)

    def _revoked(self, partitions: set[int]) -> None:
        with self._cond:
            self._parts -= partitions
            metrics.COLLECT_PARTITIONS.set(len(self._parts))
        ids = {i for i in self._owned_copy() if self._partition(i) in partitions}
        self._let_go(ids)
        log.info("collect: gave up partitions %s (%d feeds)", sorted(partitions), len(ids))

    def _owned_copy(self) -> set[str]:
        with self._cond:
            return set(self._owned)

    def _let_go(self, ids: set[str], then: Callable[[str], None] | None = None) -> None:
        with self._cond:
            self._owned -= ids
            metrics.COLLECT_FEEDS.set(len(self._owned))
        if self._jobs is not None:
            for feed_id in ids:
                self._jobs.remove_feed(feed_id)
        deadline = time.monotonic() + REVOKE_WAIT_SECS
        with self._cond:
            while self._busy & ids:
                left = deadline - time.monotonic()
                if left <= 0:
                    log.error("collect: polls of %s still running after %gs; handing over "
                              "anyway", sorted(self._busy & ids), REVOKE_WAIT_SECS)
                    break
                self._cond.wait(min(left, 1.0))
        for feed_id in ids:
            (then or self.state.release)(feed_id)

    # -- reload -------------------------------------------------------------------------------
    def reconfigure(self, feeds: Sequence[FeedConfig]) -> None:
        """A new config: start new feeds of owned partitions, restart changed ones, stop
        disabled ones, and stop removed ones and tombstone their rows (a feed added again
        later starts from the state this host kept for it, if any, else afresh)."""
        with self._change:
            self._reconfigure(feeds)

    def _reconfigure(self, feeds: Sequence[FeedConfig]) -> None:
        old = self.feeds
        self.feeds = {f.id: f for f in feeds if f.enabled}
        in_config = {f.id for f in feeds}
        with self._cond:
            parts = set(self._parts)
        mine = {i for i in old if self._partition(i) in parts}
        self._let_go({i for i in mine if i not in in_config}, then=self.state.delete)
        self._let_go({i for i in mine if i in in_config and i not in self.feeds})
        mine_now = [f for f in self.feeds.values() if self._partition(f.id) in parts]
        self._adopt([f for f in mine_now if f.id not in old], {})
        changed = [f for f in mine_now if f.id in old and old[f.id] != f]
        if changed and self._jobs is not None:  # replaces their jobs with the new settings
            self._jobs.add_feeds([(f, self.state.get(f.id)) for f in changed])
