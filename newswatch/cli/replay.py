"""``newswatch replay PATH...``: saved feeds through the whole pipeline, then a summary."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import IO

from collectors.sniff import skip_kind
from newswatch import app, serde
from newswatch.cli.common import add_config_option, config_from_args, setup_logging
from newswatch.cli.tempdir import guarded_tempdir
from newswatch.config.service import ServiceConfig
from newswatch.models import Article
from newswatch.progress import logs_above_bars, progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "replay",
        help="replay saved feed files through the pipeline",
        description="Push saved feed files or directories (RSS/Atom/RDF/JSON Feed, optionally "
        ".gz, with FILE.headers.json sidecars from `newswatch record` when present) through "
        "parse -> normalise -> dedupe -> bus -> classify -> alert, then exit with a summary. "
        "Files are read in sorted order; a file's fetch time comes from its sidecar, else from "
        "the newest date inside it (never the file's mtime), so replays are deterministic. By "
        "default the replay uses a fresh, temporary state directory and embedded bus, so "
        "replaying twice gives the same result. Alerts go to console:// and file:// channels "
        "only: email, webhook and chat channels are withheld (their alerts are counted in the "
        "summary) unless --deliver is given. "
        "In a directory, files without a feed extension are read when their content is a "
        "feed (sniffed); other files are skipped, each named with its reason and counted in "
        "the summary.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH")
    add_config_option(p)
    p.add_argument(
        "--state-dir",
        metavar="DIR",
        help="keep replay state here (seen-store, bus) instead of a temporary dir",
    )
    p.add_argument(
        "--articles-out",
        metavar="FILE.jsonl",
        help="also write each new normalised article as one JSON line ('-' for stdout)",
    )
    p.add_argument(
        "--deliver",
        action="store_true",
        help="also deliver to email, webhook and chat channels (default: console:// and "
        "file:// only, since the running service has usually sent these alerts already)",
    )
    p.set_defaults(func=_main)


def _writer(out: IO[str]):  # noqa: ANN202
    def write(article: Article) -> None:
        out.write(json.dumps(serde.to_dict(article), ensure_ascii=False, sort_keys=True) + "\n")

    return write


def _bar(files: list[Path]) -> Iterable[Path]:
    return progress(files, desc="replay", unit="file")


def _main(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    setup_logging("WARNING")  # per-feed warnings go to stderr; alerts to their channels
    with ExitStack() as stack:
        # removed even when the replay is killed (SIGKILL, SIGTERM): see guarded_tempdir
        tmp = stack.enter_context(guarded_tempdir("newswatch-replay-"))
        service = ServiceConfig(
            **{**config.service.model_dump(), "data_dir": args.state_dir or tmp}
        )
        bus = config.bus.model_copy(update={"url": ""}) if not args.state_dir else config.bus
        config = config.model_copy(update={"service": service, "bus": bus})
        on_article = None
        if args.articles_out:
            try:
                out = sys.stdout if args.articles_out == "-" else stack.enter_context(
                    open(args.articles_out, "w", encoding="utf-8")  # noqa: SIM115
                )
            except OSError as exc:
                print(f"newswatch: --articles-out: {exc}", file=sys.stderr)
                return 2
            on_article = _writer(out)
        try:
            with logs_above_bars():
                summary = app.replay(config, args.paths, on_article, track=_bar,
                                     deliver=args.deliver)
        except FileNotFoundError as exc:
            print(f"newswatch: {exc}", file=sys.stderr)
            return 2
    for path, reason in list(summary.skipped.items())[:SHOW_SKIPPED]:
        print(f"replay: skipped {path}: {reason}", file=sys.stderr)
    print(
        f"replay: {len(summary.files)} files, {summary.feeds} feeds, {summary.articles} articles, "
        f"{summary.duplicates} duplicates, {len(summary.warnings)} warnings, "
        f"{summary.matches} matches, {summary.alerts} alerts{skipped_note(summary.skipped)}",
        file=sys.stderr,
    )
    if summary.withheld:
        shown = ", ".join(f"{name} ({kind}: {summary.withheld_sent.get(name, 0)} alerts)"
                          for name, kind in summary.withheld.items())
        kept = "" if args.state_dir is None else f"; written to {summary.withheld_dir}"
        print(f"replay: not delivered to {shown}: replay delivers to console:// and file:// "
              f"channels only{kept}; pass --deliver to send them", file=sys.stderr)
    return 0


SHOW_SKIPPED = 20  # files listed one by one; the summary line counts them all


def skipped_note(skipped: dict[str, str]) -> str:
    """'; skipped 3 files: 2 not a feed, 1 unreadable' (empty when nothing was skipped)."""
    if not skipped:
        return ""
    kinds = Counter(skip_kind(reason) for reason in skipped.values())
    parts = ", ".join(f"{n} {kind}" for kind, n in kinds.most_common())
    return f"; skipped {len(skipped)} file{'s' if len(skipped) != 1 else ''}: {parts}"
