"""What a trained default model depends on besides its libraries: the feature code and the
bundled data (corpus, groups, territories). Its hash is written into every model's sidecar
(``code``), so a default model built by other code or from another bundled corpus is known to
be stale and rebuilt (:func:`classifiers.defaults.ensure_predictor`)."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent
# Feature code, training and the export's tables: they shape the model's numbers.
CODE = ("model.py", "features.py", "cues.py", "geocues.py", "vectorizer.py", "export.py",
        "tfidf.py", "lexicon.py", "gazetteer.py", "context.py", "candidates.py", "text.py",
        "training.py", "geofeatures.py", "linear.py", "data/groups.json", "data/territories.json")


def model_sources() -> list[Path]:
    geo = sorted((HERE / "geo").glob("*.py"))
    corpus = sorted((HERE / "data" / "corpus").glob("*.jsonl"))
    return [*(HERE / name for name in CODE), *geo, *corpus]


@cache
def code_hash() -> str:
    """A short hash of :func:`model_sources` (names and contents)."""
    h = hashlib.sha256()
    for path in model_sources():
        h.update(f"{path.relative_to(HERE)}:".encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]
