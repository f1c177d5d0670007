"""Signals for the service: SIGTERM/SIGINT stop gracefully (a second one exits at once),
SIGHUP asks for a config reload. Install from the main thread."""

from __future__ import annotations

import logging
import os
import signal
import threading
from types import FrameType

log = logging.getLogger("newswatch.service")


def install(stop: threading.Event, reload: threading.Event) -> None:
    def on_stop(signum: int, _frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if stop.is_set():
            log.error("%s again: exiting now; uncommitted batches will be delivered again", name)
            logging.shutdown()
            os._exit(128 + signum)
        log.info("%s received: shutting down", name)
        stop.set()

    def on_hup(_signum: int, _frame: FrameType | None) -> None:
        log.info("SIGHUP received: reloading the configuration")
        reload.set()

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, on_hup)
