"""Background retraining after feedback: debounced, seeded, with before/after figures kept.

Each feedback click calls :meth:`Retrainer.request`; training starts ``[ui] retrain_delay_secs``
after the last click (so a burst of clicks trains once) and runs, in this thread,
``classifiers.training.retrain`` (bundled plus user corpus, the default seed, the new model saved
only if no label's held-out F1 falls). The classify stage picks a saved model up between
batches (``classifiers.hotswap``); the UI reloads its copy for the "score now" column. Every
report, with the figures of the model before and after, is appended to
``<model dir>.retrains.jsonl`` and shown on the Model page.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newswatch.config import Config

log = logging.getLogger("newswatch.ui.retrain")


def history_path(config: Config) -> Path:
    from classifiers.defaults import model_dir

    directory = model_dir(config)
    return directory.with_name(directory.name + ".retrains.jsonl")


def retrain(config: Config, accept_drop: bool = False) -> dict[str, Any]:
    """Retrain with the classifier's own safety net (``accept_drop``: switch even if a label's
    held-out F1 falls, when the analyst said so); the report as kept in the history."""
    from classifiers.defaults import DEFAULT_SEED
    from classifiers.training import retrain as classifier_retrain

    started = time.time()
    report = classifier_retrain(config, seed=DEFAULT_SEED, accept_drop=accept_drop).as_dict()
    report.update(at=datetime.now(UTC).isoformat(timespec="seconds"), seed=DEFAULT_SEED,
                  duration_secs=round(time.time() - started, 1), accepted_drop=accept_drop)
    with open(history_path(config), "a", encoding="utf-8") as f:
        f.write(json.dumps(report, sort_keys=True) + "\n")
    return report


class Retrainer:
    def __init__(self, config: Callable[[], Config],
                 on_swap: Callable[[dict[str, Any]], None] = lambda report: None,
                 train: Callable[..., dict[str, Any]] = retrain):
        self._config, self._on_swap, self._train = config, on_swap, train
        self._cond = threading.Condition()
        self._due: float | None = None
        self._accept = False
        self._closed = False
        self.state, self.error = "idle", ""
        self.last: dict[str, Any] | None = None
        self._thread = threading.Thread(target=self._loop, name="ui-retrain", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def request(self, accept_drop: bool = False) -> None:
        """Feedback arrived: (re)start the quiet period before training. ``accept_drop``: the
        analyst asked to switch even if held-out F1 falls (at once, no quiet period)."""
        config = self._config()
        if not config.ui.retrain or config.classifier.kind != "model":
            return
        with self._cond:
            self._accept = self._accept or accept_drop
            self._due = time.monotonic() + (0.0 if accept_drop else config.ui.retrain_delay_secs)
            if self.state == "idle":
                self.state = "waiting"
            self._cond.notify_all()

    def due_in(self) -> float | None:
        with self._cond:
            return None if self._due is None else max(0.0, self._due - time.monotonic())

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._closed and (self._due is None or time.monotonic() < self._due):
                    wait = None if self._due is None else self._due - time.monotonic()
                    self._cond.wait(timeout=wait)
                if self._closed:
                    return
                self._due, self.state = None, "training"
                accept, self._accept = self._accept, False
            log.info("retraining the model after feedback")
            try:
                report = self._train(self._config(), accept_drop=accept)
                self.last, self.error = report, ""
                log.info("retrained after feedback: %s -> %s in %.1fs%s",
                         report.get("version_before") or "-", report.get("version_after"),
                         report.get("duration_secs", 0),
                         "" if report.get("saved") else f"; not switched: {report.get('note')}")
                if report.get("saved"):
                    self._on_swap(report)
            except Exception as exc:
                self.error = f"{type(exc).__name__}: {exc}"
                log.exception("retraining after feedback failed")
            with self._cond:
                self.state = "waiting" if self._due is not None else "idle"

    def history(self, limit: int = 20) -> list[dict[str, Any]]:
        path = history_path(self._config())
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError:
            return []
        out = []
        for line in reversed(lines[-limit:]):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return out

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._thread.ident is not None:
            self._thread.join(timeout=2)
