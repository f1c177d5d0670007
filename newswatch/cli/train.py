"""``newswatch train``: retrain on the bundled corpus and the user's feedback, show the old and the
new model on the same held-out split, and refuse a model that does worse unless told to."""

from __future__ import annotations

import argparse
import sys

from newswatch.cli.classify import _print_metrics
from newswatch.cli.common import add_config_option, config_from_args, setup_logging
from newswatch.progress import logs_above_bars, progress

EXIT_F1_DROP = 3


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train", help="train the classifier on the bundled and user corpora",
        description="Train (seeded, reproducible) on the bundled corpus, the user feedback "
        "corpus (each example weighs [classifier] feedback_weight) and any --corpus files; "
        "print precision/recall/F1 of the current model and of the new one on the same "
        "held-out split and save model.joblib + model.json. If a label's held-out F1 would "
        f"fall, the model is not saved and the exit status is {EXIT_F1_DROP}, unless "
        "--accept-drop. A running service switches to the saved model between batches.",
    )
    p.add_argument("--output", metavar="DIR", help="model directory (default: from config)")
    p.add_argument("--corpus", action="append", default=[], metavar="FILE.jsonl")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--accept-drop", action="store_true",
                   help="save the new model even if a label's held-out F1 falls")
    add_config_option(p)
    p.set_defaults(func=_train)


def _train(args: argparse.Namespace) -> int:
    from classifiers.corpus import CorpusError
    from classifiers.retrain import STEPS, retrain

    config = config_from_args(args, checked=False)
    setup_logging(config.service.log_level)
    with logs_above_bars(), progress(total=len(STEPS), desc="train", unit="step") as bar:
        def step(msg: str) -> None:  # called as each step starts, and with "done" at the end
            if msg != STEPS[0]:
                bar.update(1)
            if msg != "done":
                bar.set_postfix_str(msg)

        try:
            report = retrain(config, extra=args.corpus, seed=args.seed, output=args.output,
                             accept_drop=args.accept_drop, progress=step)
        except (CorpusError, ValueError) as exc:
            print(f"newswatch: {exc}", file=sys.stderr)
            return 2
    print(f"trained on {report.examples} examples ({report.feedback_examples} of your "
          f"feedback), seed {args.seed}: model {report.version_after}")
    how = ("each fitted without it" if report.basis == "held-out"
           else "both as fitted: " + report.note)
    print(f"held-out split: {report.heldout_examples} examples ({how})")
    if report.before is not None:
        print(f"before (current model {report.version_before or '?'}):")
        _print_metrics(report.before)
    else:
        print(f"before: {report.note}")
    print(f"after (new model {report.version_after}):")
    _print_metrics(report.after)
    for label, (old, new) in report.drops.items():
        print(f"WARNING: held-out F1 of {label} falls from {old:.3f} to {new:.3f}",
              file=sys.stderr)
    if not report.saved:
        print(f"newswatch: model NOT saved; {report.model_dir} keeps model "
              f"{report.version_before}. Check your feedback (newswatch label) or re-run with "
              "--accept-drop to save it anyway.", file=sys.stderr)
        return EXIT_F1_DROP
    print(f"model saved to {report.model_dir}")
    return 0
