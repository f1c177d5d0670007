"""Scoring with the inference export (numpy only): the same features, decisions and
explanations as :class:`classifiers.model.NewsClassifier`, for the classify stage and
``newswatch classify``.

:class:`InferenceModel` offers what :class:`classifiers.analyzer.ModelAnalyzer` uses of the
estimator (``classes_``, ``thresholds_``, ``transform_features``, ``_decision``,
``explain_rows``, ``predict_proba``). Decision values are summed in the estimator's order
(each article's text features by column, then the cue and geography features), so they are
the same floating-point numbers, not merely close ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from classifiers.cues import cue_vector
from classifiers.explain import top_terms
from classifiers.gazetteer import Gazetteer
from classifiers.geocues import geo_vector
from classifiers.linear import LinearScores
from classifiers.text import ledes, model_texts
from classifiers.tfidf import Rows, TfidfRows, row_sums


class Features:
    """One batch: the text block as sorted sparse rows, the cue and geography block dense."""

    __slots__ = ("text", "dense", "n_text")

    def __init__(self, text: Rows, dense: np.ndarray, n_text: int):
        self.text, self.dense, self.n_text = text, dense, n_text

    def row(self, r: int) -> tuple[np.ndarray, np.ndarray]:
        """Column indices and (float64) values of the non-zero features of article ``r``."""
        lo, hi = self.text.indptr[r], self.text.indptr[r + 1]
        block = np.flatnonzero(self.dense[r])
        cols = np.concatenate([self.text.col[lo:hi], block + self.n_text])
        values = np.concatenate([self.text.value[lo:hi].astype(np.float64), self.dense[r, block]])
        return cols, values


class InferenceModel(LinearScores):
    def __init__(self, export: dict[str, Any], thresholds: Sequence[float]):
        self.names = export["names"]
        self.n_text = export["n_text"]
        self.coef_, self.intercept_ = export["coef"], export["intercept"]
        self.classes_ = np.array(export["labels"], dtype=object)
        self.thresholds_ = np.asarray(thresholds, dtype=float)
        self.cue_weight, self.geo_weight = export["cue_weight"], export["geo_weight"]
        self.text_ = TfidfRows(export["tables"], self.n_text, export["idf"], export["unigrams"],
                               export["chars"])
        self._is_char = np.zeros(self.coef_.shape[1], dtype=bool)
        self._is_char[list(export["tables"]["grams"].values())] = True  # "~gram" columns

    def transform_features(self, X: Iterable[str], gazetteer: Gazetteer | None = None
                           ) -> Features:
        texts = model_texts(X)
        heads = ledes(texts)
        n_dense = self.coef_.shape[1] - self.n_text
        cue = np.array([cue_vector(t, gazetteer) for t in texts], dtype=np.float64)
        geo = np.array([geo_vector(t) for t in heads], dtype=np.float64)
        dense = np.hstack([cue.reshape(len(texts), -1) * self.cue_weight,
                           geo.reshape(len(texts), -1) * self.geo_weight])
        if dense.shape[1] != n_dense:
            raise ValueError(f"{dense.shape[1]} cue and geography features, model has {n_dense}")
        return Features(self.text_.transform(heads), dense, self.n_text)

    def _decision(self, Xm: Features) -> np.ndarray:
        rows = Xm.text
        n = len(rows.indptr) - 1
        out = np.empty((n, len(self.classes_)))
        for j, coef in enumerate(self.coef_):
            # The text features' products added one after another, then the dense block's, as
            # scipy's sparse product adds them (numpy's sum along a row would pair them up).
            total = row_sums(rows.row, rows.value.astype(np.float64) * coef[rows.col], n)
            for k, c in enumerate(coef[self.n_text :]):
                total += Xm.dense[:, k] * c
            out[:, j] = total
        return out + self.intercept_

    def feature_names(self) -> np.ndarray:
        return np.array(self.names, dtype=object)

    def explain_rows(self, Xm: Features, label_index: int, rows: Sequence[int], top: int = 5
                     ) -> list[list[tuple[str, float]]]:
        coef = self.coef_[label_index]
        return [top_terms(self.names, self._is_char, coef, *Xm.row(r), top) for r in rows]
