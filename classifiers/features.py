"""Gazetteer and cue-word features: a small dense block beside the word and char n-grams.

They carry what n-grams learnt from our corpus cannot: that an unseen alias names a group,
that border and violence words occur together, that a "raid" story is about police or trade.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin

from classifiers.gazetteer import Mention, default_gazetteer
from classifiers.lexicon import ARMED, BORDER, OFF_TOPIC, VIOLENCE
from classifiers.text import folded_tokens

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


@lru_cache(maxsize=4096)
def mentions_of(text: str) -> tuple[Mention, ...]:
    """Gazetteer mentions, cached: features and explanations of one batch share them."""
    return tuple(default_gazetteer().mentions(text))


@lru_cache(maxsize=4096)
def candidates_of(text: str) -> tuple[str, ...]:
    return tuple(default_gazetteer().candidates(text, mentions_of(text)))


def cue_vector(text: str) -> list[float]:
    low = folded_tokens(text)
    mentions = mentions_of(text)
    groups = {m.group for m in mentions}
    armed = len([t for t in low if t in ARMED])
    border = len([t for t in low if t in BORDER])
    violence = len([t for t in low if t in VIOLENCE])
    off = len([t for t in low if t in OFF_TOPIC])
    candidates = candidates_of(text) if armed else ()
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
