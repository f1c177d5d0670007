"""Session fixtures: the classifier is trained once per test session, into a temp dir.

The same model is also placed in a temp default-model cache (``NEWSWATCH_CACHE_DIR``) so CLI
runs that build the default model (``newswatch replay`` with the bundled config) reuse it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from classifiers.analyzer import ModelAnalyzer
from classifiers.artifact import load_model, save_model
from classifiers.corpus import load_corpus
from classifiers.defaults import DEFAULT_SEED, _cache_key
from classifiers.training import train


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    cache = tmp_path_factory.mktemp("model-cache")
    examples = load_corpus()
    model, meta = train(examples, seed=DEFAULT_SEED)
    save_model(model, cache / _cache_key(examples), meta)
    save_model(model, cache / "session", meta)
    old = os.environ.get("NEWSWATCH_CACHE_DIR")
    os.environ["NEWSWATCH_CACHE_DIR"] = str(cache)
    yield cache
    if old is None:
        os.environ.pop("NEWSWATCH_CACHE_DIR", None)
    else:
        os.environ["NEWSWATCH_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def model_dir(model_cache: Path) -> Path:
    return model_cache / "session"


@pytest.fixture(scope="session")
def analyzer(model_dir: Path) -> ModelAnalyzer:
    return ModelAnalyzer(*load_model(model_dir))
