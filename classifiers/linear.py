"""Probabilities and decisions of a one-vs-rest linear model, shared by the estimator
(:class:`classifiers.model.NewsClassifier`) and the inference export
(:class:`classifiers.scorer.InferenceModel`): both only say how they turn texts into features
(``transform_features``) and features into logits (``_decision``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from classifiers.gazetteer import Gazetteer


class LinearScores:
    thresholds_: np.ndarray

    def transform_features(self, X: Iterable[str], gazetteer: Gazetteer | None = None) -> Any:
        raise NotImplementedError

    def _decision(self, Xm: Any) -> np.ndarray:
        raise NotImplementedError

    def decision_function(self, X: Iterable[str]) -> np.ndarray:
        return self._decision(self.transform_features(X))

    def predict_proba(self, X: Iterable[str]) -> np.ndarray:
        """(n_samples, n_labels) probabilities, one column per label in ``classes_``."""
        return 1.0 / (1.0 + np.exp(-self.decision_function(X)))

    def predict_proba_with(self, X: Iterable[str], gazetteer: Gazetteer | None) -> np.ndarray:
        """:meth:`predict_proba` with the groups of ``gazetteer`` (None: the bundled ones)."""
        return 1.0 / (1.0 + np.exp(-self._decision(self.transform_features(X, gazetteer))))

    def predict(self, X: Iterable[str]) -> np.ndarray:
        """(n_samples, n_labels) 0/1 indicator matrix using ``thresholds_``."""
        return (self.predict_proba(X) >= self.thresholds_).astype(int)
