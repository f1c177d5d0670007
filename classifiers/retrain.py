"""Retraining with a safety net: the new model must not do worse than the running one.

:func:`retrain` trains on the bundled corpus plus the user's feedback (and extra files), then
compares the current model and the new one on the same held-out split (the bundled examples
held out by :func:`classifiers.training.split`; the user's feedback always trains, so the split
stays the same while the bundled corpus does). Each model's figures there come from its twin
fitted without the held-out part (``metrics_heldout`` in its model.json), an honest estimate;
a previous model scored on another split is instead compared as fitted ("in-sample"). The new
model is saved only when no label's F1 falls by more than :data:`MAX_F1_DROP`, unless
``accept_drop``.
A running service picks the saved model up between batches (:mod:`classifiers.hotswap`).
The web UI calls it in a background thread; the CLI's ``newswatch train`` prints its report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from classifiers.training import PHASES, Progress, evaluate, split, train

MAX_F1_DROP = 0.005
COMPARE = "compare old and new model on the held-out split"


@dataclass
class RetrainReport:
    """What a retrain did. ``before``/``after``: per-label precision/recall/F1 of the old and
    the new model on the same held-out examples (``before`` is None without an old model)."""

    model_dir: str
    version_before: str
    version_after: str
    examples: int
    feedback_examples: int
    heldout_examples: int
    before: dict[str, dict[str, float]] | None
    after: dict[str, dict[str, float]]
    basis: str = "held-out"  # "held-out": honest estimates; "in-sample": both models as fitted
    drops: dict[str, tuple[float, float]] = field(default_factory=dict)
    saved: bool = False
    note: str = ""

    @property
    def ok(self) -> bool:
        return not self.drops

    def as_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return {**asdict(self), "ok": self.ok}


def retrain(
    config: Any, extra: list[str] | None = None, seed: int = 0, output: str | Path | None = None,
    accept_drop: bool = False, progress: Progress | None = None,
) -> RetrainReport:
    from classifiers.artifact import ModelError, load_model, save_model
    from classifiers.defaults import model_dir, training_examples
    from classifiers.usergroups import user_gazetteer

    step = progress or (lambda _msg: None)
    out = Path(output) if output else model_dir(config)
    examples = training_examples(config, extra)  # CorpusError names file and line
    gazetteer = user_gazetteer(config)
    model, meta = train(examples, seed=seed, progress=lambda m: m != "done" and step(m),
                        gazetteer=gazetteer)
    step(COMPARE)
    _, test_idx = split(examples, seed)
    heldout = [examples[i] for i in test_idx]
    old, old_meta, note = None, {}, ""
    try:
        old, old_meta = load_model(out)
    except ModelError as exc:
        note = f"no usable previous model ({exc})" if (out / "model.json").exists() else \
            "no previous model"
    basis, before = "held-out", None
    after = meta["metrics_heldout"]
    if old is not None and old_meta.get("heldout_id") == meta["heldout_id"]:
        before = old_meta["metrics_heldout"]
    elif old is not None:
        basis = "in-sample"
        note = "the previous model was scored on another held-out split: both compared as fitted"
        before = evaluate(old, heldout, gazetteer=gazetteer)["metrics"]
        after = evaluate(model, heldout, gazetteer=gazetteer)["metrics"]
    if before is not None:  # same label order as the new model's
        before = {lb: before[lb] for lb in after if lb in before}
    drops = {
        label: (before[label]["f1"], after[label]["f1"])
        for label in after
        if before and label in before and after[label]["f1"] < before[label]["f1"] - MAX_F1_DROP
    }
    report = RetrainReport(
        model_dir=str(out), version_before=str(old_meta.get("version", "")),
        version_after=meta["version"], examples=len(examples),
        feedback_examples=meta["feedback_examples"], heldout_examples=len(heldout),
        before=before, after=after, basis=basis, drops=drops, note=note,
    )
    if drops and not accept_drop:
        report.note = "held-out F1 would fall; the model was not saved (accept_drop saves it)"
    else:
        meta["metrics_compare"] = {"before": before, "after": after, "basis": basis,
                                   "version_before": report.version_before}
        save_model(model, out, meta)
        report.saved = True
    step("done")
    return report


STEPS = (*PHASES, COMPARE)
