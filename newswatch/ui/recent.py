"""The last few thousand articles off the bus, for "test this watch" in the UI.

A consumer of the articles topic under a throw-away group (it never commits, so it takes nothing
from the stages) reads from the start of the log once, then follows it; it keeps the newest raw
records in memory and decodes only what a test asks for. It runs in the UI's indexer thread.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import deque
from collections.abc import Callable

from newswatch import serde
from newswatch.bus import Bus, Consumer
from newswatch.models import Article

log = logging.getLogger("newswatch.ui")
KEEP = 5000


class RecentArticles:
    def __init__(self, bus: Callable[[], Bus | None], topic: str, group: str, keep: int = KEEP):
        self._bus, self.topic = bus, topic
        self.group = f"{group}-{uuid.uuid4().hex[:8]}"
        self._records: deque[bytes] = deque(maxlen=keep)
        self._lock = threading.Lock()
        self._consumer: Consumer | None = None
        self.error = ""

    def refresh(self, max_batches: int = 20) -> int:
        """Read what arrived since the last call (a bounded amount); how many records."""
        if self._consumer is None:
            bus = self._bus()
            if bus is None:
                return 0
            try:
                self._consumer = bus.consumer(self.group, [self.topic])
                self._consumer.seek_to_beginning()
            except Exception as exc:
                self.error = f"cannot read the articles topic: {exc}"
                return 0
        n = 0
        for _ in range(max_batches):
            try:
                batch = self._consumer.poll(max_records=1000, timeout_secs=0.05)
            except Exception as exc:
                self.error = f"cannot read the articles topic: {exc}"
                return n
            if not batch:
                break
            with self._lock:
                self._records.extend(r.value for r in batch)
            n += len(batch)
        self.error = ""
        return n

    def latest(self, n: int) -> list[Article]:
        """The newest ``n`` articles, newest first (duplicates by id dropped)."""
        with self._lock:
            raw = list(self._records)[-n * 2:]
        out: dict[str, Article] = {}
        for value in reversed(raw):
            try:
                article = serde.loads(value, Article)
            except serde.SerdeError:
                continue
            out.setdefault(article.id, article)
            if len(out) >= n:
                break
        return list(out.values())

    def __len__(self) -> int:
        return len(self._records)

    def close(self) -> None:
        if self._consumer is not None:
            try:
                self._consumer.close()
            except Exception:
                log.debug("closing the recent-articles consumer failed", exc_info=True)
            self._consumer = None
