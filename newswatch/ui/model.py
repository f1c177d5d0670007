"""The model the service uses now, as the UI sees it: version, when it changed, and rescoring.

The model directory is the truth (``classifiers.defaults.model_dir``): whenever its metadata file
changes (a background retrain, ``newswatch train``), the next request loads the new model. A
match page shows the article's scores under this model beside the scores it was matched with,
so the effect of feedback is visible.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from newswatch.config import Config

log = logging.getLogger("newswatch.ui")


class CurrentModel:
    def __init__(self, config: Callable[[], Config]):
        self._config = config
        self._lock = threading.Lock()
        self._stamp: tuple[str, int] | None = None
        self._analyzer: Any = None
        self.meta: dict[str, Any] = {}
        self.changed_at: datetime | None = None
        self.error = ""

    def _meta_path(self) -> str | None:
        config = self._config()
        if config.classifier.kind != "model":
            return None
        from classifiers.artifact import META_FILE
        from classifiers.defaults import model_dir

        return str(model_dir(config) / META_FILE)

    def refresh(self) -> None:
        """Load the model again if its files changed since the last look (cheap: one stat)."""
        path = self._meta_path()
        try:
            stamp = (path, os.stat(path).st_mtime_ns) if path else None
        except OSError:
            stamp = None
        if stamp == self._stamp:
            return
        with self._lock:
            if stamp == self._stamp:
                return
            self._analyzer, self.meta, self.error = None, {}, ""
            if stamp is not None:
                try:
                    from classifiers.analyzer import load_analyzer

                    self._analyzer = load_analyzer(os.path.dirname(stamp[0]))
                    self.meta = self._analyzer.metadata
                    self.changed_at = datetime.fromtimestamp(stamp[1] / 1e9, UTC)
                except Exception as exc:  # a half-written or foreign model: say so, go on
                    self.error = f"{type(exc).__name__}: {exc}"
                    log.warning("web UI cannot load the model: %s", self.error)
            self._stamp = stamp

    @property
    def version(self) -> str:
        self.refresh()
        return str(self.meta.get("version", ""))

    def info(self) -> dict[str, Any]:
        self.refresh()
        return {"version": self.meta.get("version", ""), "trained_at": self.meta.get("trained_at"),
                "changed_at": self.changed_at, "examples": self.meta.get("examples"),
                "error": self.error, "available": self._analyzer is not None}

    def scores(self, text: str) -> dict[str, float] | None:
        """Label scores (relative to the model's thresholds: 0.5 = flagged) of one text."""
        self.refresh()
        analyzer = self._analyzer
        if analyzer is None:
            return None
        evidence = analyzer.analyze_texts([text])[0]
        return dict(evidence.labels)

    def analyze(self, articles: list) -> list:  # noqa: ANN001 - Articles -> Evidence
        """Evidence for articles under the current model (no labels without a model)."""
        from classifiers.stage import NoAnalysis

        self.refresh()
        analyzer = self._analyzer
        return (analyzer or NoAnalysis()).analyze(articles)
