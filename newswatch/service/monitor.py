"""Background probe: is the bus reachable, and how far behind is each consumer group?

Runs every ``interval_secs`` on its own bus connection (so a slow broker never blocks a stage),
sets ``newswatch_bus_up`` and ``newswatch_consumer_lag{group,topic}`` (when the bus can tell:
``lag(group, topics)``), and remembers the outcome for ``/readyz``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable

from newswatch import metrics
from newswatch.bus import Bus

log = logging.getLogger("newswatch.service.monitor")


class BusMonitor:
    def __init__(
        self,
        open_bus: Callable[[], Bus],
        topics: Iterable[str],
        groups: Callable[[], dict[str, list[str]]],
        interval_secs: float = 5.0,
    ):
        self._open_bus, self.topics, self._groups = open_bus, list(topics), groups
        self.interval_secs = interval_secs
        self.bus_ok = False
        self.bus_error = "not probed yet"
        self.last_probe = 0.0
        self._bus: Bus | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="monitor", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def probe_now(self) -> None:
        self._wake.set()

    def probe(self) -> None:
        try:
            if self._bus is None:
                self._bus = self._open_bus()
            end_offsets = getattr(self._bus, "end_offsets", None)
            if end_offsets is not None:
                end_offsets(self.topics)
            self._update_lag(self._bus)
        except Exception as exc:
            if self.bus_ok or self.bus_error == "not probed yet":
                log.error("bus unreachable: %s: %s", type(exc).__name__, exc)
            self.bus_ok, self.bus_error = False, f"{type(exc).__name__}: {exc}"
            self._close_bus()
        else:
            if not self.bus_ok and self.last_probe:
                log.info("bus reachable again")
            self.bus_ok, self.bus_error = True, ""
        self.last_probe = time.monotonic()
        metrics.BUS_UP.set(1 if self.bus_ok else 0)

    def _update_lag(self, bus: Bus) -> None:
        lag = getattr(bus, "lag", None)
        if lag is None:
            return
        for group, topics in self._groups().items():
            for topic, behind in lag(group, topics).items():
                metrics.CONSUMER_LAG.labels(group, topic).set(max(0, behind))

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.probe()
            self._wake.wait(self.interval_secs)
            self._wake.clear()
        self._close_bus()

    def _close_bus(self) -> None:
        bus, self._bus = self._bus, None
        if bus is not None:
            try:
                bus.close()
            except Exception as exc:
                log.debug("closing probe bus: %s", exc)

    def fresh(self) -> bool:
        """The last probe succeeded and is recent (three intervals)."""
        return self.bus_ok and time.monotonic() - self.last_probe < 3 * self.interval_secs + 30

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)
