"""``newswatch check-config FILE``: validate a config without starting anything."""

from __future__ import annotations

import argparse
import sys

from newswatch.config import ConfigError, load_config


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check-config",
        help="validate a config file and exit",
        description="Validate FILE: unknown keys, bad values and broken references "
        "are reported with their line and key path; exit 1 if any.",
    )
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=_main)


def _main(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.file)
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 1
    print(
        f"{args.file}: ok ({len(config.feeds)} feeds, {len(config.watches)} watches, "
        f"{len(config.channels)} channels, bus {config.bus_url()})"
    )
    return 0
