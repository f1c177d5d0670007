"""Live updates of a running classify stage, between batches: a retrained model appearing in the
model directory, and an edited user groups file.

Each file is fingerprinted (mtime, size, content hash); :meth:`Refresher.check` runs at most
every ``check_secs`` from the stage's own thread, before a batch or after an empty poll, so a
swap never happens inside a batch. A new model is loaded completely before it replaces the old
one (``model switched to <version>`` in the log); a model or groups file that cannot be loaded
is logged with the reason and the running one stays.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from classifiers.artifact import META_FILE, ModelError, load_predictor

log = logging.getLogger("newswatch.classify")


def fingerprint(path: Path | None) -> tuple[int, int, str] | None:
    if path is None:
        return None
    try:
        st = os.stat(path)
        return st.st_mtime_ns, st.st_size, hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None  # missing, or being replaced right now: look again next time


class Watched:
    """One file: ``changed()`` is True once per new content."""

    def __init__(self, path: Path | None):
        self.path = path
        self.seen = fingerprint(path)

    def changed(self) -> bool:
        now = fingerprint(self.path)
        if now is None or now == self.seen:
            return False
        old, self.seen = self.seen, now
        return old is None or now[2] != old[2]


class Refresher:
    """Watches the model directory and the groups file of one classify stage.

    ``stage`` needs ``analyzer`` (a ModelAnalyzer or anything with ``gazetteer``) and
    ``watches``; ``rebuild_watches(gazetteer, labels)`` validates the config's watches against
    new groups/labels (raising ValueError) and returns them.
    """

    def __init__(
        self, stage: Any, model_dir: Path | None, groups_file: Path | None,
        load_groups: Callable[[], Any], rebuild_watches: Callable[[Any, list[str]], list[Any]],
        check_secs: float = 2.0,
    ):
        self.stage, self.check_secs = stage, check_secs
        self.model = Watched(model_dir / META_FILE if model_dir else None)
        self.model_dir = model_dir
        self.groups = Watched(groups_file)
        self.load_groups, self.rebuild_watches = load_groups, rebuild_watches
        self._next = time.monotonic() + check_secs

    def check(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now < self._next:
            return
        self._next = now + self.check_secs
        if self.groups.changed():
            self._swap_groups()
        if self.model_dir is not None and self.model.changed():
            self._swap_model()

    def _swap_model(self) -> None:
        from classifiers.analyzer import ModelAnalyzer

        old = self.stage.analyzer
        try:
            model, meta = load_predictor(self.model_dir)  # type: ignore[arg-type]
            new = ModelAnalyzer(model, meta, gazetteer=old.gazetteer)
            watches = self.rebuild_watches(old.gazetteer, new.labels)
        except (ModelError, ValueError, OSError) as exc:
            log.error("model in %s changed but cannot be used (%s); keeping model %s",
                      self.model_dir, exc, getattr(old, "version", "?"))
            return
        self.stage.analyzer, self.stage.watches = new, watches
        log.info("model switched to %s (was %s)", new.version or "?",
                 getattr(old, "version", "") or "?")

    def _swap_groups(self) -> None:
        analyzer = self.stage.analyzer
        try:
            gazetteer = self.load_groups()
            watches = self.rebuild_watches(gazetteer, list(getattr(analyzer, "labels", [])))
        except ValueError as exc:
            log.error("groups file %s changed but is rejected, keeping the previous groups: %s",
                      self.groups.path, exc)
            return
        analyzer.gazetteer = gazetteer
        self.stage.watches = watches
        users = sum(1 for g in gazetteer.groups.values() if g.source != "bundled")
        log.info("groups reloaded from %s: %d groups, %d of them the user's",
                 self.groups.path, len(gazetteer.groups), users)
