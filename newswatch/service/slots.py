"""One supervised stage: built and run in its own thread, stopped and restarted on demand.

A slot's thread builds the stage from its factory (which may be slow: loading a model), runs it
until the slot's stop event is set, then closes it in the same thread. A stage that returns
after ``stop`` has finished its batch and committed; a stage killed by the process exit mid-batch
has committed nothing of that batch, which the bus then delivers again.

Failures are counted twice: ``failures`` (consecutive, for the restart backoff of 2, 4 ... 60 s;
back to the start once the stage has run ``reset_after_secs`` without failing, so a broker blip
a day does not earn a minute's wait) and ``failure_times`` (for ``/healthz``: a stage that keeps
failing makes the service unhealthy, see :meth:`recent_failures`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from newswatch import metrics
from newswatch.bus import Bus
from newswatch.config import Config
from newswatch.stage import Stage

log = logging.getLogger("newswatch.service")

Factory = Callable[[Config, Bus], Stage]
MAX_BACKOFF_SECS = 60.0


def backoff_secs(failures: int) -> float:
    return min(MAX_BACKOFF_SECS, 2.0 ** min(failures, 6))


class StageSlot:
    def __init__(self, name: str, factory: Factory, bus: Bus, *, reset_after_secs: float = 60.0,
                 clock: Callable[[], float] = time.monotonic):
        self.name, self.factory, self.bus = name, factory, bus
        self.reset_after_secs, self.clock = reset_after_secs, clock
        self.stage: Stage | None = None
        self.state = "stopped"  # starting | running | stopped | failed
        self.error = ""
        self.failures = 0  # consecutive, for the restart backoff
        self.failure_times: deque[float] = deque(maxlen=10_000)
        self.running_since: float | None = None
        self.next_start = 0.0
        self.config: Config | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        metrics.STAGE_UP.labels(name).set(0)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, config: Config, fallback: Config | None = None) -> None:
        """Build and run the stage with ``config`` (``fallback`` if building with it fails)."""
        if self.alive:
            raise RuntimeError(f"stage {self.name} is already running")
        self._stop = threading.Event()
        self.state, self.error = "starting", ""
        self._thread = threading.Thread(
            target=self._main, args=(config, fallback), name=self.name, daemon=True
        )
        self._thread.start()

    def _build(self, config: Config, fallback: Config | None) -> Stage:
        try:
            stage = self.factory(config, self.bus)
            self.config = config
            return stage
        except Exception as exc:
            if fallback is None:
                raise
            log.error(
                "stage %s: cannot start with the new configuration (%s: %s); "
                "keeping the previous configuration", self.name, type(exc).__name__, exc,
            )
            metrics.CONFIG_RELOADS.labels("rolled_back").inc()
            stage = self.factory(fallback, self.bus)
            self.config = fallback
            return stage

    def _main(self, config: Config, fallback: Config | None) -> None:
        stage = None
        try:
            stage = self.stage = self._build(config, fallback)
            self.state, self.running_since = "running", self.clock()
            metrics.STAGE_UP.labels(self.name).set(1)
            log.info("stage %s running", self.name)
            if not self._stop.is_set():
                stage.run(self._stop)
            self.state = "stopped" if self._stop.is_set() else "failed"
            if not self._stop.is_set():
                self.error = "run() returned before stop was requested"
                log.error("stage %s: %s", self.name, self.error)
        except Exception as exc:
            self.state, self.error = "failed", f"{type(exc).__name__}: {exc}"
            log.exception("stage %s failed: %s", self.name, self.error)
        finally:
            metrics.STAGE_UP.labels(self.name).set(0)
            self.stage = None
            if stage is not None:
                try:
                    stage.close()
                except Exception:
                    log.exception("stage %s: close failed", self.name)
            self._count(self.state == "failed")

    def _count(self, failed: bool) -> None:
        now, since, self.running_since = self.clock(), self.running_since, None
        if not failed:
            self.failures = 0
            return
        if since is not None and now - since >= self.reset_after_secs:
            self.failures = 0  # it ran healthily for a while: a new episode, not a crash loop
        self.failures += 1
        self.failure_times.append(now)
        self.next_start = now + backoff_secs(self.failures)

    def recent_failures(self, window_secs: float) -> int:
        """How often the stage failed (and so was restarted) within the last ``window_secs``."""
        cutoff = self.clock() - window_secs
        return sum(1 for t in self.failure_times if t >= cutoff)

    def request_stop(self) -> None:
        self._stop.set()

    def join(self, timeout_secs: float) -> bool:
        """Wait for the thread; True if it ended within ``timeout_secs``."""
        if self._thread is not None:
            self._thread.join(max(0.0, timeout_secs))
        return not self.alive

    def ready(self) -> tuple[bool, str]:
        """Running, and the stage's own ``ready()`` (model loaded, ...) if it has one."""
        if self.state != "running" or self.stage is None:
            return False, self.error or self.state
        probe: Callable[[], Any] | None = getattr(self.stage, "ready", None)
        if probe is None:
            return True, "running"
        try:
            result = probe()
        except Exception as exc:
            return False, f"ready() raised {type(exc).__name__}: {exc}"
        if isinstance(result, tuple):
            return bool(result[0]), str(result[1])
        return bool(result), "running" if result else "not ready"
