"""The newswatch text classifier: a multi-label scikit-learn estimator.

Features: word 1-2-grams and character 4-grams inside words of the lede (the first
``MAX_CHARS`` characters; one TF-IDF vocabulary, sublinear tf; see
:class:`classifiers.vectorizer.TextVectorizer`) plus the gazetteer/cue block of
:mod:`classifiers.features` (groups from the whole text), into one logistic regression per
label, beside the geography block of :mod:`classifiers.geofeatures` (on the lede);
``fit`` takes per-example ``sample_weight`` (the user's feedback weighs more).
Decisions use per-label thresholds (``thresholds_``) chosen on held-out data by
:mod:`classifiers.training`.
Follows the estimator contract: parameters stored unmodified in ``__init__``, fitted state in
attributes ending in ``_``, ``get_params``/``set_params``/``clone`` work, seeded by
``random_state``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from classifiers.base import LABELS
from classifiers.explain import char_mask, top_terms
from classifiers.features import CueFeatures
from classifiers.gazetteer import Gazetteer
from classifiers.geofeatures import GeoFeatures
from classifiers.linear import LinearScores
from classifiers.text import LEDE_CHARS, ledes, model_texts
from classifiers.vectorizer import TextVectorizer

MAX_CHARS = LEDE_CHARS  # n-grams read title + lede; the gazetteer reads the whole text


class NewsClassifier(LinearScores, ClassifierMixin, BaseEstimator):
    def __init__(
        self,
        labels: Sequence[str] = LABELS,
        C: float = 4.0,
        word_ngrams: tuple[int, int] = (1, 2),
        char_ngrams: tuple[int, int] | None = (4, 4),
        min_df: int = 2,
        max_features: int | None = 300_000,
        cue_weight: float = 1.0,
        geo_weight: float = 1.0,
        class_weight: str | None = "balanced",
        random_state: int | None = None,
    ):
        self.labels = labels
        self.C = C
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.max_features = max_features
        self.cue_weight = cue_weight
        self.geo_weight = geo_weight
        self.class_weight = class_weight
        self.random_state = random_state

    # -- fitting ---------------------------------------------------------------------------
    def fit(self, X: Iterable[str], Y: object, sample_weight: object = None,
            gazetteer: Gazetteer | None = None) -> NewsClassifier:
        texts = self._texts(X)
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
        if weights is not None and weights.shape != (len(texts),):
            raise ValueError(f"sample_weight has shape {weights.shape}; expected ({len(texts)},)")
        Y = np.asarray(Y)
        if Y.ndim == 1:
            Y = Y.reshape(-1, 1)
        if Y.shape != (len(texts), len(self.labels)):
            raise ValueError(
                f"Y has shape {Y.shape}; expected ({len(texts)}, {len(self.labels)}) "
                f"for labels {list(self.labels)}"
            )
        Y = Y.astype(int)
        for j, label in enumerate(self.labels):
            if len(np.unique(Y[:, j])) < 2:
                raise ValueError(f"label {label!r}: training data needs positives and negatives")
        word_min_df = self.min_df if len(texts) >= 10 * self.min_df else 1
        char = tuple(self.char_ngrams) if self.char_ngrams else None
        self.text_ = TextVectorizer(
            word_ngrams=tuple(self.word_ngrams), char_ngrams=char, min_df=word_min_df,
            max_features=self.max_features,
        )
        self.cues_ = CueFeatures(weight=self.cue_weight)
        self.cues_.fit(texts)
        self.geo_ = GeoFeatures(weight=self.geo_weight).fit(texts)
        heads = ledes(texts)
        Xm = sparse.hstack(
            [self.text_.fit_transform(heads), self.cues_.transform(texts, gazetteer),
             self.geo_.transform(heads)],
            format="csr",
        )
        coefs, intercepts = [], []
        for j in range(len(self.labels)):
            lr = LogisticRegression(
                C=self.C, class_weight=self.class_weight, solver="liblinear", dual=True,
                max_iter=2000,
                random_state=self.random_state,
            ).fit(Xm, Y[:, j], sample_weight=weights)
            coefs.append(lr.coef_[0])
            intercepts.append(lr.intercept_[0])
        self.coef_ = np.vstack(coefs)  # (n_labels, n_features)
        self.intercept_ = np.array(intercepts)
        self.classes_ = np.array(self.labels, dtype=object)
        self.thresholds_ = np.full(len(self.labels), 0.5)
        self.n_features_in_ = 1  # one text column
        self._names_cache = self._is_char = None
        return self

    @staticmethod
    def _texts(X: Iterable[str]) -> list[str]:
        return model_texts(X)

    # -- prediction ------------------------------------------------------------------------
    def transform_features(
        self, X: Iterable[str], gazetteer: Gazetteer | None = None
    ) -> sparse.csr_matrix:
        check_is_fitted(self, "coef_")
        texts = self._texts(X)
        heads = ledes(texts)
        return sparse.hstack(
            [self.text_.transform(heads), self.cues_.transform(texts, gazetteer),
             self.geo_.transform(heads)],
            format="csr",
        )

    def _decision(self, Xm: sparse.csr_matrix) -> np.ndarray:
        return np.asarray(Xm @ self.coef_.T) + self.intercept_

    def score(self, X: Iterable[str], Y: object, sample_weight: object = None) -> float:
        from sklearn.metrics import f1_score

        return float(f1_score(np.asarray(Y), self.predict(X), average="macro", zero_division=0))

    # -- explanations ----------------------------------------------------------------------
    def feature_names(self) -> np.ndarray:
        if getattr(self, "_names_cache", None) is None:
            self._names_cache = np.concatenate(
                [self.text_.get_feature_names_out(), self.cues_.get_feature_names_out(),
                 self.geo_.get_feature_names_out()]
            )
        return self._names_cache

    def explain_rows(
        self, Xm: sparse.csr_matrix, label_index: int, rows: Sequence[int], top: int = 5
    ) -> list[list[tuple[str, float]]]:
        """Top positive contributions (coefficient x feature value) of words and cue features
        (character n-grams are left out: they are not readable)."""
        names = self.feature_names()
        if getattr(self, "_is_char", None) is None:
            self._is_char = char_mask(names)
        coef = self.coef_[label_index]
        indptr, indices, data = Xm.indptr, Xm.indices, Xm.data
        return [top_terms(names, self._is_char, coef, indices[indptr[r] : indptr[r + 1]],
                          data[indptr[r] : indptr[r + 1]], top) for r in rows]
