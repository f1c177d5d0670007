"""Gazetteer and cue-word features: a small dense block beside the word and char n-grams.

They carry what n-grams learnt from our corpus cannot: that an unseen alias names a group,
that border and violence words occur together, that a "raid" story is about police or trade.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin

from classifiers.gazetteer import default_gazetteer
from classifiers.lexicon import ARMED, BORDER, OFF_TOPIC, VIOLENCE
from classifiers.text import tokens

FEATURES = (
    "group named",
    "groups named (count)",
    "group named with armed words",
    "candidate group name",
    "armed words",
    "border words",
    "violence words",
    "border and violence words",
    "border words and a group",
    "off-topic words (police, trade, sport...)",
)


def _log(n: int) -> float:
    return math.log1p(n)


def cue_vector(text: str) -> list[float]:
    gaz = default_gazetteer()
    low = [t.casefold() for t in tokens(text)]
    mentions = gaz.mentions(text)
    groups = {m.group for m in mentions}
    armed = sum(t in ARMED for t in low)
    border = sum(t in BORDER for t in low)
    violence = sum(t in VIOLENCE for t in low)
    off = sum(t in OFF_TOPIC for t in low)
    candidates = gaz.candidates(text, mentions) if armed else []
    return [
        float(bool(groups)),
        _log(len(groups)),
        float(bool(groups) and armed > 0),
        float(bool(candidates)),
        _log(armed),
        _log(border),
        _log(violence),
        float(border > 0 and violence > 0),
        float(border > 0 and bool(groups or candidates)),
        _log(off),
    ]


class CueFeatures(TransformerMixin, BaseEstimator):
    """Stateless transformer: texts -> sparse matrix of :data:`FEATURES` scaled by ``weight``."""

    def __init__(self, weight: float = 1.0):
        self.weight = weight

    def fit(self, X: Iterable[str], y: object = None) -> CueFeatures:
        self.n_features_out_ = len(FEATURES)
        return self

    def transform(self, X: Iterable[str]) -> sparse.csr_matrix:
        rows = np.array([cue_vector(t) for t in X], dtype=np.float64).reshape(-1, len(FEATURES))
        return sparse.csr_matrix(rows * self.weight)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.array([f"[{name}]" for name in FEATURES], dtype=object)
