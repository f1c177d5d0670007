"""Where the model and the user corpus live, and building the default model when none exists."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from classifiers.artifact import (
    META_FILE,
    ModelError,
    add_export,
    environment,
    has_export,
    load_model,
    load_predictor,
    save_model,
)
from classifiers.corpus import Example, corpus_hash, load_corpus, read_jsonl
from classifiers.sources import code_hash
from newswatch.config import Config

if TYPE_CHECKING:
    from classifiers.model import NewsClassifier
    from classifiers.scorer import InferenceModel

Progress = Callable[[str], None]  # as classifiers.training.Progress (not imported: scikit-learn)

log = logging.getLogger("newswatch.classify")
DEFAULT_SEED = 0


def model_dir(config: Config) -> Path:
    path = config.classifier.model_path
    return Path(path) if path else Path(config.service.data_dir) / "models" / "default"


def user_corpus_path(config: Config) -> Path:
    path = config.classifier.user_corpus_path
    return Path(path) if path else Path(config.service.data_dir) / "corpus" / "user.jsonl"


def training_examples(config: Config, extra: list[str] | None = None) -> list[Example]:
    """Bundled corpus + user feedback (+ extra files), user examples last; the user's feedback
    carries ``[classifier] feedback_weight``."""
    examples = load_corpus()
    user = user_corpus_path(config)
    if user.exists():
        weight = config.classifier.feedback_weight
        examples.extend(
            dataclasses.replace(e, weight=weight, feedback=True) for e in read_jsonl(user)
        )
    for path in extra or []:
        examples.extend(read_jsonl(path))
    return examples


def ensure_model(
    config: Config, progress: Progress | None = None
) -> tuple[NewsClassifier, dict]:
    """The configured model as an estimator (training, evaluation): built first when there is
    none; the default model is also rebuilt when it cannot be loaded (see :func:`_ensure`)."""
    return _ensure(config, progress, lambda d: load_model(d))


def ensure_predictor(
    config: Config, progress: Progress | None = None
) -> tuple[InferenceModel | NewsClassifier, dict]:
    """The configured model as classifying needs it: its inference export (numpy only, fast to
    start), else the estimator. A default model saved without an export gets one."""
    def load(directory: Path) -> tuple[InferenceModel | NewsClassifier, dict]:
        if is_default(config) and not has_export(directory):
            try:
                if add_export(directory):
                    log.info("default model in %s: inference export written (faster start-up)",
                             directory)
            except OSError as exc:  # the export only saves start-up time
                log.warning("cannot write the inference export in %s: %s", directory, exc)
        return load_predictor(directory)

    return _ensure(config, progress, load)


def is_default(config: Config) -> bool:
    """True when the model is the default one (not a ``[classifier] model_path`` of the user's):
    built from the bundled corpus and the user's feedback, so it can be rebuilt at will."""
    return not config.classifier.model_path


def _ensure(config: Config, progress: Progress | None, load: Callable[[Path], Any]) -> Any:
    """Build the model first when its directory has none. A default model that cannot be
    loaded (built by an older newswatch, other library versions, damaged files) or that is stale
    (its sidecar's ``code`` is not :func:`classifiers.sources.code_hash`: feature code or bundled
    corpus changed) is rebuilt, with a log line saying why; a model the user configured keeps
    the error (ModelError) and is used as it is."""
    directory = model_dir(config)
    if not (directory / META_FILE).exists():
        _build(config, directory, progress, f"no model in {directory}")
        return load(directory)
    try:
        loaded = load(directory)
    except ModelError as exc:
        if not is_default(config):
            raise
        _build(config, directory, progress, f"the default model cannot be used: {exc}")
        return load(directory)
    if is_default(config) and loaded[1].get("code") != code_hash():
        _build(config, directory, progress, f"the default model in {directory} was built by "
               "other classifier code or from another bundled corpus")
        return load(directory)
    return loaded


def _build(config: Config, directory: Path, progress: Progress | None, why: str) -> None:
    examples = training_examples(config)
    cached = cache_dir() / _cache_key(examples)
    if (cached / META_FILE).exists():
        log.info("%s; default model for this corpus found in %s", why, cached)
        shutil.rmtree(directory, ignore_errors=True)
        shutil.copytree(cached, directory, dirs_exist_ok=True)
        return
    log.warning("%s; training one from the bundled corpus%s", why,
                " and your feedback" if user_corpus_path(config).exists() else "")
    from classifiers.training import train

    model, meta = train(examples, seed=DEFAULT_SEED, progress=progress)
    save_model(model, directory, meta)
    try:
        save_model(model, cached, meta)
    except OSError as exc:  # the cache is an optimisation only
        log.warning("cannot cache the default model in %s: %s", cached, exc)


def cache_dir() -> Path:
    """Where default models are kept across data dirs (``replay`` uses a fresh one each run):
    ``$NEWSWATCH_CACHE_DIR``, else ``$XDG_CACHE_HOME/newswatch``, else ``~/.cache/newswatch``."""
    if os.environ.get("NEWSWATCH_CACHE_DIR"):
        return Path(os.environ["NEWSWATCH_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "newswatch" / "models"


def _cache_key(examples: list[Example]) -> str:
    h = hashlib.sha256(json.dumps(environment(), sort_keys=True).encode())
    h.update(code_hash().encode())  # feature code and bundled data shape the model
    return f"default-{corpus_hash(examples)[:16]}-{h.hexdigest()[:10]}"
