"""Background retraining after feedback: debounced, seeded, with before/after figures kept.

Each feedback click calls :meth:`Retrainer.request`; training starts ``[ui] retrain_delay_secs``
after the last click (so a burst of clicks trains once), runs today's training path on the
bundled plus user corpus with the default seed, saves the model atomically into the model
directory and calls ``on_swap(report)`` (the service restarts its classify stage on it; the UI
reloads its copy). Each report, with the figures of the model before and after, is appended to
``<model dir>.retrains.jsonl``.

Seam: ``retrain(config)`` is the one function that trains; when ``classifiers.training`` offers
its own retrain(config) -> report, call that here instead.
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


def _figures(model: Any, meta: dict[str, Any], user: list) -> dict[str, Any]:
    """Held-out F1 per label (from training) and agreement with the user's own labels."""
    from classifiers.analyzer import ModelAnalyzer

    agree = 0
    if user:
        scores = ModelAnalyzer(model, meta).scores_for_texts([e.text for e in user])[0]
        labels = [str(c) for c in model.classes_]
        for row, example in zip(scores, user, strict=True):
            flagged = {lb for lb, s in zip(labels, row, strict=True) if s >= 0.5}
            agree += flagged == set(example.labels)
    return {
        "version": meta.get("version", ""),
        "f1_heldout": {lb: m.get("f1") for lb, m in meta.get("metrics_heldout", {}).items()},
        "user_examples_agreeing": f"{agree}/{len(user)}",
    }


def retrain(config: Config) -> dict[str, Any]:
    """Train on the bundled + user corpus (seeded), swap the model in, return the report."""
    from classifiers.artifact import ModelError, load_model, save_model
    from classifiers.corpus import read_jsonl
    from classifiers.defaults import DEFAULT_SEED, model_dir, training_examples, user_corpus_path
    from classifiers.training import train

    started = time.time()
    directory = model_dir(config)
    path = user_corpus_path(config)
    user = read_jsonl(path) if path.exists() else []
    try:
        before = _figures(*load_model(directory), user)
    except ModelError as exc:
        before = {"version": "", "error": str(exc)}
    examples = training_examples(config)
    model, meta = train(examples, seed=DEFAULT_SEED)
    meta["trained_by"] = "web UI feedback retrain"
    save_model(model, directory, meta)
    report = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"), "seed": DEFAULT_SEED,
        "examples": len(examples), "user_examples": len(user),
        "duration_secs": round(time.time() - started, 1),
        "before": before, "after": _figures(model, meta, user),
    }
    hist = history_path(config)
    with open(hist, "a", encoding="utf-8") as f:
        f.write(json.dumps(report, sort_keys=True) + "\n")
    return report


class Retrainer:
    def __init__(self, config: Callable[[], Config],
                 on_swap: Callable[[dict[str, Any]], None] = lambda report: None,
                 train: Callable[[Config], dict[str, Any]] = retrain):
        self._config, self._on_swap, self._train = config, on_swap, train
        self._cond = threading.Condition()
        self._due: float | None = None
        self._closed = False
        self.state, self.error = "idle", ""
        self.last: dict[str, Any] | None = None
        self._thread = threading.Thread(target=self._loop, name="ui-retrain", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def request(self) -> None:
        """Feedback arrived: (re)start the quiet period before training."""
        config = self._config()
        if not config.ui.retrain or config.classifier.kind != "model":
            return
        with self._cond:
            self._due = time.monotonic() + config.ui.retrain_delay_secs
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
            log.info("retraining the model after feedback")
            try:
                report = self._train(self._config())
                self.last, self.error = report, ""
                log.info("retrained: %s -> %s in %.1fs", report["before"].get("version"),
                         report["after"]["version"], report["duration_secs"])
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
