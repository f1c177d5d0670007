"""Training and evaluation: held-out split by sentence template, per-label thresholds, metrics.

``train`` fits on ~80% of the templates, picks each label's threshold on the held-out 20%
(within 0.5..0.9: real news has far fewer positives than our corpus, so a threshold below 0.5
would trade many false alarms for little recall; the lowest threshold whose F1 is within
``F1_TOLERANCE`` of the best, because the held-out F1 curve is flat over a wide range there, a
few examples' difference, while real reports, worded less like our corpus, score lower than its
positives: on ``../shared/real-dev`` recall is the side that suffers from a high threshold),
reports held-out metrics, then refits on everything with the same parameters and seed.
The user's feedback (``Example.feedback``) is never held out and weighs ``weight`` times a
bundled example, so the held-out split stays the same from one retrain to the next.
:func:`retrain` (see :mod:`classifiers.retrain`) compares the old and new model on it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sklearn.metrics import precision_recall_curve, precision_recall_fscore_support
from sklearn.model_selection import GroupShuffleSplit

from classifiers.corpus import Example, corpus_hash, label_matrix, template_key
from classifiers.gazetteer import Gazetteer
from classifiers.model import LABELS, NewsClassifier

Progress = Callable[[str], None]
# ``train`` calls ``progress(phase)`` as each of these starts, then ``progress("done")``.
PHASES = ("split", "fit on training part", "choose thresholds on held-out part",
          "refit on everything")
THRESHOLD_RANGE = (0.5, 0.9)
F1_TOLERANCE = 0.01
BETA = 1.0


def split(examples: Sequence[Example], seed: int, test_size: float = 0.2):
    """(train, held-out) indices: whole sentence templates of the bundled examples held out;
    the user's feedback always trains."""
    base = np.array([i for i, e in enumerate(examples) if not e.feedback], dtype=int)
    fixed = np.array([i for i, e in enumerate(examples) if e.feedback], dtype=int)
    groups = [f"{examples[i].source}|{template_key(examples[i])}" for i in base]
    splitter = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=seed)
    train_part, test_part = next(splitter.split(np.zeros(len(base)), groups=groups))
    return np.sort(np.concatenate([base[train_part], fixed])), base[test_part]


def heldout_id(examples: Sequence[Example]) -> str:
    """Identity of a held-out split: two models with the same id were scored on the same
    examples (their ``metrics_heldout`` compare)."""
    return corpus_hash(sorted(examples, key=lambda e: (e.title, e.summary)))[:16]


def best_threshold(y: np.ndarray, p: np.ndarray) -> float:
    lo, hi = THRESHOLD_RANGE
    grid = np.round(np.arange(lo, hi + 1e-9, 0.01), 2)
    f1s = []
    b2 = BETA * BETA
    for t in grid:
        pred = p >= t
        tp = float(np.sum(pred & (y == 1)))
        f1s.append((1 + b2) * tp / max(1.0, float(pred.sum() + b2 * y.sum())))
    best = max(f1s)
    return float(grid[np.flatnonzero(np.array(f1s) >= best - F1_TOLERANCE - 1e-12)[0]])


def metrics(Y: np.ndarray, P: np.ndarray, thresholds: Sequence[float],
            labels: Sequence[str] = LABELS) -> dict[str, dict[str, float]]:
    out = {}
    for j, label in enumerate(labels):
        pred = (P[:, j] >= thresholds[j]).astype(int)
        p, r, f, _ = precision_recall_fscore_support(
            Y[:, j], pred, average="binary", zero_division=0
        )
        out[label] = {"precision": round(float(p), 4), "recall": round(float(r), 4),
                      "f1": round(float(f), 4), "support": int(Y[:, j].sum()),
                      "threshold": round(float(thresholds[j]), 4)}
    return out


