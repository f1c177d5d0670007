"""A fast TF-IDF vectorizer for short news texts: word n-grams + character n-grams of words.

Same weighting as scikit-learn's ``TfidfVectorizer(sublinear_tf=True)`` (smooth idf, l2 norm),
but each distinct token's unigram and character n-gram columns are looked up once and cached,
and unknown n-grams cost a ``dict.get`` instead of an exception. That makes transform several
times faster than ``TfidfVectorizer(analyzer="char_wb")`` (tens of thousands of articles/s).
Character n-grams are named ``~<gram>`` (``<`` and ``>`` mark word edges).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import chain
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from classifiers.text import folded_tuple

CACHE_LIMIT = 300_000


class TextVectorizer(TransformerMixin, BaseEstimator):
    def __init__(
        self,
        word_ngrams: tuple[int, int] = (1, 2),
        char_ngrams: tuple[int, int] | None = (4, 4),
        min_df: int = 2,
        max_features: int | None = None,
    ):
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.max_features = max_features

    def _token_features(self, tok: str) -> list[str]:
        out = [tok] if self.word_ngrams[0] <= 1 else []
        if self.char_ngrams and len(tok) >= self.char_ngrams[0]:
            w = f"<{tok}>"
            for n in range(self.char_ngrams[0], self.char_ngrams[1] + 1):
                out += ["~" + w[i : i + n] for i in range(len(w) - n + 1)]
        return out

    def _ngrams(self, toks: Sequence[str]) -> list[str]:
        out: list[str] = []
        for n in range(max(2, self.word_ngrams[0]), self.word_ngrams[1] + 1):
            out += map(" ".join, zip(*(toks[k:] for k in range(n)), strict=False))
        return out

    def fit(self, X: Iterable[str], y: Any = None) -> TextVectorizer:
        df: Counter[str] = Counter()
        texts = list(X)
        for text in texts:
            toks = folded_tuple(text)
            feats = set(self._ngrams(toks))
            for tok in set(toks):
                feats.update(self._token_features(tok))
            df.update(feats)
        kept = [(f, c) for f, c in df.items() if c >= self.min_df]
        if self.max_features is not None and len(kept) > self.max_features:
            kept = sorted(kept, key=lambda fc: (-fc[1], fc[0]))[: self.max_features]
        names = sorted(f for f, _ in kept)
        self.vocabulary_ = {f: i for i, f in enumerate(names)}
        counts = np.array([df[f] for f in names], dtype=np.float64)
        self.idf_ = (np.log((1 + len(texts)) / (1 + counts)) + 1).astype(np.float32)
        self._cache: dict[str, tuple[int, ...]] = {}
        return self

    def fit_transform(self, X: Iterable[str], y: Any = None) -> sparse.csr_matrix:
        texts = list(X)
        return self.fit(texts).transform(texts)

    def transform(self, X: Iterable[str]) -> sparse.csr_matrix:
        check_is_fitted(self, "vocabulary_")
        vocab, get = self.vocabulary_, self.vocabulary_.get
        cache = self.__dict__.setdefault("_cache", {})
        if len(cache) > CACHE_LIMIT:
            cache.clear()
        pairs = self._pairs() if tuple(self.word_ngrams) == (1, 2) else None
        indptr: list[int] = [0]
        indices: list[int] = []
        extend, cached = indices.extend, cache.__getitem__
        for text in X:
            toks = folded_tuple(text)
            for tok in set(toks).difference(cache):
                cache[tok] = tuple(vocab[f] for f in self._token_features(tok) if f in vocab)
            extend(chain.from_iterable(map(cached, toks)))
            if pairs is not None:  # bigrams by (word, word) keys: no string joins
                bigrams = zip(toks, toks[1:], strict=False)
                extend([c for c in map(pairs.get, bigrams) if c is not None])
            else:
                extend([c for c in map(get, self._ngrams(toks)) if c is not None])
            indptr.append(len(indices))
        cols_arr = np.asarray(indices, dtype=np.int32)
        X = sparse.csr_matrix(
            (np.ones(len(cols_arr), dtype=np.float32), cols_arr, np.asarray(indptr)),
            shape=(len(indptr) - 1, len(vocab)),
        )
        X.sum_duplicates()
        X.data = (1.0 + np.log(X.data)) * self.idf_[X.indices]
        return normalize(X, copy=False)

    def _pairs(self) -> dict[tuple[str, ...], int]:
        """Bigram columns keyed by their two words (built on first use, not pickled)."""
        pairs = self.__dict__.get("_pairs_cache")
        if pairs is None:
            pairs = {tuple(f.split(" ")): i for f, i in self.vocabulary_.items()
                     if f.count(" ") == 1}
            self.__dict__["_pairs_cache"] = pairs
        return pairs

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "vocabulary_")
        names = np.empty(len(self.vocabulary_), dtype=object)
        for f, i in self.vocabulary_.items():
            names[i] = f
        return names

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("_cache", None)  # rebuilt on first use
        state.pop("_pairs_cache", None)
        return state
