"""The gazetteer and cue-word block as a scikit-learn transformer (the features themselves are
computed in :mod:`classifiers.cues`, which inference imports without scikit-learn)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin

from classifiers.cues import FEATURES, candidates_of, cue_vector, mentions_of
from classifiers.gazetteer import Gazetteer

__all__ = ["FEATURES", "CueFeatures", "candidates_of", "cue_vector", "mentions_of"]


class CueFeatures(TransformerMixin, BaseEstimator):
    """Stateless transformer: texts -> sparse matrix of :data:`FEATURES` scaled by ``weight``."""

    def __init__(self, weight: float = 1.0):
        self.weight = weight

    def fit(self, X: Iterable[str], y: object = None) -> CueFeatures:
        self.n_features_out_ = len(FEATURES)
        return self

    def transform(self, X: Iterable[str], gazetteer: Gazetteer | None = None) -> sparse.csr_matrix:
        """``gazetteer``: the groups to look for (default: the bundled ones)."""
        rows = np.array([cue_vector(t, gazetteer) for t in X], dtype=np.float64)
        rows = rows.reshape(-1, len(FEATURES))
        return sparse.csr_matrix(rows * self.weight)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.array([f"[{name}]" for name in FEATURES], dtype=object)
