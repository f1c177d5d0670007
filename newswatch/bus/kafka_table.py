"""A shared table on Kafka: a compacted topic whose partitions one consumer group divides.

Ownership follows the group's assignment (cooperative-sticky: a partition moves only after its
old owner gave it up, and only the partitions that must move do). Loading a partition reads it
from the beginning up to a *sync marker* this member wrote into it after getting it: everything
before the marker, the previous owner's last writes included, has then been read. End offsets
are not used (the Tansu test broker reports wrong ones, and a marker also covers writes still
in flight when the partition was handed over). Markers are tombstones under keys starting with
``@sync:``, so compaction removes them.

The revoke callback runs the listener in a worker thread and awaits it, so the consumer's IO
loop keeps heartbeating while in-flight work finishes (a synchronous listener would block it).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.subscription_state import AsyncConsumerRebalanceListener
from kafka.coordinator.assignors.cooperative_sticky import CooperativeStickyAssignor
from kafka.future import Future
from kafka.partitioner.default import murmur2

from newswatch.bus.base import BusError, SharedTable, TableListener

if TYPE_CHECKING:
    from newswatch.bus.kafka import KafkaBus

log = logging.getLogger("newswatch.bus")
MARKER = "@sync:"
COMPACTED = {"cleanup.policy": "compact", "min.cleanable.dirty.ratio": "0.1",
             "segment.ms": "3600000", "delete.retention.ms": "86400000"}
MARKER_RESEND_SECS = 30.0


def partition_for(key: str, partitions: int) -> int:
    """Kafka's default partitioner (murmur2 of the key bytes), as Java and kafka-python do."""
    return (murmur2(key.encode("utf-8")) & 0x7FFFFFFF) % partitions


def apply(rows: dict[str, bytes], key: str, value: bytes | None) -> None:
    if key.startswith(MARKER):
        return
    if value is None:
        rows.pop(key, None)
    else:
        rows[key] = value


class _Loading:
    def __init__(self) -> None:
        self.rows: dict[str, bytes] = {}
        self.marker = ""
        self.sent_at = 0.0


class _Listener(AsyncConsumerRebalanceListener):
    def __init__(self, table: KafkaSharedTable) -> None:
        self.table = table

    async def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        done: Future = Future()
        parts = {tp.partition for tp in revoked}

        def work() -> None:
            try:
                self.table.give_up(parts)
            finally:
                done.success(None)

        threading.Thread(target=work, name="table-revoke", daemon=True).start()
        await done

    async def on_partitions_lost(self, lost: Iterable[TopicPartition]) -> None:
        await self.on_partitions_revoked(lost)

    async def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        self.table.took({tp.partition for tp in assigned})


