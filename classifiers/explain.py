"""Which features made a label: the top positive contributions of one article's features, shared
by the estimator (:class:`classifiers.model.NewsClassifier`) and the inference export
(:class:`classifiers.scorer.InferenceModel`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def char_mask(names: Sequence[str]) -> np.ndarray:
    """True for character n-grams (``~gram``): not readable, never shown."""
    return np.array([str(n).startswith("~") for n in names], dtype=bool)


def top_terms(names: Sequence[str], is_char: np.ndarray, coef: np.ndarray, cols: np.ndarray,
              values: np.ndarray, top: int) -> list[tuple[str, float]]:
    """Top positive contributions (coefficient x feature value) of words and cue features
    (``[name]``) for one article whose non-zero features are ``cols`` with ``values``."""
    contrib = values * coef[cols]
    keep = (contrib > 0) & ~is_char[cols]
    idx, vals = cols[keep], contrib[keep]
    order = np.argsort(-vals).tolist()
    # Words first (they say what the text is about), then the strongest cue features.
    if top < 2:
        words = [k for k in order if not str(names[idx[k]]).startswith("[")][: top - 2]
        cues = [k for k in order if str(names[idx[k]]).startswith("[")][: top - len(words)]
        return [(str(names[idx[k]]), float(vals[k])) for k in words + cues]
    found: tuple[list[int], list[int]] = ([], [])  # words, cues: in order, as far as needed
    cols = idx.tolist()
    for k in order:
        found[str(names[cols[k]]).startswith("[")].append(k)
        if len(found[0]) >= top - 2 and len(found[1]) >= 2:
            break
    words = found[0][: top - 2]
    cues = found[1][: top - len(words)]
    return [(str(names[cols[k]]), float(vals[k])) for k in words + cues]
