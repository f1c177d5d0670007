"""Where the model and the user corpus live, and building the default model when none exists."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import shutil
from pathlib import Path

from classifiers.artifact import META_FILE, environment, load_model, save_model
from classifiers.corpus import Example, corpus_hash, load_corpus, read_jsonl
from classifiers.model import NewsClassifier
from classifiers.training import Progress, train
from newswatch.config import Config

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
    """Load the configured model; build the default one first if it does not exist yet."""
    directory = model_dir(config)
    if not (directory / META_FILE).exists():
        examples = training_examples(config)
        cached = cache_dir() / _cache_key(examples)
        if (cached / META_FILE).exists():
            log.info("default model for this corpus found in %s", cached)
            shutil.copytree(cached, directory, dirs_exist_ok=True)
        else:
            log.warning("no model in %s: training one from the bundled corpus", directory)
            model, meta = train(examples, seed=DEFAULT_SEED, progress=progress)
            save_model(model, directory, meta)
            try:
                save_model(model, cached, meta)
            except OSError as exc:  # the cache is an optimisation only
                log.warning("cannot cache the default model in %s: %s", cached, exc)
    return load_model(directory)


def cache_dir() -> Path:
    """Where default models are kept across data dirs (``replay`` uses a fresh one each run):
    ``$NEWSWATCH_CACHE_DIR``, else ``$XDG_CACHE_HOME/newswatch``, else ``~/.cache/newswatch``."""
    if os.environ.get("NEWSWATCH_CACHE_DIR"):
        return Path(os.environ["NEWSWATCH_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "newswatch" / "models"


def _cache_key(examples: list[Example]) -> str:
    h = hashlib.sha256(json.dumps(environment(), sort_keys=True).encode())
    here = Path(__file__).parent
    names = ["model.py", "features.py", "lexicon.py", "gazetteer.py", "context.py",
             "candidates.py", "text.py", "training.py", "data/groups.json", "geofeatures.py",
             "data/territories.json"]
    names += [f"geo/{p.name}" for p in sorted((here / "geo").glob("*.py"))]
    for name in names:
        h.update((here / name).read_bytes())  # feature code and gazetteers shape the model
    return f"default-{corpus_hash(examples)[:16]}-{h.hexdigest()[:10]}"
