"""``newswatch replay PATH...``: saved feeds through the whole pipeline, then a summary."""

from __future__ import annotations

import argparse
import sys
import tempfile

from newswatch import app
from newswatch.cli.common import add_config_option, config_from_args, setup_logging
from newswatch.config.service import ServiceConfig


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "replay",
        help="replay saved feed files through the pipeline",
        description="Push saved feed files or directories (RSS/Atom/RDF/JSON Feed, optionally "
        ".gz) through parse -> normalise -> dedupe -> bus -> classify -> alert, then exit with a "
        "summary. By default the replay uses a fresh, temporary state directory and embedded bus, "
        "so replaying twice gives the same result.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH")
    add_config_option(p)
    p.add_argument(
        "--state-dir",
        metavar="DIR",
        help="keep replay state here (seen-store, bus) instead of a temporary dir",
    )
    p.set_defaults(func=_main)


def _main(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    setup_logging("WARNING")  # per-feed warnings go to stderr; alerts to their channels
    with tempfile.TemporaryDirectory(prefix="newswatch-replay-") as tmp:
        service = ServiceConfig(
            **{**config.service.model_dump(), "data_dir": args.state_dir or tmp}
        )
        bus = config.bus.model_copy(update={"url": ""}) if not args.state_dir else config.bus
        config = config.model_copy(update={"service": service, "bus": bus})
        try:
            summary = app.replay(config, args.paths)
        except FileNotFoundError as exc:
            print(f"newswatch: {exc}", file=sys.stderr)
            return 2
    print(
        f"replay: {len(summary.files)} files, {summary.feeds} feeds, {summary.articles} articles, "
        f"{summary.duplicates} duplicates, {len(summary.warnings)} warnings, "
        f"{summary.matches} matches, {summary.alerts} alerts",
        file=sys.stderr,
    )
    return 0
