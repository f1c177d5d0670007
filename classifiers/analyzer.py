"""Batch analysis with the trained model and the gazetteer: Articles -> Evidence.

Label scores are reported *relative to the model's tuned threshold*: a score of 0.5 is the
model's decision boundary for that label (``score = sigmoid(logit(p) - logit(threshold))``), so
``labels = { cross_border_raid = 0.5 }`` in a watch means "flagged by the model" and higher
minimums ask for more certainty, whatever thresholds the current model has.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from classifiers.base import Evidence
from classifiers.context import active_groups, passing_groups
from classifiers.cues import candidates_of, mentions_of
from classifiers.gazetteer import Gazetteer, default_gazetteer
from classifiers.geo.scene import COALITION
from classifiers.geocues import scene_of
from classifiers.lexicon import english_stop_words
from classifiers.text import ledes as _ledes
from classifiers.text import strip_related
from newswatch.models import Article

if TYPE_CHECKING:
    from classifiers.model import NewsClassifier
    from classifiers.scorer import InferenceModel

log = logging.getLogger("newswatch.classify")

# Words that carry weight in the model but tell a reader nothing ("from", "says", "of the").
_UNINFORMATIVE = english_stop_words() | {"says", "said", "say", "told", "reports", "reported"}


def readable_terms(terms: list[tuple[str, float]], top: int) -> list[tuple[str, float]]:
    """The explanation shown to people: informative words first, then cue features."""
    cues = [t for t in terms if t[0].startswith("[")]
    words = [t for t in terms if not t[0].startswith("[")
             and not all(w in _UNINFORMATIVE for w in t[0].split())]
    words = words[: max(top - 2, 1)]
    return words + cues[: top - len(words)]


def geo_reason(scene: Any) -> str:
    """The geography evidence in plain words: "where: Belgorod (RU); actors from UA"."""
    where = ", ".join(f"{p.name} ({p.country})" if p.country and p.country != p.id else p.name
                      for p in scene.places[:3])
    text = f"where: {where}"
    foreign = [a for a in scene.actors if a not in scene.targets]
    if foreign:
        text += f"; actors from {', '.join(f'a {a}' if a == COALITION else a for a in foreign[:3])}"
    return text


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Python's automatic cyclic collection paused for one batch. A batch's objects are freed
    by reference counting as it goes (collections run after each batch of 256 find 0 unreachable
    objects), while its allocations set off ~300 collections per 8,192 articles that walk the
    per-text caches: 6-9% of classify CPU time for nothing. Process-wide but short (one batch);
    collection resumes, and catches up, as soon as the batch is done."""
    if not gc.isenabled():  # paused by someone else (another thread's batch): leave it so
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(p / (1 - p))


class ModelAnalyzer:
    def __init__(
        self, model: NewsClassifier | InferenceModel, metadata: dict[str, Any] | None = None,
        gazetteer: Gazetteer | None = None, top_terms: int = 5,
    ):
        self.model, self.metadata = model, metadata or {}
        self.gazetteer = gazetteer or default_gazetteer()
        self.labels = [str(c) for c in model.classes_]
        self.top_terms = top_terms
        self.version = str(self.metadata.get("version", ""))

    def scores_for_texts(self, texts: Sequence[str]) -> tuple[np.ndarray, Any]:
        Xm = self.model.transform_features(texts, self.gazetteer)
        raw = self.model._decision(Xm)
        adjusted = 1.0 / (1.0 + np.exp(-(raw - _logit(self.model.thresholds_))))
        return adjusted, Xm

    def analyze_texts(self, texts: Sequence[str]) -> list[Evidence]:
        """Evidence for whole texts: the model reads each lede, the gazetteer all of it."""
        if not texts:
            return []
        with cyclic_gc_paused():
            return self._analyze_texts([strip_related(t) for t in texts])

    def _analyze_texts(self, texts: list[str]) -> list[Evidence]:
        scores, Xm = self.scores_for_texts(texts)
        ledes = _ledes(texts)
        flagged = scores >= 0.5
        explained: dict[tuple[int, int], list[tuple[str, float]]] = {}
        for j in range(len(self.labels)):
            rows = np.flatnonzero(flagged[:, j]).tolist()
            # Ask for more than shown: uninformative words are dropped from the display.
            candidates = self.model.explain_rows(Xm, j, rows, self.top_terms + 8)
            for r, terms in zip(rows, candidates, strict=True):
                explained[(r, j)] = readable_terms(terms, self.top_terms)
        out = []
        labels = self.labels
        # Python floats and bools once for the batch (the same values as numpy's scalars).
        score_rows, flag_rows = scores.tolist(), flagged.tolist()
        fours = (4,) * len(labels)  # round(score, 4)
        for i, text in enumerate(texts):
            mentions = mentions_of(text, self.gazetteer)
            reasons = []
            row, flags = score_rows[i], flag_rows[i]
            for j, label in enumerate(labels):
                if flags[j]:
                    terms = ", ".join(repr(t) for t, _ in explained[(i, j)])
                    reasons.append(f"{label} {row[j]:.2f}: {terms}")
            seen: dict[str, list[str]] = {}
            if mentions:
                active = set(active_groups(mentions))
                for m in mentions:
                    if m.group in active and m.alias not in seen.setdefault(m.group, []):
                        seen[m.group].append(m.alias)
                for group, aliases in seen.items():
                    reasons.append(f"group {group} (as {', '.join(repr(a) for a in aliases)})")
                for group, role in passing_groups(mentions).items():
                    how = "as a government" if role == "government" else "in the name of a war"
                    reasons.append(f"group {group} named only {how}: a passing mention, "
                                   "not counted")
            candidates = candidates_of(text, self.gazetteer)
            if candidates:
                reasons.extend(f"candidate group {c!r} (not in gazetteer)" for c in candidates)
            scene = scene_of(ledes[i])  # where: from the lede, as the model reads it
            if scene.places and any(flags):
                reasons.append(geo_reason(scene))
            out.append(
                Evidence(
                    labels=dict(zip(labels, map(round, row, fours), strict=True)),
                    groups=tuple(seen), candidates=candidates, reasons=tuple(reasons),
                    model_version=self.version, places=scene.places,
                )
            )
        return out

    def analyze(self, articles: Sequence[Article]) -> list[Evidence]:
        return self.analyze_texts([a.text for a in articles])


def load_analyzer(model_dir: str | Path) -> ModelAnalyzer:
    """The analyzer of the model in ``model_dir``: its inference export when it has one."""
    from classifiers.artifact import load_predictor

    model, meta = load_predictor(model_dir)
    return ModelAnalyzer(model, meta)
