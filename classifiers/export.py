"""The inference export: what scoring needs from a trained model, as plain numpy arrays in
``model.npz`` beside ``model.joblib`` (written by :func:`classifiers.artifact.save_model`).

Feature names in column order (words, bigrams, ``~`` character n-grams, then the ``[cue]`` and
``[geography]`` features), idf weights, coefficients and intercepts, the labels, the n-gram
settings and the block weights. Loading it needs numpy only (no pickle, no scikit-learn or
scipy import), so a one-line ``newswatch classify`` starts fast; the estimator stays the
reference (:mod:`classifiers.scorer` is tested equal to its ``predict_proba``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from classifiers.text import LEDE_CHARS

if TYPE_CHECKING:
    from classifiers.model import NewsClassifier

EXPORT_FILE = "model.npz"
FORMAT = 1


class ExportError(ValueError):
    """An export that does not fit this newswatch (other format or feature code)."""


def _text(value: list[str]) -> np.ndarray:
    return np.frombuffer("\n".join(value).encode("utf-8"), dtype=np.uint8)


def _strings(array: np.ndarray) -> list[str]:
    return array.tobytes().decode("utf-8").split("\n")


def exportable(model: NewsClassifier) -> bool:
    """Word n-grams up to bigrams (trigrams and longer are scored by the estimator only)."""
    return tuple(model.word_ngrams)[1] <= 2


def write_export(model: NewsClassifier, path: str | Path) -> None:
    from classifiers.tfidf import lookup_tables

    names = [str(n) for n in model.feature_names()]
    char = tuple(model.char_ngrams) if model.char_ngrams else (0, 0)
    tables = lookup_tables(model.text_.vocabulary_)
    with open(path, "wb") as f:
        np.savez(
            f, format=np.array([FORMAT]), names=_text(names),
            n_text=np.array([len(model.text_.vocabulary_)]),
            idf=np.asarray(model.text_.idf_, dtype=np.float32),
            coef=np.asarray(model.coef_, dtype=np.float64),
            intercept=np.asarray(model.intercept_, dtype=np.float64),
            labels=_text([str(c) for c in model.classes_]),
            weights=np.array([model.cue_weight, model.geo_weight], dtype=np.float64),
            ngrams=np.array([int(tuple(model.word_ngrams)[0] <= 1), *char]),
            lede_chars=np.array([LEDE_CHARS]),
            words=_text(list(tables["words"])),
            word_cols=np.array(list(tables["words"].values()), dtype=np.int64),
            grams=_text(list(tables["grams"])),
            gram_cols=np.array(list(tables["grams"].values()), dtype=np.int64),
            pair_words=_text(tables["pair_words"]), pair_keys=tables["pair_keys"],
            pair_cols=tables["pair_cols"],
        )


def _table(array: np.ndarray, cols: np.ndarray) -> dict[str, int]:
    return dict(zip(_strings(array), cols.tolist(), strict=True)) if len(cols) else {}


def read_export(path: str | Path) -> dict[str, Any]:
    """The export's fields (ExportError when it does not fit this newswatch's feature code)."""
    from classifiers import cues, geocues

    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    if int(arrays["format"][0]) != FORMAT:
        raise ExportError(f"export format {int(arrays['format'][0])}, expected {FORMAT}")
    names = _strings(arrays["names"])
    n_text = int(arrays["n_text"][0])
    blocks = [f"[{n}]" for n in (*cues.FEATURES, *geocues.FEATURES)]
    if names[n_text:] != blocks or int(arrays["lede_chars"][0]) != LEDE_CHARS:
        raise ExportError("its cue or geography features are not this newswatch's")
    unigrams, lo, hi = (int(v) for v in arrays["ngrams"])
    pair_words = _strings(arrays["pair_words"]) if len(arrays["pair_keys"]) else []
    return {
        "names": names, "n_text": n_text, "idf": arrays["idf"], "coef": arrays["coef"],
        "intercept": arrays["intercept"], "labels": _strings(arrays["labels"]),
        "cue_weight": float(arrays["weights"][0]), "geo_weight": float(arrays["weights"][1]),
        "unigrams": bool(unigrams), "chars": (lo, hi) if lo else None,
        "tables": {"words": _table(arrays["words"], arrays["word_cols"]),
                   "grams": _table(arrays["grams"], arrays["gram_cols"]),
                   "pair_words": pair_words, "pair_keys": arrays["pair_keys"],
                   "pair_cols": arrays["pair_cols"]},
    }