def train(
    examples: Sequence[Example], seed: int = 0, progress: Progress | None = None,
    params: dict[str, Any] | None = None, gazetteer: Gazetteer | None = None,
) -> tuple[NewsClassifier, dict[str, Any]]:
    step = progress or (lambda _msg: None)
    if len(examples) < 10:
        raise ValueError(f"only {len(examples)} examples; training needs at least 10")
    Y = label_matrix(examples)
    texts = [e.text for e in examples]
    weights = np.array([e.weight for e in examples], dtype=float)
    step(PHASES[0])
    train_idx, test_idx = split(examples, seed)
    held = NewsClassifier(random_state=seed, **(params or {}))
    step(PHASES[1])
    held.fit([texts[i] for i in train_idx], Y[train_idx], sample_weight=weights[train_idx],
             gazetteer=gazetteer)
    step(PHASES[2])
    P = held.predict_proba_with([texts[i] for i in test_idx], gazetteer)
    thresholds = [best_threshold(Y[test_idx, j], P[:, j]) for j in range(len(LABELS))]
    heldout = metrics(Y[test_idx], P, thresholds)
    step(PHASES[3])
    model = NewsClassifier(random_state=seed, **(params or {})).fit(
        texts, Y, sample_weight=weights, gazetteer=gazetteer)
    model.thresholds_ = np.array(thresholds)
    digest = corpus_hash(examples)
    meta = {
        "corpus_hash": digest, "examples": len(examples), "seed": seed,
        "feedback_examples": sum(1 for e in examples if e.feedback),
        "heldout_examples": len(test_idx), "metrics_heldout": heldout,
        "heldout_id": heldout_id([examples[i] for i in test_idx]),
        "params": {k: (list(v) if isinstance(v, tuple) else v)
                   for k, v in model.get_params().items()},
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "version": f"nwclf-{digest[:10]}-s{seed}",
    }
    step("done")
    return model, meta


def evaluate(
    model: NewsClassifier, examples: Sequence[Example],
    progress: Callable[[int], None] | None = None, batch_size: int = 512,
    gazetteer: Gazetteer | None = None,
) -> dict[str, Any]:
    """Metrics at the model's thresholds and PR curves; ``progress(n)`` after each batch."""
    Y = label_matrix(examples, list(model.classes_))
    parts = []
    for i in range(0, len(examples), batch_size):
        chunk = examples[i : i + batch_size]
        parts.append(model.predict_proba_with([e.text for e in chunk], gazetteer))
        if progress:
            progress(len(chunk))
    P = np.vstack(parts)
    result: dict[str, Any] = {"metrics": metrics(Y, P, model.thresholds_, model.classes_),
                              "curves": {}}
    for j, label in enumerate(model.classes_):
        if 0 < Y[:, j].sum() < len(Y):
            prec, rec, _ = precision_recall_curve(Y[:, j], P[:, j])
            result["curves"][label] = (prec, rec)
    return result


def retrain(config: Any, **kwargs: Any) -> Any:
    """Train on the bundled and user corpora, compare with the current model on the same
    held-out split, save unless F1 drops: see :func:`classifiers.retrain.retrain`."""
    from classifiers.retrain import retrain as _retrain

    return _retrain(config, **kwargs)


def pr_plot(
    curves: dict[str, tuple[np.ndarray, np.ndarray]], path: str,
    chosen: dict[str, dict[str, float]] | None = None, title: str = "",
) -> None:
    """Write a precision-recall plot, one curve per label, each label's operating point (its
    ``chosen`` precision/recall at the model's threshold) marked; needs matplotlib
    (``pip install 'newswatch[plot]'``)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    fig, ax = plt.subplots(figsize=(7, 5.5), dpi=100)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    handles = []
    for n, (label, (prec, rec)) in enumerate(curves.items()):
        color = colors[n % len(colors)]
        # Average precision, the area under the step curve (sklearn's definition).
        ap = float(-np.sum(np.diff(rec) * np.asarray(prec)[:-1]))
        text = f"{label}: AP {ap:.3f}"
        m = (chosen or {}).get(label)
        if m:
            text += f"; threshold {m['threshold']:.2f}: P {m['precision']:.2f}, R {m['recall']:.2f}"
        handles += ax.plot(rec, prec, drawstyle="steps-post", color=color, lw=1.8, label=text)
        if m:
            ax.plot(m["recall"], m["precision"], "o", color=color, ms=9, mec="black", zorder=3)
            ax.annotate(f"{m['threshold']:.2f}", (m["recall"], m["precision"]), color=color,
                        textcoords="offset points", xytext=(-8, -16), ha="right",
                        fontsize="small", fontweight="bold")
    if chosen and curves:
        handles.append(Line2D([], [], ls="", marker="o", color="white", mec="black", ms=9,
                              label="operating point at the model's threshold"))
    if not curves:
        ax.text(0.5, 0.5, "no label has both positive and negative examples",
                ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("Recall")
    ax.set_ylabel("Precision")
    ax.set_xlim(-0.02, 1.05)
    ax.set_ylim(-0.02, 1.05)
    ax.set_title(title or "Precision-recall per label", fontsize="medium")
    ax.grid(alpha=0.3)
    if handles:
        ax.legend(handles=handles, loc="lower left", fontsize="small", framealpha=0.9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
