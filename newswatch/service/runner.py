"""The long-running service: supervised stage threads, hot reload, probes, bounded shutdown.

``Service.run(stop)`` opens the bus, starts the HTTP endpoint and one :class:`StageSlot` per
stage, then loops until ``stop`` is set: it restarts failed stages with backoff, applies config
edits (file change or SIGHUP) by rebuilding only the stages they touch, and keeps ``/healthz``
alive. On stop every stage finishes its current batch and commits (or, past
``shutdown_timeout_secs``, is abandoned uncommitted, to be delivered again), then the bus is
flushed and closed.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from newswatch import metrics
from newswatch.bus import Bus
from newswatch.config import Config, load_config
from newswatch.config.service import split_listen
from newswatch.service.http import HttpEndpoint
from newswatch.service.monitor import BusMonitor
from newswatch.service.reload import ConfigWatcher, changed_sections, stages_to_rebuild
from newswatch.service.slots import Factory, StageSlot
from newswatch.stage import ARTICLES, EVENTS, MATCHES

log = logging.getLogger("newswatch.service")
TICK_SECS = 0.25
LIVENESS_SECS = 60.0


class Service:
    def __init__(
        self,
        config: Config,
        factories: Mapping[str, Factory],
        make_bus: Callable[[Config], Bus],
        *,
        config_path: str | os.PathLike[str] | None = None,
        reload_event: threading.Event | None = None,
        load: Callable[[str], Config] | None = None,
    ):
        self.config, self.factories, self.make_bus = config, dict(factories), make_bus
        self.config_path = config_path
        # How the config file is (re)read: app.load, with every stage's checks, in production.
        self.load = load or (lambda path: load_config(path))
        self.reload_event = reload_event or threading.Event()
        self.slots: dict[str, StageSlot] = {}
        self._pending: dict[str, tuple[Config, Config]] = {}
        self._groups: dict[str, list[str]] = {}
        self._stopping = False
        self._started = time.monotonic()
        self._beat = time.monotonic()
        self.http: HttpEndpoint | None = None
        self.monitor: BusMonitor | None = None
        self.watcher: ConfigWatcher | None = None
        self.ui: Any = None  # newswatch.ui.UiContext when this process serves the web UI
        self._bus: Bus | None = None

    # -- probes -------------------------------------------------------------------------------
    def health(self) -> tuple[bool, dict[str, Any]]:
        """Alive (the supervisor loop ticks) and no stage in a crash loop."""
        svc = self.config.service
        problems = []
        if time.monotonic() - self._beat >= LIVENESS_SECS:
            problems.append(f"supervisor loop stalled for over {LIVENESS_SECS:g}s")
        restarts = {n: s.recent_failures(svc.unhealthy_window_secs) for n, s in self.slots.items()}
        for name, count in restarts.items():
            if count >= svc.unhealthy_restarts:
                problems.append(
                    f"stage {name} failed {count} times in the last {svc.unhealthy_window_secs:g}s"
                    f" (unhealthy_restarts = {svc.unhealthy_restarts}); last error: "
                    f"{self.slots[name].error or '-'}")
        detail: dict[str, Any] = {
            "uptime_secs": round(time.monotonic() - self._started),
            "stages": {n: s.state for n, s in self.slots.items()},
            "restarts": restarts,
        }
        if problems:
            detail["reason"] = "; ".join(problems)
        return not problems, detail

    def readiness(self) -> tuple[bool, dict[str, Any]]:
        stages = {}
        for name, slot in self.slots.items():
            ok, detail = slot.ready()
            stages[name] = {"ready": ok, "state": slot.state, "detail": detail}
        mon = self.monitor
        bus = {"ok": bool(mon and mon.fresh()), "error": mon.bus_error if mon else "not started"}
        started = set(stages) == set(self.factories)  # not before every slot exists
        ok = not self._stopping and started and bus["ok"] and all(
            s["ready"] for s in stages.values())
        return ok, {"bus": bus, "stages": stages, "stopping": self._stopping}

    def consumer_groups(self) -> dict[str, list[str]]:
        for slot in self.slots.values():
            consumer = getattr(slot.stage, "consumer", None)
            group, topics = getattr(consumer, "group", None), getattr(consumer, "topics", None)
            if group and topics:
                self._groups[group] = list(topics)
        return dict(self._groups)

    # -- lifecycle ----------------------------------------------------------------------------
    def run(self, stop: threading.Event) -> int:
        svc = self.config.service
        if svc.http_enabled:
            host, port = split_listen(svc.http_listen)
            ui_app = self._build_ui(host)
            try:
                self.http = HttpEndpoint(host, port, self.health, self.readiness, ui_app)
            except OSError as exc:
                log.error("cannot listen on %s for /healthz, /readyz, /metrics: %s "
                          "(set [service] http_listen or http_enabled = false)",
                          svc.http_listen, exc.strerror or exc)
                self._close_http()
                return 1
            self.http.start()
        try:
            bus = self._bus = self.make_bus(self.config)
        except Exception as exc:
            log.error("cannot open the bus: %s", exc)
            self._close_http()
            return 1
        if self.ui is not None:
            self.ui.start()
        topics = [self.config.bus.topic(t) for t in (ARTICLES, MATCHES, EVENTS)]
        self.monitor = BusMonitor(lambda: self.make_bus(self.config), topics, self.consumer_groups)
        self.monitor.start()
        if self.config_path and svc.reload:
            self.watcher = ConfigWatcher(self.config_path, self._file_config(), self.load)
        for name, factory in self.factories.items():
            self.slots[name] = StageSlot(name, factory, bus,
                                         reset_after_secs=svc.restart_reset_secs)
            self.slots[name].start(self.config)
        log.info("newswatch running: stages %s, pid %d", ", ".join(self.slots), os.getpid())
        next_check = time.monotonic() + svc.reload_check_secs
        groups: dict[str, list[str]] = {}
        while not stop.wait(TICK_SECS):
            self._beat = time.monotonic()
            if groups != (groups := self.consumer_groups()):
                self.monitor.probe_now()  # a stage joined: report its lag at once
            if self.reload_event.is_set():
                self.reload_event.clear()
                self.reload(force=True)
            elif self.watcher is not None and self._beat >= next_check:
                next_check = self._beat + svc.reload_check_secs
                self.reload()
            self._supervise()
        return self._shutdown(bus)

    def _build_ui(self, host: str) -> Any:
        """The web UI, in the process that holds the alert ledger (None elsewhere)."""
        if not self.config.ui.enabled or "alert" not in self.factories:
            return None
        from newswatch.links import is_loopback
        from newswatch.ui import Hooks, build_ui

        try:
            app, self.ui = build_ui(
                lambda: self.config, bound_host=host, config_path=self.config_path,
                hooks=Hooks(reload=self.reload_event.set, bus=lambda: self._bus),
            )
        except Exception as exc:
            log.error("web UI not started: %s: %s", type(exc).__name__, exc)
            return None
        if not is_loopback(host) and not self.config.ui.has_auth():
            log.error("web UI refuses to serve: http_listen %s is not loopback and no "
                      "authentication is configured; set [ui] password_hash (newswatch ui "
                      "hash-password) or [ui] trusted_proxy_header", host)
        return app

    def _file_config(self) -> Config:
        try:
            return self.load(str(self.config_path))
        except Exception:
            return self.config

    def _supervise(self) -> None:
        if self._pending and not any(self.slots[n].alive for n in self._pending):
            for name, (config, fallback) in self._pending.items():
                self.slots[name].start(config, fallback)
            self._pending.clear()
        now = time.monotonic()
        for name, slot in self.slots.items():
            if name in self._pending or slot.alive or slot.state != "failed":
                continue
            if now >= slot.next_start:
                log.warning("restarting stage %s (attempt %d after: %s)",
                            name, slot.failures, slot.error)
                metrics.STAGE_RESTARTS.labels(name, "failure").inc()
                slot.start(self.config)

    def reload(self, force: bool = False) -> bool:
        """Apply a changed config file; True if stages were rebuilt."""
        if self.watcher is None:
            if force:
                log.warning("reload requested, but there is no config file to reload "
                            "(started without one, or [service] reload = false)")
            return False
        old_file = self.watcher.current
        new_file = self.watcher.check(force=force)
        if new_file is None:
            return False
        new = new_file.model_copy(update={"service": self.config.service, "bus": self.config.bus})
        sections = changed_sections(old_file, new_file)
        rebuild = stages_to_rebuild(sections, self.slots)
        old, self.config = self.config, new
        metrics.CONFIG_RELOADS.labels("applied").inc()
        log.info("config reload: [%s] changed; rebuilding %s", "], [".join(sorted(sections)),
                 ", ".join(sorted(rebuild)) or "no stage")
        for name in rebuild:
            slot = self.slots[name]
            reconfigure = getattr(slot.stage, "reconfigure", None)
            if reconfigure is not None and slot.state == "running":
                try:
                    reconfigure(new)
                    continue
                except Exception as exc:
                    log.warning("stage %s: reconfigure failed (%s); restarting it", name, exc)
            metrics.STAGE_RESTARTS.labels(name, "reload").inc()
            slot.request_stop()
            self._pending[name] = (new, old)
        self._supervise()
        return bool(rebuild)

    def _shutdown(self, bus: Bus) -> int:
        self._stopping = True
        timeout = self.config.service.shutdown_timeout_secs
        deadline = time.monotonic() + timeout
        log.info("stopping: stages finish their batches (up to %gs)", timeout)
        for slot in self.slots.values():
            slot.request_stop()
        stuck = [n for n, s in self.slots.items() if not s.join(deadline - time.monotonic())]
        status = 0
        if self.monitor is not None:
            self.monitor.close()
        if self.ui is not None:  # its threads read the bus; the probes stay up a little longer
            self.ui.close()
            self.ui = None
        try:
            bus.close()  # flushes what the producers still buffer
        except Exception as exc:
            log.error("closing the bus failed: %s", exc)
            status = 1
        self._close_http()
        if stuck:
            log.error("shutdown timed out after %gs: %s did not finish; its uncommitted batch "
                      "will be delivered again at the next start", timeout, ", ".join(stuck))
            return 1
        if status == 0:
            log.info("stopped cleanly")
        return status

    def _close_http(self) -> None:
        if self.http is not None:
            self.http.close()
            self.http = None
        if self.ui is not None:
            self.ui.close()
            self.ui = None


def run_service(config: Config, stop: threading.Event, factories: Mapping[str, Factory],
                make_bus: Callable[[Config], Bus], stages: Sequence[str], **kwargs: Any) -> int:
    return Service(config, {n: factories[n] for n in stages}, make_bus, **kwargs).run(stop)
