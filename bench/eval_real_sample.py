"""False-alarm rate of the classifier on real headlines (measurement only; data not copied).

    .venv/bin/python bench/eval_real_sample.py PATH [--model DIR] [--show 50]

PATH: JSON lines with ``headline``, ``short_description`` and ``category`` (e.g.
/work/shared/news-sample/huffpost-news-category-v3-first10k.jsonl). Every line is taken as a
negative; the flagged ones are printed so a person can check whether any is a true positive.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from classifiers.analyzer import ModelAnalyzer, load_analyzer  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("path")
    ap.add_argument("--model", default="")
    ap.add_argument("--show", type=int, default=100)
    args = ap.parse_args()
    rows = [json.loads(line) for line in Path(args.path).read_text("utf-8").splitlines() if line]
    texts = [f"{r.get('headline', '')}\n{r.get('short_description', '')}".strip() for r in rows]
    with tempfile.TemporaryDirectory() as tmp:
        if args.model:
            analyzer = load_analyzer(args.model)
        else:
            from classifiers.defaults import ensure_model
            from newswatch.config import Config
            from newswatch.config.service import ServiceConfig

            analyzer = ModelAnalyzer(*ensure_model(Config(service=ServiceConfig(data_dir=tmp))))
    t = time.perf_counter()
    evidence = []
    for k in range(0, len(texts), 512):
        evidence += analyzer.analyze_texts(texts[k : k + 512])
    elapsed = time.perf_counter() - t
    flagged = [(r, ev) for r, ev in zip(rows, evidence, strict=True)
               if any(s >= 0.5 for s in ev.labels.values())]
    per_label = Counter(lb for _, ev in flagged for lb, s in ev.labels.items() if s >= 0.5)
    with_groups = sum(1 for ev in evidence if ev.groups)
    print(f"{len(rows)} headlines classified in {elapsed:.2f}s ({len(rows) / elapsed:,.0f}/s)")
    print(f"flagged: {len(flagged)} ({100 * len(flagged) / len(rows):.2f}%) "
          + ", ".join(f"{lb} {n} ({100 * n / len(rows):.2f}%)" for lb, n in per_label.items()))
    print(f"articles naming a gazetteer group: {with_groups}")
    print(f"flagged by category: {dict(Counter(r.get('category') for r, _ in flagged))}")
    for r, ev in flagged[: args.show]:
        labels = " ".join(f"{lb}={s:.2f}" for lb, s in ev.labels.items())
        print(f"- [{r.get('category')}] {r.get('headline')} | {labels} | groups={list(ev.groups)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
