"""Recall and precision of the classifier on hand-labelled real event reports (measurement only).

    .venv/bin/python bench/eval_real_dev.py PATH [--model DIR] [--show-misses]

PATH: JSON lines with ``text``, ``cross_border_raid``, ``armed_group`` (0/1) and ``ambiguous``
(0/1), e.g. /work/shared/real-dev/wikitimes-2015-09.jsonl (never copied into the repository).
Prints precision/recall/F1 per label and for "flagged" (either label), on every line and on
the lines not marked ambiguous, at the model's decision threshold (score 0.5).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from classifiers.analyzer import ModelAnalyzer, load_analyzer  # noqa: E402

LABELS = ("cross_border_raid", "armed_group")


def prf(gold: list[int], pred: list[int]) -> tuple[float, float, float, int]:
    tp = sum(1 for g, p in zip(gold, pred, strict=True) if g and p)
    fp = sum(1 for g, p in zip(gold, pred, strict=True) if p and not g)
    fn = sum(1 for g, p in zip(gold, pred, strict=True) if g and not p)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f, tp + fn


def report(title: str, rows: list[dict], preds: list[dict[str, int]]) -> None:
    print(f"{title} ({len(rows)} items)")
    print(f"  {'label':<18} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}")
    for label in (*LABELS, "flagged"):
        if label == "flagged":
            gold = [int(any(r[lb] for lb in LABELS)) for r in rows]
            pred = [int(any(p[lb] for lb in LABELS)) for p in preds]
        else:
            gold = [int(r[label]) for r in rows]
            pred = [p[label] for p in preds]
        p, r, f, n = prf(gold, pred)
        print(f"  {label:<18} {p:>9.3f} {r:>7.3f} {f:>6.3f} {n:>8d}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("path")
    ap.add_argument("--model", default="")
    ap.add_argument("--show-misses", action="store_true",
                    help="print the misses and false alarms (for reading, not for tuning)")
    args = ap.parse_args()
    rows = [json.loads(line) for line in Path(args.path).read_text("utf-8").splitlines() if line]
    with tempfile.TemporaryDirectory() as tmp:
        if args.model:
            analyzer = load_analyzer(args.model)
        else:
            from classifiers.defaults import ensure_model
            from newswatch.config import Config
            from newswatch.config.service import ServiceConfig

            analyzer = ModelAnalyzer(*ensure_model(Config(service=ServiceConfig(data_dir=tmp))))
    evidence = analyzer.analyze_texts([r["text"].strip() for r in rows])
    preds = [{lb: int(ev.labels.get(lb, 0.0) >= 0.5) for lb in LABELS} for ev in evidence]
    print(f"model {analyzer.version or '?'} on {args.path}")
    report("all items", rows, preds)
    keep = [i for i, r in enumerate(rows) if not r.get("ambiguous")]
    report("excluding ambiguous=1", [rows[i] for i in keep], [preds[i] for i in keep])
    if args.show_misses:
        for r, p, ev in zip(rows, preds, evidence, strict=True):
            for lb in LABELS:
                if r[lb] != p[lb]:
                    kind = "MISS" if r[lb] else "FALSE"
                    amb = " (ambiguous)" if r.get("ambiguous") else ""
                    places = ",".join(pl.id for pl in getattr(ev, "places", ()))
                    print(f"- {kind} {lb}{amb} {ev.labels.get(lb, 0):.2f} [{places}] "
                          f"{r['text'].strip()[:220]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
