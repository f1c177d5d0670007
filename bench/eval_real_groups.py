"""Named-group recall on hand-labelled real events (measurement only; data not copied).

    .venv/bin/python bench/eval_real_groups.py PATH [--model DIR] [--show 30]

PATH: JSON lines with ``text``, ``armed_group`` (0/1), ``groups`` (canonical names) and
``ambiguous`` (0/1), e.g. /work/shared/real-dev/wikitimes-2015-09.jsonl. Prints armed_group
precision/recall/F1 (all events, and without the ambiguous ones), group-name recall and
precision against the labelled names (each labelled name resolved through the gazetteer, so
"PKK" and "Kurdistan Workers' Party" are one group), and the misses for a person to read.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from classifiers.analyzer import ModelAnalyzer, load_analyzer  # noqa: E402


def prf(tp: int, fp: int, fn: int) -> str:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return f"P {p:.3f} R {r:.3f} F1 {f:.3f} (tp {tp}, fp {fp}, fn {fn})"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("path")
    ap.add_argument("--model", default="")
    ap.add_argument("--show", type=int, default=30)
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
    evidence = analyzer.analyze_texts([r["text"] for r in rows])
    for subset, keep in (("all", lambda r: True), ("unambiguous", lambda r: not r["ambiguous"])):
        tp = fp = fn = 0
        for r, ev in zip(rows, evidence, strict=True):
            if not keep(r):
                continue
            pred, gold = ev.labels["armed_group"] >= 0.5, bool(r["armed_group"])
            tp += pred and gold
            fp += pred and not gold
            fn += gold and not pred
        print(f"armed_group ({subset}, {sum(map(keep, rows))} events): {prf(tp, fp, fn)}")
    gtp = gfp = gfn = 0
    misses = []

    def canonical(name: str) -> str:
        owners = getattr(analyzer.gazetteer, "owners", None)  # older gazetteers lack it
        found = (owners(name) if owners else []) or analyzer.gazetteer.resolve(name)
        return found[0] if len(found) == 1 else name

    for r, ev in zip(rows, evidence, strict=True):
        gold, got = {canonical(g) for g in r["groups"]}, set(ev.groups)
        gtp += len(gold & got)
        gfp += len(got - gold)
        gfn += len(gold - got)
        if gold != got or (ev.labels["armed_group"] >= 0.5) != bool(r["armed_group"]):
            misses.append((r, ev, gold))
    print(f"group names (canonical, per event): {prf(gtp, gfp, gfn)}")
    for r, ev, gold in misses[: args.show]:
        print(f"- [{r['id']}] gold armed_group={r['armed_group']} groups={sorted(gold)} | "
              f"got {ev.labels['armed_group']:.2f} groups={list(ev.groups)} "
              f"cands={list(ev.candidates)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
