"""Classifier commands: ``classify``, ``evaluate``, ``label``, ``test-watch`` (``train``: in
train.py)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from newswatch.cli.common import add_config_option, config_from_args, setup_logging
from newswatch.progress import progress

PLOT_HINT = "install matplotlib for the plot: pip install 'newswatch[plot]'"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "classify", help="classify JSON lines or plain text lines with the local model",
        description="Read JSON lines with 'title' and optional 'summary'/'content' (or plain "
        "text lines) and print one JSON object per input line, in order: flagged, label scores "
        "(0.5 is the model's decision threshold), canonical group names, candidate group names, "
        "places (where the event happened first) and reasons. Uses the default model (built on "
        "first use) unless --model is given.",
    )
    p.add_argument("file", nargs="?", default="-", metavar="FILE|-")
    p.add_argument("--model", metavar="DIR", help="model directory (default: from config)")
    add_config_option(p)
    p.set_defaults(func=_classify)

    p = sub.add_parser("evaluate", help="precision/recall/F1 per label on labelled data",
                       description="Score a labelled JSONL file (corpus format) and write a "
                       "precision-recall plot (PNG; needs the 'plot' extra); with --classes, "
                       "score the held-out failure-class files (one F1 per class).")
    p.add_argument("data", metavar="DATA.jsonl", nargs="?")
    p.add_argument("--classes", nargs="?", const="", metavar="DIR",
                   help="per failure class: the bundled held-out files, or those in DIR")
    p.add_argument("--model", metavar="DIR")
    p.add_argument("--plot", metavar="PNG", help="plot path (default: DATA-pr.png)")
    add_config_option(p)
    p.set_defaults(func=_evaluate)

    p = sub.add_parser("label", help="record feedback on an article for the next training",
                       description="Append the article, with corrected labels, to the user "
                       "corpus. The text comes from the articles on the bus, or --title/--summary.")
    p.add_argument("article_id", metavar="ARTICLE_ID")
    p.add_argument("--label", action="append", default=[], metavar="LABEL")
    p.add_argument("--not", dest="not_", action="append", default=[], metavar="LABEL")
    p.add_argument("--title")
    p.add_argument("--summary", default="")
    add_config_option(p)
    p.set_defaults(func=_label)

    p = sub.add_parser("test-watch", help="show which watches match an article and why")
    p.add_argument("article", metavar="ARTICLE.json")
    add_config_option(p)
    p.set_defaults(func=_test_watch)


def _fail(message: str, code: int = 2) -> int:
    print(f"newswatch: {message}", file=sys.stderr)
    return code


def _analyzer(args: argparse.Namespace, config: Any) -> Any:
    """The model's inference export when it has one (numpy only: scikit-learn is not imported)."""
    from classifiers.analyzer import ModelAnalyzer, load_analyzer
    from classifiers.defaults import ensure_predictor
    from classifiers.usergroups import user_gazetteer

    gazetteer = user_gazetteer(config)  # the bundled groups plus the user's
    if getattr(args, "model", None):
        analyzer = load_analyzer(args.model)
        analyzer.gazetteer = gazetteer
        return analyzer
    return ModelAnalyzer(*ensure_predictor(config), gazetteer=gazetteer)


def _text_of(line: str, where: str) -> str:
    stripped = line.strip()
    if stripped.startswith("{"):
        try:
            doc = json.loads(stripped)
        except json.JSONDecodeError:
            print(f"newswatch: {where}: not valid JSON; classifying it as plain text",
                  file=sys.stderr)
            return stripped
        parts = [doc.get(k) for k in ("title", "summary", "content")]
        if not any(isinstance(p, str) and p for p in parts):
            print(f"newswatch: {where}: no 'title', 'summary' or 'content'", file=sys.stderr)
        return "\n".join(p for p in parts if isinstance(p, str) and p)
    return stripped


