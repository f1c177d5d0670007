"""Kafka bus over kafka-python 3: ``kafka://host:port[,host:port]``.

Topics are created with ``partitions`` (default 3) and ``replication_factor`` (default 1); records
are keyed by article id, so one key always lands in one partition and keeps its order. The
producer waits for all in-sync replicas (``acks="all"``, idempotent). Consumers never auto-commit:
``commit`` stores the offset after the records actually handed to the caller, so a consumer that
dies before committing gets the same records again. ``consumer()`` returns once the group is
joined and partitions are assigned (records fetched while joining are kept for the first polls).

Every connection retries with backoff for ``connect_timeout_secs`` (default 30), then raises
:class:`BusError` naming the URL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from newswatch.bus.base import (
    Bus,
    BusError,
    Consumer,
    Record,
    SharedTable,
    TableListener,
    missing_codec,
)

T = TypeVar("T")
_TOPIC_ALREADY_EXISTS = 36


def parse_kafka_url(url: str) -> list[str]:
    """``kafka://h1:p1,h2:p2`` -> ``["h1:p1", "h2:p2"]``; BusError naming the URL if malformed."""
    if not isinstance(url, str) or not url.startswith("kafka://"):
        raise BusError(f"bus url {url!r}: expected kafka://host:port[,host:port]")
    servers = []
    for part in url[len("kafka://") :].rstrip("/").split(","):
        host, sep, port = part.strip().rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise BusError(f"bus url {url!r}: bad broker address {part!r} (expected host:port)")
        servers.append(f"{host}:{port}")
    return servers


