"""The geography block as a scikit-learn transformer (the features themselves are computed in
:mod:`classifiers.geocues`, which inference imports without scikit-learn)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin

from classifiers.geocues import FEATURES, geo_vector, place_mentions_of, scene_of, state_scene_of

__all__ = ["FEATURES", "GeoFeatures", "geo_vector", "place_mentions_of", "scene_of",
           "state_scene_of"]


class GeoFeatures(TransformerMixin, BaseEstimator):
    """Stateless transformer: texts -> sparse matrix of :data:`FEATURES` scaled by ``weight``."""

    def __init__(self, weight: float = 1.0):
        self.weight = weight

    def fit(self, X: Iterable[str], y: object = None) -> GeoFeatures:
        self.n_features_out_ = len(FEATURES)
        return self

    def transform(self, X: Iterable[str]) -> sparse.csr_matrix:
        rows = np.array([geo_vector(t) for t in X], dtype=np.float64).reshape(-1, len(FEATURES))
        return sparse.csr_matrix(rows * self.weight)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.array([f"[{name}]" for name in FEATURES], dtype=object)
