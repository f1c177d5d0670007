"""Instructions per classified article, counted by valgrind: the steady companion of
``bench_classify.py``, whose timings move by +-10% from run to run on a shared machine.

    .venv/bin/python bench/count_instructions.py [--base DIR] [--articles 20000]

The articles, the warm-up and the batches are ``bench_classify.py``'s (model only). The
count runs under ``valgrind --tool=callgrind`` with instrumentation on for the batches only,
the hash seed fixed and address randomisation off, so a rerun gives the same count to within
0.1%. With ``--base DIR`` (another checkout: ``git archive a36c1eb | tar -x -C DIR``) both are
counted and the ratio printed. Each checkout's default model is trained or loaded first,
outside valgrind. Needs valgrind (``apt-get install valgrind``). Instructions are not time:
cache misses are not counted, so a change is judged on both this and the timings.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve()


def child(root: Path, n: int, batch: int, counting: bool) -> None:
    """Run in the checkout ``root``: the bench's articles through its default model."""
    sys.path.insert(0, str(root))
    from classifiers.analyzer import ModelAnalyzer
    from classifiers.corpus import load_corpus
    from newswatch.config import Config
    from newswatch.config.service import ServiceConfig
    from newswatch.models import Article

    try:  # what the classify stage loads (older code: the estimator)
        from classifiers.defaults import ensure_predictor as ensure
    except ImportError:
        from classifiers.defaults import ensure_model as ensure
    with tempfile.TemporaryDirectory(prefix="nw-count-") as tmp:
        analyzer = ModelAnalyzer(*ensure(Config(service=ServiceConfig(data_dir=tmp))))
        if not counting:
            return  # the model is trained and cached now
        corpus = load_corpus()
        pos = [e for e in corpus if e.labels]
        neg = [e for e in corpus if not e.labels]
        articles = [Article(id=f"b{i}", feed_id="bench", url=f"https://bench.example/{i}",
                            title=ex.title, summary=f"{ex.summary} ({i})")
                    for i in range(n) for ex in [pos[i % len(pos)] if i % 20 == 0
                                                 else neg[i % len(neg)]]]
        analyzer.analyze([Article(id=f"w{i}", feed_id="bench", url=f"https://bench.example/w{i}",
                                  title=f"warm-up {a.title}", summary=a.summary)
                          for i, a in enumerate(articles[:batch])])
        control = ["callgrind_control", "--instr=on", str(os.getpid())]
        subprocess.run(control, check=True, capture_output=True)
        for k in range(0, len(articles), batch):
            analyzer.analyze(articles[k : k + batch])
        control[1] = "--instr=off"
        subprocess.run(control, check=True, capture_output=True)


def count(root: Path, n: int, batch: int) -> float:
    """Instructions per article of the checkout ``root``."""
    args = [sys.executable, str(HERE), "--child", str(root), "--articles", str(n),
            "--batch", str(batch)]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    subprocess.run([*args, "--prepare"], check=True, cwd=root, env=env)
    with tempfile.TemporaryDirectory(prefix="nw-callgrind-") as tmp:
        out = Path(tmp) / "callgrind.out"
        run = ["setarch", platform.machine(), "-R", "valgrind", "--tool=callgrind",
               "--instr-atstart=no", f"--callgrind-out-file={out}", *args]
        done = subprocess.run(run, cwd=root, env=env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"{root}: valgrind failed:\n{done.stderr[-2000:]}")
        totals = [ln for ln in out.read_text().splitlines() if ln.startswith("totals:")]
    return int(totals[0].split()[1]) / n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", default="", help="another checkout to count and compare with")
    ap.add_argument("--articles", type=int, default=20000)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--child", default="", help=argparse.SUPPRESS)
    ap.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(Path(args.child), args.articles, args.batch, counting=not args.prepare)
        return 0
    missing = [t for t in ("valgrind", "callgrind_control", "setarch") if not shutil.which(t)]
    if missing:
        print(f"count_instructions: {', '.join(missing)} not found (apt-get install valgrind)",
              file=sys.stderr)
        return 2
    this = count(HERE.parents[1], args.articles, args.batch)
    print(f"this checkout: {this:,.0f} instructions per article ({args.articles} articles)")
    if args.base:
        base = count(Path(args.base).resolve(), args.articles, args.batch)
        print(f"base {args.base}: {base:,.0f} instructions per article")
        print(f"base/this: {base / this:.3f} (above 1: this checkout runs fewer instructions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
