"""Where the model and the user corpus live, and building the default model when none exists."""

from __future__ import annotations

import logging
from pathlib import Path

from classifiers.artifact import META_FILE, load_model, save_model
from classifiers.corpus import Example, load_corpus, read_jsonl
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
    """Bundled corpus + user feedback (+ extra files), user examples last."""
    examples = load_corpus()
    user = user_corpus_path(config)
    if user.exists():
        examples.extend(read_jsonl(user))
    for path in extra or []:
        examples.extend(read_jsonl(path))
    return examples


def ensure_model(
    config: Config, progress: Progress | None = None
) -> tuple[NewsClassifier, dict]:
    """Load the configured model; build the default one first if it does not exist yet."""
    directory = model_dir(config)
    if not (directory / META_FILE).exists():
        if config.classifier.model_path:
            log.warning("no model in %s: training one from the bundled corpus", directory)
        else:
            log.info("building the default model in %s (first run)", directory)
        model, meta = train(training_examples(config), seed=DEFAULT_SEED, progress=progress)
        save_model(model, directory, meta)
    return load_model(directory)