class KafkaSharedTable(SharedTable):
    def __init__(self, bus: KafkaBus, topic: str, group: str, listener: TableListener, *,
                 partitions: int) -> None:
        self.bus, self.topic, self.group, self.listener = bus, topic, group, listener
        bus.create_topics([topic], partitions=partitions, configs=COMPACTED)
        self.partitions = bus.partitions_of(topic)
        if self.partitions != partitions:
            log.warning("topic %s has %d partitions, not the configured %d (fixed when it was "
                        "created); using %d", topic, self.partitions, partitions, self.partitions)
        self.member = uuid.uuid4().hex[:12]
        self._lock = threading.Lock()
        self._owned: set[int] = set()
        self._loading: dict[int, _Loading] = {}
        self._joined = False
        self._closed = False
        self._c: KafkaConsumer = bus.connect(
            KafkaConsumer, group_id=group, enable_auto_commit=False,
            auto_offset_reset="earliest", partition_assignment_strategy=[
                CooperativeStickyAssignor], **bus.consumer_options,
        )
        self._c.subscribe([topic], listener=_Listener(self))

    # -- SharedTable --------------------------------------------------------------------------
    def partition_of(self, key: str) -> int:
        return partition_for(key, self.partitions)

    def owned(self) -> frozenset[int]:
        with self._lock:
            return frozenset(self._owned)

    def ready(self) -> bool:
        with self._lock:
            return self._joined and not self._loading

    def put(self, key: str, value: bytes | None) -> None:
        self.bus.send(self.topic, key, value, partition=self.partition_of(key))

    def flush(self, timeout_secs: float = 30.0) -> None:
        self.bus.flush(timeout_secs)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                batches = self._c.poll(timeout_ms=500)
            except Exception as exc:  # a broker outage: keep trying, the group recovers
                log.error("shared table %s: poll failed: %s", self.topic, exc)
                stop.wait(1.0)
                continue
            for tp, messages in batches.items():
                self._apply(tp.partition, messages)
            self._send_markers()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.give_up(set(self.owned()))
        try:
            self._c.close(autocommit=False, timeout_ms=5000)
        except Exception as exc:
            log.warning("shared table %s: leaving the group failed: %s", self.topic, exc)

    # -- membership ---------------------------------------------------------------------------
    def took(self, partitions: set[int]) -> None:
        """From the IO loop: start loading the partitions just assigned (no IO here)."""
        with self._lock:
            self._joined = True
            fresh = partitions - self._owned - set(self._loading)
            for p in fresh:
                self._loading[p] = _Loading()
        if fresh:
            tps = [TopicPartition(self.topic, p) for p in fresh]
            self._c.resume(*tps)
            self._c.seek_to_beginning(*tps)
            log.info("shared table %s: assigned partitions %s; loading", self.topic,
                     sorted(fresh))

    def give_up(self, partitions: set[int]) -> None:
        with self._lock:
            mine = partitions & self._owned
            self._owned -= partitions
            for p in partitions:
                self._loading.pop(p, None)
        if not mine:
            return
        log.info("shared table %s: giving up partitions %s", self.topic, sorted(mine))
        try:
            self.listener.revoked(mine)
        except Exception:
            log.exception("shared table %s: listener failed on revoke", self.topic)
        try:
            self.flush()
        except BusError as exc:
            log.error("shared table %s: last writes before the handover failed: %s",
                      self.topic, exc)

    def _send_markers(self) -> None:
        now = time.monotonic()
        with self._lock:
            due = [(p, ld) for p, ld in self._loading.items()
                   if not ld.marker or now - ld.sent_at > MARKER_RESEND_SECS]
        if not due:
            return
        for p, ld in due:
            if ld.marker:
                log.warning("shared table %s: marker in partition %d not read back after %gs; "
                            "writing another", self.topic, p, MARKER_RESEND_SECS)
            ld.marker, ld.sent_at = f"{MARKER}{self.member}:{uuid.uuid4().hex[:8]}", now
            self.bus.send(self.topic, ld.marker, None, partition=p)
        try:
            self.bus.flush()
        except BusError as exc:
            log.error("shared table %s: cannot write sync markers: %s", self.topic, exc)
            for _, ld in due:
                ld.sent_at = 0.0  # retry at once on the next round

    def _apply(self, partition: int, messages: list[Any]) -> None:
        with self._lock:
            ld = self._loading.get(partition)
        if ld is None:
            return  # an owned partition echoing our own writes, or one given up meanwhile
        for m in messages:
            key = m.key.decode("utf-8") if m.key is not None else ""
            if ld.marker and key == ld.marker:
                self._loaded(partition, ld)
                return
            apply(ld.rows, key, m.value)

    def _loaded(self, partition: int, ld: _Loading) -> None:
        with self._lock:
            if self._loading.get(partition) is not ld:
                return
        self._c.pause(TopicPartition(self.topic, partition))  # our own writes need no reading
        try:
            self.listener.assigned(partition, ld.rows)
        except Exception:
            log.exception("shared table %s: listener failed on partition %d", self.topic,
                          partition)
        with self._lock:
            if self._loading.get(partition) is ld:
                del self._loading[partition]
                self._owned.add(partition)
        log.info("shared table %s: partition %d loaded (%d rows)", self.topic, partition,
                 len(ld.rows))


def read_table(bus: KafkaBus, topic: str, timeout_secs: float = 60.0) -> dict[str, bytes]:
    """Every key's latest value, read (outside any group) up to a marker in each partition."""
    partitions = bus.partitions_of(topic)
    consumer = bus.connect(KafkaConsumer, enable_auto_commit=False)
    try:
        tps = [TopicPartition(topic, p) for p in range(partitions)]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        markers = {p: f"{MARKER}reader-{uuid.uuid4().hex[:12]}" for p in range(partitions)}
        for p, key in markers.items():
            bus.send(topic, key, None, partition=p)
        bus.flush()
        rows: dict[str, bytes] = {}
        pending = set(range(partitions))
        deadline = time.monotonic() + timeout_secs
        while pending:
            if time.monotonic() > deadline:
                raise BusError(f"bus {bus.url}: reading {topic} did not finish within "
                               f"{timeout_secs:g}s (partitions {sorted(pending)} not read)")
            for tp, messages in consumer.poll(timeout_ms=500).items():
                for m in messages:
                    if tp.partition not in pending:
                        break
                    key = m.key.decode("utf-8") if m.key is not None else ""
                    if key == markers[tp.partition]:
                        pending.discard(tp.partition)
                        consumer.pause(tp)
                        break
                    apply(rows, key, m.value)
        return rows
    finally:
        consumer.close(autocommit=False)
