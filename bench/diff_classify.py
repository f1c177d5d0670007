"""Differential check of classifier outputs: every text's scores, labels, groups, candidates,
places and reasons, compared between two code paths, listing every difference.

    .venv/bin/python bench/diff_classify.py [TEXTS.jsonl ...]
    .venv/bin/python bench/diff_classify.py --base /path/to/old/checkout [TEXTS.jsonl ...]

Texts: the bundled corpus and held-out files, plus each JSONL file given (``text``, or
``title``/``headline`` with ``summary``/``short_description``/``content``), e.g.
``../shared/real-dev/wikitimes-2015-09.jsonl``.
Without ``--base``: the default model's estimator (scikit-learn) against its inference export
(numpy only), in this checkout. With ``--base``: this checkout's classify path against the one of
another checkout (each trains or loads its own default model, in its own temporary data
directory; run with ``git archive <commit> | tar -x -C DIR`` to get one). Exit status 1 when any
text differs."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve()


def texts_of(paths: list[str], root: Path) -> list[str]:
    files = sorted((root / "classifiers" / "data" / "corpus").glob("*.jsonl"))
    files += sorted((root / "classifiers" / "data" / "heldout").glob("*.jsonl"))
    out = []
    for path in [*files, *map(Path, paths)]:
        for line in path.read_text("utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            if "text" in row:
                out.append(str(row["text"]))
                continue
            title = row.get("title") or row.get("headline") or ""
            body = row.get("summary") or row.get("short_description") or ""
            out.append(f"{title}\n\n{body}\n\n{row.get('content') or ''}".strip())
    return out


def as_dict(evidence) -> dict:
    return {"labels": evidence.labels, "groups": list(evidence.groups),
            "candidates": list(evidence.candidates), "reasons": list(evidence.reasons),
            "places": [list(p) if isinstance(p, tuple) else [p.id, p.name, p.kind, p.country,
                                                             p.region] for p in evidence.places]}


def outputs(texts: list[str], estimator: bool, batch: int = 256) -> list[dict]:
    """This checkout's (the one on sys.path) outputs: its classify path, or the estimator."""
    from classifiers.analyzer import ModelAnalyzer
    from newswatch.config import Config
    from newswatch.config.service import ServiceConfig

    with tempfile.TemporaryDirectory(prefix="nw-diff-") as tmp:
        config = Config(service=ServiceConfig(data_dir=tmp))
        try:
            from classifiers.defaults import ensure_predictor
        except ImportError:  # code from before the inference export
            ensure_predictor = None
        from classifiers.defaults import ensure_model

        load = ensure_model if estimator or ensure_predictor is None else ensure_predictor
        analyzer = ModelAnalyzer(*load(config))
        import classifiers

        print(f"{Path(classifiers.__file__).parents[1]}: {type(analyzer.model).__name__}",
              file=sys.stderr)
        return [as_dict(e) for k in range(0, len(texts), batch)
                for e in analyzer.analyze_texts(texts[k : k + batch])]


def compare(texts: list[str], a: list[dict], b: list[dict], names: tuple[str, str]) -> int:
    differing = 0
    for text, x, y in zip(texts, a, b, strict=True):
        if x != y:
            differing += 1
            if differing <= 20:
                print(f"== {text[:100]!r}")
                for key in x:
                    if x[key] != y[key]:
                        print(f"   {key}: {names[0]} {x[key]!r}\n   {' ' * len(key)}  "
                              f"{names[1]} {y[key]!r}")
    print(f"{len(texts)} texts; {differing} with differences ({names[0]} vs {names[1]})")
    return differing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--base", help="another checkout to compare this one's outputs with")
    parser.add_argument("--dump", help=argparse.SUPPRESS)  # a --base run's child: write outputs
    args = parser.parse_args()
    root = HERE.parents[1]
    if args.dump:
        texts = json.loads(Path(args.dump).read_text("utf-8"))
        Path(args.dump).write_text(json.dumps(outputs(texts, estimator=False)), "utf-8")
        return 0
    texts = texts_of(args.paths, root)
    if not args.base:
        return 1 if compare(texts, outputs(texts, True), outputs(texts, False),
                            ("estimator", "export")) else 0
    ours = outputs(texts, estimator=False)
    with tempfile.TemporaryDirectory(prefix="nw-diff-") as tmp:
        io = Path(tmp) / "texts.json"
        io.write_text(json.dumps(texts), "utf-8")
        script = Path(tmp) / "diff_classify.py"
        script.write_text(HERE.read_text("utf-8"), "utf-8")
        env = {**os.environ, "PYTHONPATH": str(Path(args.base).resolve())}
        code = ("import runpy, sys; sys.path.insert(0, sys.argv[1]); sys.argv = sys.argv[2:]; "
                "runpy.run_path(sys.argv[0], run_name='__main__')")
        subprocess.run([sys.executable, "-c", code, str(Path(args.base).resolve()), str(script),
                        "--dump", str(io)], check=True, env=env, cwd=args.base)
        theirs = json.loads(io.read_text("utf-8"))
    ours = json.loads(json.dumps(ours))  # tuples as lists, as theirs came back
    return 1 if compare(texts, theirs, ours, ("base", "this")) else 0


if __name__ == "__main__":
    sys.exit(main())