class KafkaBus(Bus):
    def __init__(
        self,
        url: str,
        *,
        partitions: int = 3,
        replication_factor: int = 1,
        compression_type: str | None = None,
        connect_timeout_secs: float = 30.0,
        session_timeout_ms: int = 10000,
        heartbeat_interval_ms: int = 3000,
        max_poll_records: int = 500,
        join_timeout_secs: float = 60.0,
        client_id: str = "newswatch",
    ) -> None:
        self.url = url
        self.servers = parse_kafka_url(url)
        problem = missing_codec(compression_type)
        if problem:
            raise BusError(f"bus {url}: {problem}")
        self.partitions, self.replication_factor = partitions, replication_factor
        self.compression_type = compression_type
        self.connect_timeout_secs = connect_timeout_secs
        self.join_timeout_secs = join_timeout_secs
        self.consumer_options: dict[str, Any] = {
            "session_timeout_ms": session_timeout_ms,
            "heartbeat_interval_ms": heartbeat_interval_ms,
            "max_poll_records": max_poll_records,
        }
        self._common: dict[str, Any] = {
            "bootstrap_servers": self.servers,
            "client_id": client_id,
            "bootstrap_timeout_ms": int(connect_timeout_secs * 1000),
            "reconnect_backoff_max_ms": 1000,
        }
        self._lock = threading.Lock()
        self._errors: list[str] = []
        self._producer: KafkaProducer | None = None
        self._closed = False
        self._admin: KafkaAdminClient = self.connect(KafkaAdminClient)

    def connect(self, factory: Callable[..., T], **config: Any) -> T:
        """Build a kafka-python client, turning 'no broker within the timeout' into BusError."""
        try:
            return factory(**self._common, **config)
        except (KafkaError, OSError) as exc:
            raise BusError(
                f"bus {self.url}: cannot reach Kafka at {','.join(self.servers)} within "
                f"{self.connect_timeout_secs:g}s: {type(exc).__name__}: {exc}"
            ) from exc

    def _call(self, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            return fn(*args, **kwargs)
        except KafkaError as exc:
            raise BusError(f"bus {self.url}: {what} failed: {type(exc).__name__}: {exc}") from exc

    def create_topics(
        self, topics: Iterable[str], *, partitions: int | None = None,
        configs: dict[str, str] | None = None,
    ) -> None:
        wanted = list(dict.fromkeys(topics))
        existing = set(self._call("list topics", self._admin.list_topics))
        missing = [
            NewTopic(t, partitions or self.partitions, self.replication_factor,
                     topic_configs=dict(configs or {}))
            for t in wanted
            if t not in existing
        ]
        if not missing:
            return
        result = self._call("create topics", self._admin.create_topics, missing,
                            raise_errors=False)
        for topic in result.get("topics", []):
            if topic["error_code"] not in (0, _TOPIC_ALREADY_EXISTS):
                raise BusError(f"bus {self.url}: cannot create topic {topic['name']!r}: "
                               f"error {topic['error_code']} {topic.get('error_message') or ''}")
        self._call("wait for topics", self._admin.wait_for_topics, [t.name for t in missing],
                   timeout_ms=int(self.connect_timeout_secs * 1000))

    def _get_producer(self) -> KafkaProducer:
        if self._closed:
            raise BusError(f"bus {self.url} is closed")
        with self._lock:
            if self._producer is None:
                self._producer = self.connect(
                    KafkaProducer,
                    acks="all",  # idempotence: kafka-python's default, off for brokers < 0.11
                    linger_ms=10,
                    batch_size=131072,
                    compression_type=self.compression_type,
                    max_block_ms=int(self.connect_timeout_secs * 1000),
                )
            return self._producer

    def publish(self, topic: str, key: str, value: bytes) -> None:
        self.send(topic, key, bytes(value))

    def send(self, topic: str, key: str, value: bytes | None, partition: int | None = None) -> None:
        """Like :meth:`publish`, also to an explicit partition and as a tombstone (None)."""
        producer = self._get_producer()
        future = self._call(f"publish to {topic!r}", producer.send, topic,
                            key=key.encode("utf-8"), value=value, partition=partition)
        future.add_errback(lambda exc: self._errors.append(f"{topic}/{key}: {exc!r}"))

    def partitions_of(self, topic: str) -> int:
        """How many partitions ``topic`` has (waits for the producer's metadata)."""
        found = self._call(f"metadata of {topic!r}", self._get_producer().partitions_for, topic)
        if not found:
            raise BusError(f"bus {self.url}: topic {topic!r} has no partitions")
        return len(found)

    def shared_table(
        self, topic: str, group: str, listener: TableListener, *, partitions: int
    ) -> SharedTable:
        from newswatch.bus.kafka_table import KafkaSharedTable

        return KafkaSharedTable(self, topic, group, listener, partitions=partitions)

    def read_table(self, topic: str) -> dict[str, bytes]:
        from newswatch.bus.kafka_table import read_table

        return read_table(self, topic)

    def flush(self, timeout_secs: float = 30.0) -> None:
        if self._producer is not None:
            self._call(f"flush within {timeout_secs:g}s", self._producer.flush,
                       timeout=timeout_secs)
        with self._lock:
            errors, self._errors = self._errors, []
        if errors:
            raise BusError(f"bus {self.url}: {len(errors)} record(s) were not written; first: "
                           f"{errors[0]}")

    def consumer(self, group: str, topics: Sequence[str]) -> Consumer:
        if self._closed:
            raise BusError(f"bus {self.url} is closed")
        return KafkaBusConsumer(self, group, list(topics))

    def end_offsets(self, topics: Sequence[str]) -> dict[str, int]:
        """Sum over partitions of each topic's end offset (records ever written, for lag)."""
        probe = self.connect(KafkaConsumer, enable_auto_commit=False)
        try:
            tps = [TopicPartition(t, p) for t in topics
                   for p in sorted(probe.partitions_for_topic(t) or ())]
            ends = self._call("end offsets", probe.end_offsets, tps)
        finally:
            probe.close(autocommit=False)
        out = dict.fromkeys(topics, 0)
        for tp, end in ends.items():
            out[tp.topic] += end
        return out

    def committed_offsets(self, group: str, topics: Sequence[str]) -> dict[tuple[str, int], int]:
        committed = self._call("list group offsets", self._admin.list_group_offsets, {group: None})
        return {(tp.topic, tp.partition): meta.offset
                for tp, meta in committed.get(group, {}).items()
                if tp.topic in topics and meta.offset >= 0}

    def lag(self, group: str, topics: Sequence[str]) -> dict[str, int]:
        """Records of ``topics`` not yet committed by ``group``."""
        done = dict.fromkeys(topics, 0)
        for (topic, _), offset in self.committed_offsets(group, topics).items():
            done[topic] += offset
        return {t: end - done[t] for t, end in self.end_offsets(topics).items()}

    def close(self) -> None:
        if self._closed:
            return
        try:
            self.flush(self.connect_timeout_secs)
        finally:
            self._closed = True
            if self._producer is not None:
                self._close_producer(self._producer)
            self._admin.close()

    def _close_producer(self, producer: KafkaProducer) -> None:
        try:
            producer.close(timeout=min(5.0, self.connect_timeout_secs))
        except KafkaError:
            # kafka-python 3.0 raises from close() when records cannot be delivered, leaving its
            # sender thread retrying; stop it (records were already reported lost by flush).
            sender = getattr(producer, "_sender", None)
            if sender is not None:
                sender.force_close()


class _Rebalance(ConsumerRebalanceListener):
    def __init__(self, owner: KafkaBusConsumer) -> None:
        self.owner = owner

    def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        self.owner.forget(set(revoked))

    def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        pass


def _to_record(msg: Any) -> Record:
    ms = msg.timestamp if msg.timestamp is not None and msg.timestamp >= 0 else time.time() * 1000
    ts = datetime.fromtimestamp(ms / 1000, UTC)
    key = msg.key.decode("utf-8") if msg.key is not None else ""
    return Record(msg.topic, msg.partition, msg.offset, key, msg.value or b"", ts)


class KafkaBusConsumer(Consumer):
    def __init__(self, bus: KafkaBus, group: str, topics: list[str]) -> None:
        self.bus, self.group, self.topics = bus, group, topics
        self._pending: list[Record] = []
        self._handed: dict[TopicPartition, int] = {}
        self._c: KafkaConsumer = bus.connect(
            KafkaConsumer, group_id=group, enable_auto_commit=False,
            auto_offset_reset="earliest", **bus.consumer_options,
        )
        try:
            self._c.subscribe(topics, listener=_Rebalance(self))
            self._join()
        except BaseException:
            self._c.close(autocommit=False)
            raise

    def _join(self) -> None:
        deadline = time.monotonic() + self.bus.join_timeout_secs
        while not self._c.assignment():
            if time.monotonic() > deadline:
                raise BusError(f"bus {self.bus.url}: group {self.group!r} got no partitions of "
                               f"{self.topics} within {self.bus.join_timeout_secs:g}s "
                               "(do the topics exist?)")
            self._pending.extend(self._poll_raw(500, 0.2))

    def forget(self, partitions: set[TopicPartition]) -> None:
        self._pending = [r for r in self._pending
                         if TopicPartition(r.topic, r.partition) not in partitions]
        for tp in partitions:
            self._handed.pop(tp, None)

    def _poll_raw(self, max_records: int, timeout_secs: float) -> list[Record]:
        batches = self.bus._call("poll", self._c.poll, timeout_ms=int(timeout_secs * 1000),
                                 max_records=max_records)
        return [_to_record(m) for msgs in batches.values() for m in msgs]

    def poll(self, max_records: int = 500, timeout_secs: float = 1.0) -> list[Record]:
        if self._pending:
            out, self._pending = self._pending[:max_records], self._pending[max_records:]
        else:
            out = self._poll_raw(max_records, timeout_secs)
        for r in out:
            self._handed[TopicPartition(r.topic, r.partition)] = r.offset + 1
        return out

    def commit(self, records: Sequence[Record] | None = None) -> None:
        if records is None:
            positions = dict(self._handed)
        else:
            positions = {}
            for r in records:
                tp = TopicPartition(r.topic, r.partition)
                positions[tp] = max(positions.get(tp, 0), r.offset + 1)
        if positions:
            offsets = {tp: OffsetAndMetadata(off, "", -1) for tp, off in positions.items()}
            self.bus._call(f"commit for group {self.group!r}", self._c.commit, offsets)

    def seek_to_beginning(self) -> None:
        assigned = self._c.assignment()
        self.forget(set(assigned))
        if assigned:
            self._c.seek_to_beginning(*assigned)

    def seek(self, topic: str, partition: int, offset: int) -> None:
        tp = TopicPartition(topic, partition)
        if tp not in self._c.assignment():
            raise BusError(f"consumer of group {self.group!r} is not assigned {topic}[{partition}]")
        self.forget({tp})
        self._c.seek(tp, offset)

    def close(self) -> None:
        self._pending.clear()
        self._c.close(autocommit=False, timeout_ms=5000)
