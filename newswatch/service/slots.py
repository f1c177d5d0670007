"""One supervised stage: built and run in its own thread, stopped and restarted on demand.

A slot's thread builds the stage from its factory (which may be slow: loading a model), runs it
until the slot's stop event is set, then closes it in the same thread. A stage that returns
after ``stop`` has finished its batch and committed; a stage killed by the process exit mid-batch
has committed nothing of that batch, which the bus then delivers again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from newswatch import metrics
from newswatch.bus import Bus
from newswatch.config import Config
from newswatch.stage import Stage

log = logging.getLogger("newswatch.service")

Factory = Callable[[Config, Bus], Stage]


class StageSlot:
    def __init__(self, name: str, factory: Factory, bus: Bus):
        self.name, self.factory, self.bus = name, factory, bus
        self.stage: Stage | None = None
        self.state = "stopped"  # starting | running | stopped | failed
        self.error = ""
        self.failures = 0  # consecutive, for the restart backoff
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
            self.state = "running"
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
            if self.state == "failed":
                self.failures += 1
                self.next_start = time.monotonic() + min(60.0, 2.0 ** min(self.failures, 6))
            else:
                self.failures = 0

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
