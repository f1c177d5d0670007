"""The estimator contract (the parts of sklearn's check_estimator that apply to a text
classifier) and save/load with metadata and version checks."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import (
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
)

from classifiers.artifact import ModelError, load_model, save_model
from classifiers.model import LABELS, NewsClassifier

RAID = "Militants crossed the border from {} and attacked an army post near a village"
GROUP = "The {} claimed responsibility for an ambush on a convoy"
BOTH = "Fighters of the {} raided a border district after crossing from the neighbouring country"
NEG = "The city council of {} approved a new budget for parks and schools"
PLACES = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel"]
GROUPS = ["Arakan Army", "Hamas", "Houthis", "Taliban", "M23", "Boko Haram", "Fano", "Hezbollah"]


def small_data() -> tuple[list[str], np.ndarray]:
    X, Y = [], []
    for p, g in zip(PLACES, GROUPS, strict=True):
        X += [RAID.format(p), GROUP.format(g), BOTH.format(g), NEG.format(p)]
        Y += [[1, 0], [0, 1], [1, 1], [0, 0]]
    return X, np.array(Y)


@pytest.fixture(scope="module")
def fitted() -> NewsClassifier:
    X, Y = small_data()
    return NewsClassifier(random_state=0, min_df=1).fit(X, Y)


def test_sklearn_parameter_checks():
    check_parameters_default_constructible("NewsClassifier", NewsClassifier())
    check_no_attributes_set_in_init("NewsClassifier", NewsClassifier())
    check_get_params_invariance("NewsClassifier", NewsClassifier())
    check_set_params("NewsClassifier", NewsClassifier())


def test_params_roundtrip_clone_and_unmodified_by_fit():
    est = NewsClassifier(C=2.0, char_ngrams=(3, 4), random_state=7)
    assert est.get_params()["C"] == 2.0
    est.set_params(C=3.0)
    assert est.C == 3.0
    before = est.get_params()
    X, Y = small_data()
    est.fit(X, Y)
    assert est.get_params() == before  # fit must not change parameters
    fresh = clone(est)
    assert fresh.get_params() == before and not hasattr(fresh, "coef_")


def test_not_fitted_and_bad_input_errors():
    with pytest.raises(NotFittedError):
        NewsClassifier().predict(["x"])
    X, Y = small_data()
    with pytest.raises(ValueError, match="expected"):
        NewsClassifier().fit(X, Y[:, :1])
    with pytest.raises(ValueError, match="not a single string"):
        NewsClassifier().fit("text", Y)
    with pytest.raises(ValueError, match="positives and negatives"):
        NewsClassifier().fit(X, np.zeros_like(Y))


def test_fitted_attributes_shapes_and_consistency(fitted: NewsClassifier):
    X, Y = small_data()
    assert list(fitted.classes_) == list(LABELS)
    for attr in ("coef_", "intercept_", "thresholds_", "text_", "cues_"):
        assert hasattr(fitted, attr)
    proba = fitted.predict_proba(X)
    assert proba.shape == (len(X), 2) and ((proba >= 0) & (proba <= 1)).all()
    dec = fitted.decision_function(X)
    assert (np.diff(proba[np.argsort(dec[:, 0]), 0]) >= 0).all()  # same order
    assert fitted.predict(X).shape == Y.shape
    assert fitted.score(X, Y) > 0.9  # it can learn its own training data


def test_same_seed_same_model():
    X, Y = small_data()
    a = NewsClassifier(random_state=3, min_df=1).fit(X, Y)
    b = NewsClassifier(random_state=3, min_df=1).fit(X, Y)
    assert np.array_equal(a.coef_, b.coef_)


def test_save_load_roundtrip_with_metadata(fitted: NewsClassifier, tmp_path):
    fitted.thresholds_ = np.array([0.4, 0.6])
    directory = save_model(fitted, tmp_path / "m", {"corpus_hash": "abc", "seed": 0})
    model, meta = load_model(directory)
    assert meta["labels"] == list(LABELS) and meta["thresholds"] == [0.4, 0.6]
    assert meta["corpus_hash"] == "abc"
    assert {"scikit-learn", "numpy", "python", "newswatch"} <= set(meta["versions"])
    X, _ = small_data()
    assert np.allclose(model.predict_proba(X), fitted.predict_proba(X))
    assert list(model.thresholds_) == [0.4, 0.6]


def test_load_refuses_other_library_versions(fitted: NewsClassifier, tmp_path):
    directory = save_model(fitted, tmp_path / "m", {})
    meta_path = directory / "model.json"
    meta = json.loads(meta_path.read_text())
    meta["versions"]["scikit-learn"] = "0.24.2"
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ModelError, match=r"scikit-learn 0\.24\.2 \(installed: .*newswatch train"):
        load_model(directory)
    with pytest.raises(ModelError, match="no model metadata"):
        load_model(tmp_path / "missing")
