"""Saving and loading a trained model: ``model.joblib`` plus a ``model.json`` sidecar, and the
inference export ``model.npz`` (see :mod:`classifiers.export`).

The sidecar records labels, thresholds, corpus hash, library and newswatch versions, metrics,
training time and seed. Loading refuses a model trained with other library versions (pickled
scikit-learn objects are not portable across versions) and says how to retrain.
:func:`load_model` gives the estimator (training, evaluation); :func:`load_predictor` what
classifying needs: the export when there is one (numpy only: neither scikit-learn nor scipy is
imported), else the estimator.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

import newswatch
from classifiers.export import EXPORT_FILE, ExportError, exportable, read_export, write_export

if TYPE_CHECKING:
    from classifiers.model import NewsClassifier
    from classifiers.scorer import InferenceModel

FORMAT = 1
MODEL_FILE, META_FILE = "model.joblib", "model.json"


class ModelError(RuntimeError):
    """A model cannot be loaded (missing, corrupt or from other library versions)."""


def _version(module: str, distribution: str) -> str:
    """A library's version without importing it (importing scikit-learn costs over a second)."""
    if module in sys.modules:
        return str(sys.modules[module].__version__)
    from importlib import metadata

    return metadata.version(distribution)


def environment() -> dict[str, str]:
    return {
        "format": str(FORMAT),
        "python": ".".join(platform.python_version_tuple()[:2]),
        "scikit-learn": _version("sklearn", "scikit-learn"),
        "numpy": np.__version__,
        "scipy": _version("scipy", "scipy"),
        "newswatch": newswatch.__version__,
    }


# Versions that must match for a pickled model to be trusted (newswatch: feature code).
CHECKED = ("format", "python", "scikit-learn", "numpy", "scipy", "newswatch")


def save_model(model: NewsClassifier, directory: str | Path, metadata: dict[str, Any]) -> Path:
    """Write model and sidecar atomically (a temp dir renamed into place)."""
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    from classifiers.sources import code_hash

    meta = {**metadata, "code": code_hash(), "labels": list(model.classes_),
            "thresholds": [float(t) for t in model.thresholds_], "versions": environment()}
    tmp = Path(tempfile.mkdtemp(prefix=".model-", dir=directory.parent))
    try:
        import joblib

        joblib.dump(model, tmp / MODEL_FILE, compress=3)
        if exportable(model):
            write_export(model, tmp / EXPORT_FILE)
        (tmp / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True), "utf-8")
        if directory.exists():
            old = directory.with_name(f".{directory.name}.old-{os.getpid()}")
            directory.rename(old)
            shutil.rmtree(old, ignore_errors=True)
        tmp.rename(directory)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return directory


def read_metadata(directory: str | Path) -> dict[str, Any]:
    path = Path(directory) / META_FILE
    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{path}: no model metadata; train one with `newswatch train`") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"{path}: unreadable model metadata ({exc}); retrain with "
                         "`newswatch train`") from None


def loadable_metadata(directory: str | Path) -> dict[str, Any]:
    """The sidecar of a model :func:`load_model` would accept (ModelError saying why not);
    cheap: the pickle is not read. ``check-config`` uses it."""
    directory = Path(directory)
    meta = read_metadata(directory)
    have, current = meta.get("versions", {}), environment()
    wrong = [f"{k} {have.get(k, '?')} (installed: {current[k]})"
             for k in CHECKED if have.get(k) != current[k]]
    if wrong:
        raise ModelError(
            f"model in {directory} was built with " + ", ".join(wrong) + "; refusing to load it. "
            f"Retrain with `newswatch train --output {directory}` (or delete {directory} to have "
            "the default model rebuilt from the bundled corpus)."
        )
    return meta


def load_model(directory: str | Path) -> tuple[NewsClassifier, dict[str, Any]]:
    """The estimator (scikit-learn is imported) and its sidecar."""
    import joblib

    from classifiers.model import NewsClassifier

    directory = Path(directory)
    meta = loadable_metadata(directory)
    try:
        model = joblib.load(directory / MODEL_FILE)
    except Exception as exc:
        raise ModelError(f"{directory / MODEL_FILE}: cannot load model ({exc}); retrain with "
                         "`newswatch train`") from None
    if not isinstance(model, NewsClassifier) or list(model.classes_) != meta.get("labels"):
        raise ModelError(f"{directory / MODEL_FILE}: not a newswatch model matching its metadata")
    if not hasattr(model, "geo_"):
        raise ModelError(f"{directory / MODEL_FILE}: built by an older newswatch without the "
                         f"geography features; retrain with `newswatch train --output {directory}` "
                         f"(or delete {directory} to have the default model rebuilt)")
    model.thresholds_ = np.array(meta["thresholds"], dtype=float)
    return model, meta


def has_export(directory: str | Path) -> bool:
    return (Path(directory) / EXPORT_FILE).is_file()


def load_predictor(directory: str | Path) -> tuple[InferenceModel | NewsClassifier, dict[str, Any]]:
    """What classifying needs: the inference export when the directory has one (numpy only),
    else the estimator (models saved before exports existed)."""
    directory = Path(directory)
    if not has_export(directory):
        return load_model(directory)
    from classifiers.scorer import InferenceModel

    meta = loadable_metadata(directory)
    try:
        export = read_export(directory / EXPORT_FILE)
    except ExportError as exc:
        raise ModelError(f"{directory / EXPORT_FILE}: built by another newswatch ({exc}); retrain "
                         f"with `newswatch train --output {directory}` (or delete {directory} to "
                         "have the default model rebuilt)") from None
    except Exception as exc:
        raise ModelError(f"{directory / EXPORT_FILE}: cannot load model ({exc}); retrain with "
                         "`newswatch train`") from None
    if export["labels"] != meta.get("labels"):
        raise ModelError(f"{directory / EXPORT_FILE}: not a newswatch model matching its metadata")
    return InferenceModel(export, meta["thresholds"]), meta


def add_export(directory: str | Path) -> bool:
    """Write the inference export of a model saved without one (True when written)."""
    directory = Path(directory)
    model, _ = load_model(directory)
    if not exportable(model):
        return False
    tmp = directory / f".{EXPORT_FILE}.{os.getpid()}.tmp"
    try:
        write_export(model, tmp)
        tmp.replace(directory / EXPORT_FILE)
    finally:
        tmp.unlink(missing_ok=True)
    return True
