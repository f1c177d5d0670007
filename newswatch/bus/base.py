"""The Bus interface: keyed records on topics, consumer groups, at-least-once delivery.

Semantics every implementation must meet (tests/contract/test_bus_contract.py checks them):

* ``publish`` appends a keyed record; ``flush`` returns once every published record is durable
  (Kafka: acknowledged by all in-sync replicas; embedded: committed to disk).
* A consumer belongs to a named group. ``poll`` returns records after the group's committed
  position; records of one key keep their order. ``commit`` stores the position after the records
  handed over so far (or after the given records). A record is committed only after its handler
  succeeded, so a consumer that dies before committing gets the same records again on restart.
* ``seek_to_beginning`` / ``seek`` replay from the start of the log or from an offset.
"""

from __future__ import annotations

import importlib.util
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

# Kafka compression codecs: the module kafka-python needs for each, and the package to install.
COMPRESSION_CODECS: dict[str, tuple[str, str] | None] = {
    "gzip": None,
    "snappy": ("snappy", "python-snappy"),
    "lz4": ("lz4", "lz4"),
    "zstd": ("zstandard", "zstandard"),
}


def missing_codec(codec: str | None) -> str | None:
    """Why ``codec`` cannot be used here (unknown, or its library missing), else None."""
    if codec is None:
        return None
    if codec not in COMPRESSION_CODECS:
        return f"unknown compression_type {codec!r}; use one of {', '.join(COMPRESSION_CODECS)}"
    need = COMPRESSION_CODECS[codec]
    if need and importlib.util.find_spec(need[0]) is None:
        return (f"compression {codec!r} needs the {need[1]} package: "
                f"pip install 'newswatch[kafka-fast]' (or pip install {need[1]})")
    return None


class BusError(RuntimeError):
    """The bus cannot do what was asked (unreachable broker, bad URL, closed bus)."""


@dataclass(frozen=True, slots=True)
class Record:
    topic: str
    partition: int
    offset: int
    key: str
    value: bytes
    timestamp: datetime


class Consumer(ABC):
    """A member of a consumer group reading one or more topics."""

    @abstractmethod
    def poll(self, max_records: int = 500, timeout_secs: float = 1.0) -> list[Record]:
        """Return up to ``max_records`` records, waiting up to ``timeout_secs`` for the first."""

    @abstractmethod
    def commit(self, records: Sequence[Record] | None = None) -> None:
        """Commit the position after ``records`` (default: everything polled so far)."""

    @abstractmethod
    def seek_to_beginning(self) -> None:
        """Re-read every assigned partition from its first record."""

    @abstractmethod
    def seek(self, topic: str, partition: int, offset: int) -> None:
        """Continue reading ``topic``/``partition`` at ``offset``."""

    @abstractmethod
    def close(self) -> None:
        """Leave the group without committing anything further."""

    def __enter__(self) -> Consumer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Bus(ABC):
    """A message bus chosen by URL (see :func:`newswatch.bus.open_bus`)."""

    url: str

    @abstractmethod
    def create_topics(self, topics: Iterable[str]) -> None:
        """Create the topics if they do not exist (idempotent)."""

    @abstractmethod
    def publish(self, topic: str, key: str, value: bytes) -> None:
        """Append one record; it may be buffered until :meth:`flush`."""

    @abstractmethod
    def flush(self, timeout_secs: float = 30.0) -> None:
        """Block until every published record is durable, or raise :class:`BusError`."""

    @abstractmethod
    def consumer(self, group: str, topics: Sequence[str]) -> Consumer:
        """Join ``group`` reading ``topics`` from the committed position (earliest if none)."""

    @abstractmethod
    def close(self) -> None:
        """Flush and release connections."""

    def committed_offsets(self, group: str, topics: Sequence[str]) -> dict[tuple[str, int], int]:
        """(topic, partition) -> the offset ``group`` has committed up to (only partitions
        with a commit): what the group has already processed."""
        raise NotImplementedError(f"{type(self).__name__} does not report committed offsets")

    def shared_table(
        self, topic: str, group: str, listener: TableListener, *, partitions: int
    ) -> SharedTable:
        """Join ``group`` sharing the keyed, compacted ``topic`` (created with ``partitions``
        if missing): see :class:`SharedTable`. Only Kafka has consumer groups that divide
        partitions among processes."""
        raise BusError(f"bus {self.url}: shared tables (sharded collect) need a kafka:// bus")

    def read_table(self, topic: str) -> dict[str, bytes]:
        """The latest value of every key of a shared table's topic (read-only)."""
        raise BusError(f"bus {self.url}: shared tables (sharded collect) need a kafka:// bus")

    def __enter__(self) -> Bus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class TableListener(Protocol):
    """What a member of a :class:`SharedTable` is told (from the table's own thread)."""

    def assigned(self, partition: int, rows: dict[str, bytes]) -> None:
        """``partition`` is now this member's alone; ``rows`` holds the latest value of each of
        its keys, read after every earlier write to it (the previous owner's included)."""

    def revoked(self, partitions: set[int]) -> None:
        """Stop using ``partitions`` and write what is still due before returning: the next
        owner reads them once this returns (or once this member is declared dead)."""


class SharedTable(ABC):
    """A keyed, compacted topic whose partitions one consumer group divides among its members.

    Each partition belongs to one member at a time. A member learns of a partition through
    :meth:`TableListener.assigned` with the partition's current rows, writes rows of the keys
    it owns with :meth:`put`, and gives the partition up through
    :meth:`TableListener.revoked` when the group rebalances (a member joins, leaves or dies).
    """

    partitions: int  # of the topic, from the broker (the key -> partition map depends on it)

    @abstractmethod
    def partition_of(self, key: str) -> int:
        """The partition ``key`` lives in (the same one Kafka's default partitioner picks)."""

    @abstractmethod
    def owned(self) -> frozenset[int]:
        """Partitions assigned to this member whose rows were handed over."""

    @abstractmethod
    def ready(self) -> bool:
        """True once this member joined the group and loaded what it was given."""

    @abstractmethod
    def put(self, key: str, value: bytes | None) -> None:
        """Write ``key``'s row (None deletes it: a tombstone); buffered until :meth:`flush`."""

    @abstractmethod
    def flush(self, timeout_secs: float = 30.0) -> None:
        """Block until every :meth:`put` is durable, or raise :class:`BusError`."""

    @abstractmethod
    def run(self, stop: threading.Event) -> None:
        """Take part in the group (rebalances, loading rows) until ``stop`` is set."""

    @abstractmethod
    def close(self) -> None:
        """Give up every partition (telling the listener) and leave the group."""


def consume(
    consumer: Consumer,
    handle: Callable[[list[Record]], None],
    stop: threading.Event,
    *,
    batch_size: int = 500,
    poll_timeout_secs: float = 0.5,
    until_idle: bool = False,
    on_idle: Callable[[], None] | None = None,
) -> int:
    """Poll -> handle -> commit until ``stop`` is set (or, with ``until_idle``, until a poll is
    empty). Commits only after ``handle`` returned, so a crash redelivers the batch. Returns the
    number of records handled. ``on_idle`` runs after each empty poll (between batches)."""
    handled = 0
    while not stop.is_set():
        batch = consumer.poll(max_records=batch_size, timeout_secs=poll_timeout_secs)
        if not batch:
            if on_idle is not None:
                on_idle()
            if until_idle:
                break
            continue
        handle(batch)
        consumer.commit(batch)
        handled += len(batch)
    return handled