def _batches(stream: TextIO, name: str, size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for n, line in enumerate(stream, 1):
        batch.append(_text_of(line, f"{name}:{n}"))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def place_json(place: Any) -> dict[str, str]:
    """A place as ``classify`` prints it: id (ISO code or name), name, kind, country, region."""
    return {"id": place.id, "name": place.name, "kind": place.kind, "country": place.country,
            "region": place.region}


def _classify(args: argparse.Namespace) -> int:
    from classifiers.artifact import ModelError

    config = config_from_args(args, checked=False)
    setup_logging("WARNING")
    try:
        stream = sys.stdin if args.file == "-" else open(args.file, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        return _fail(f"{args.file}: cannot read: {exc.strerror}")
    try:
        analyzer = _analyzer(args, config)
    except (ModelError, ValueError) as exc:
        stream.close()
        return _fail(str(exc))
    size = 1 if stream.isatty() else config.classifier.batch_size
    name = "<stdin>" if args.file == "-" else args.file
    with stream:
        for batch in _batches(stream, name, size):
            for ev in analyzer.analyze_texts(batch):
                out = {"flagged": any(s >= 0.5 for s in ev.labels.values()), "labels": ev.labels,
                       "groups": list(ev.groups), "candidates": list(ev.candidates),
                       "places": [place_json(p) for p in ev.places],
                       "reasons": list(ev.reasons)}
                sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
            sys.stdout.flush()
    return 0


def _print_metrics(metrics: dict[str, dict[str, float]]) -> None:
    print(f"{'label':<20} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8} {'thresh':>7}")
    for label, m in metrics.items():
        print(f"{label:<20} {m['precision']:>9.3f} {m['recall']:>7.3f} {m['f1']:>6.3f} "
              f"{m['support']:>8d} {m['threshold']:>7.2f}")


def _evaluate(args: argparse.Namespace) -> int:
    from classifiers.artifact import ModelError
    from classifiers.corpus import CorpusError, read_jsonl
    from classifiers.training import evaluate, pr_plot

    config = config_from_args(args, checked=False)
    setup_logging("WARNING")
    if args.classes is not None:
        return _evaluate_classes(args, config)
    if not args.data:
        return _fail("evaluate needs DATA.jsonl or --classes")
    try:
        examples = read_jsonl(args.data)
        analyzer = _analyzer(args, config)
    except (CorpusError, ModelError, ValueError) as exc:
        return _fail(str(exc))
    if not examples:
        return _fail(f"{args.data}: no examples")
    with progress(total=len(examples), desc="evaluate", unit="ex") as bar:
        result = evaluate(analyzer.model, examples, progress=bar.update)
    print(f"{len(examples)} examples from {args.data}, model {analyzer.version or '?'}")
    _print_metrics(result["metrics"])
    plot = args.plot or f"{Path(args.data).stem}-pr.png"
    try:
        pr_plot(result["curves"], plot, result["metrics"],
                title=f"Precision-recall per label\n{Path(args.data).name}: {len(examples)} "
                f"examples, model {analyzer.version or '?'}")
        print(f"precision-recall plot written to {plot}")
    except ImportError:
        print(f"precision-recall plot not written: matplotlib is not installed; {PLOT_HINT}")
    return 0


def _evaluate_classes(args: argparse.Namespace, config: Any) -> int:
    from classifiers.artifact import ModelError
    from classifiers.corpus import CorpusError
    from classifiers.failure_classes import evaluate_classes

    try:
        analyzer = _analyzer(args, config)
        rows = evaluate_classes(analyzer.model, args.classes or None)
    except (CorpusError, ModelError) as exc:
        return _fail(str(exc))
    if not rows:
        return _fail(f"no failure-class files (*.jsonl) in {args.classes or 'the bundle'}")
    print(f"failure classes, model {analyzer.version or '?'}")
    print(f"{'class':<36} {'label':<18} {'n':>4} {'precision':>9} {'recall':>7} {'f1':>6}")
    for r in rows:
        print(f"{r['class']:<36} {r['label']:<18} {r['examples']:>4d} {r['precision']:>9.3f} "
              f"{r['recall']:>7.3f} {r['f1']:>6.3f}")
    return 0


def _label(args: argparse.Namespace) -> int:
    from classifiers.feedback import FeedbackError, record_feedback

    config = config_from_args(args, checked=False)
    setup_logging("WARNING")
    try:
        path, entry = record_feedback(config, args.article_id, args.label, args.not_,
                                      args.title, args.summary)
    except FeedbackError as exc:
        return _fail(str(exc))
    print(f"recorded {args.article_id}: labels {entry['labels']} in {path}; "
          "run `newswatch train` to include it")
    return 0


def _test_watch(args: argparse.Namespace) -> int:
    from classifiers.watchtest import WatchTestError, test_watch

    config = config_from_args(args)
    setup_logging("WARNING")
    try:
        lines, matched = test_watch(config, args.article)
    except WatchTestError as exc:
        return _fail(str(exc))
    print("\n".join(lines))
    return 0 if matched else 1
