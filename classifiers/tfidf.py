"""TF-IDF rows for inference, in numpy only: the exported vocabulary of
:class:`classifiers.vectorizer.TextVectorizer` applied to a batch of ledes.

Python touches each token once (one dict lookup: token -> token id); the columns of every
token (its word and character n-grams), the word bigrams and the counting are numpy operations
over the whole batch. A token seen for the first time gets its columns once (kept for later
texts, up to :data:`TOKEN_LIMIT` tokens). The weights are computed as scikit-learn computes
them (float32, sublinear tf, l2 norm summed in row order), so the values are the same bits.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from functools import partial
from itertools import chain, compress, repeat
from operator import is_, is_not
from typing import Any

import numpy as np

from classifiers.text import folded_tuple

TOKEN_LIMIT = 300_000
KEYS_32 = 2**31 - 1  # (row, column) keys up to this are counted as 32-bit integers
_KNOWN = partial(is_not, None)  # a column found (0 is a column)


class Rows:
    """Sorted sparse rows: ``row[k]``, ``col[k]``, float32 ``value[k]``; ``indptr`` per text."""

    __slots__ = ("indptr", "row", "col", "value")

    def __init__(self, indptr: np.ndarray, row: np.ndarray, col: np.ndarray, value: np.ndarray):
        self.indptr, self.row, self.col, self.value = indptr, row, col, value


def lookup_tables(vocabulary: dict[str, int]) -> dict[str, Any]:
    """The vocabulary as :class:`TfidfRows` reads it (written into the export): words, character
    n-grams (without their ``~``) and bigrams as (first word id * words + second word id) keys,
    sorted, with their columns."""
    words = {f: i for f, i in vocabulary.items() if f[:1] != "~" and " " not in f}
    grams = {f[1:]: i for f, i in vocabulary.items() if f[:1] == "~"}
    pairs = [(*f.split(" "), i) for f, i in vocabulary.items() if " " in f]
    pair_words: dict[str, int] = {}
    for first, second, _ in pairs:
        pair_words.setdefault(first, len(pair_words))
        pair_words.setdefault(second, len(pair_words))
    n = max(1, len(pair_words))
    keys = np.array([pair_words[a] * n + pair_words[b] for a, b, _ in pairs], dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    return {"words": words, "grams": grams, "pair_words": list(pair_words),
            "pair_keys": keys[order],
            "pair_cols": np.array([c for _, _, c in pairs], dtype=np.int64)[order]}


class TfidfRows:
    """The columns of :func:`lookup_tables`, ``idf`` weights; ``unigrams``: words are features;
    ``chars``: the character n-gram sizes (None: none)."""

    def __init__(self, tables: dict[str, Any], n_features: int, idf: np.ndarray,
                 unigrams: bool, chars: tuple[int, int] | None):
        self.n_features, self.idf = n_features, idf
        self.unigrams, self.chars = unigrams, chars
        self.words: dict[str, int] = tables["words"]
        self.grams: dict[str, int] = tables["grams"]
        words = tables["pair_words"]
        self.pair_words = dict(zip(words, range(len(words)), strict=True))
        self.n_pair_words = max(1, len(words))
        self.pair_keys, self.pair_cols = tables["pair_keys"], tables["pair_cols"]
        self._cuts: dict[int, list[slice]] = {}
        self._reset()

    def _reset(self) -> None:
        self.ids: dict[str, int] = {}
        self.starts, self.counts, self.word_ids = array("q"), array("q"), array("q")
        self.flat = array("q")

    def _cuts_of(self, width: int) -> list[slice]:
        """The character n-grams of a padded token ``width`` long, as slices, in the
        vectorizer's order (by size, then position): made once per width."""
        lo, hi = self.chars or (0, -1)
        cuts = [slice(i, i + n) for n in range(lo, hi + 1) for i in range(width - n + 1)]
        self._cuts[width] = cuts
        return cuts

    def _add(self, tokens: list[str]) -> None:
        """Columns of ``tokens`` (not seen before), appended in one go."""
        words = self.words if self.unigrams else {}
        grams, lo = self.grams, (self.chars or (0, -1))[0]
        flat: list[int] = []
        starts, counts, base = [], [], len(self.flat)
        for token in tokens:
            mark = len(flat)
            col = words.get(token)
            if col is not None:
                flat.append(col)
            if lo and len(token) >= lo:
                w = f"<{token}>"
                cuts = self._cuts.get(len(w)) or self._cuts_of(len(w))
                flat += filter(_KNOWN, map(grams.get, map(w.__getitem__, cuts)))
            starts.append(base + mark)
            counts.append(len(flat) - mark)
        first = len(self.starts)
        self.ids.update(zip(tokens, range(first, first + len(tokens)), strict=True))
        self.starts.extend(starts)
        self.counts.extend(counts)
        self.word_ids.extend(map(self.pair_words.get, tokens, repeat(-1)))
        self.flat.extend(flat)

    def token_ids(self, texts: Sequence[str]) -> tuple[list[int], list[int]]:
        """Token ids of every text, one list, and the number of tokens per text."""
        if len(self.ids) > TOKEN_LIMIT:
            self._reset()
        toks = [folded_tuple(text) for text in texts]
        known = self.ids
        flat = list(chain.from_iterable(toks))
        ids = list(map(known.get, flat))  # one lookup per token in the (large) table
        if None in ids:
            # Tokens first seen in this batch get their columns; only their places are redone.
            missing = list(compress(range(len(ids)), map(is_, ids, repeat(None))))
            self._add(list(dict.fromkeys(map(flat.__getitem__, missing))))
            for k in missing:
                ids[k] = known[flat[k]]
        return ids, list(map(len, toks))

    def transform(self, texts: Sequence[str]) -> Rows:
        ids_list, sizes = self.token_ids(texts)
        n = len(sizes)
        ids = np.array(ids_list, dtype=np.int64)
        token_row = np.repeat(np.arange(n, dtype=np.int64), sizes)
        # Each token's columns: a gather of its slice of the flat table.
        counts = np.frombuffer(self.counts, dtype=np.int64)[ids]
        starts = np.frombuffer(self.starts, dtype=np.int64)[ids]
        total = int(counts.sum())
        ends = np.cumsum(counts)
        at = np.arange(total, dtype=np.int64) - np.repeat(ends - counts - starts, counts)
        cols = [np.frombuffer(self.flat, dtype=np.int64)[at] if total else at]
        rows = [np.repeat(token_row, counts)]
        if len(self.pair_keys) and len(ids) > 1:
            words = np.frombuffer(self.word_ids, dtype=np.int64)[ids]
            keys = words[:-1] * self.n_pair_words + words[1:]
            pos = np.searchsorted(self.pair_keys, keys)
            pos[pos == len(self.pair_keys)] = 0
            hit = ((self.pair_keys[pos] == keys) & (words[:-1] >= 0) & (words[1:] >= 0)
                   & (token_row[:-1] == token_row[1:]))
            cols.append(self.pair_cols[pos[hit]])
            rows.append(token_row[:-1][hit])
        keys = np.concatenate(rows) * self.n_features + np.concatenate(cols)
        if n * self.n_features <= KEYS_32:  # sorted as 32-bit keys: twice as many per SIMD step
            keys = keys.astype(np.int32)
        keys, tf = np.unique(keys, return_counts=True)
        keys = keys.astype(np.int64, copy=False)
        row = keys // self.n_features
        col = keys - row * self.n_features
        value = (1.0 + np.log(tf.astype(np.float32))) * self.idf[col]
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(row, minlength=n), out=indptr[1:])
        # l2 norm as scikit-learn's normalize: float32 squares summed in double, in row order.
        norm = np.sqrt(row_sums(row, (value * value).astype(np.float64), n))
        norm[norm == 0.0] = 1.0
        value = (value.astype(np.float64) / norm[row]).astype(np.float32)
        return Rows(indptr, row, col, value)


def row_sums(row: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Each sparse row's ``values`` (in row order, ``row`` sorted) added one after another, as
    scipy's and scikit-learn's row loops add them (a sum along a padded row would add them
    pairwise: other last bits). ``bincount`` adds its weights in input order, in doubles, without
    the (longest row x rows) padded matrix this used to fill: one long text no longer costs the
    whole batch."""
    return np.bincount(row, weights=values, minlength=n)
