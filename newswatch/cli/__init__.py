"""The ``newswatch`` command. Each sub-command lives in its own module with ``register()``."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from newswatch import __version__

# Only commands that are built are listed; a module registers one or more sub-commands.
COMMAND_MODULES = (
    "newswatch.cli.run",
    "newswatch.cli.replay",
    "newswatch.cli.check",
    "newswatch.cli.classify",
    "newswatch.cli.alerts",
    "newswatch.cli.feeds",
    "newswatch.cli.record",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newswatch",
        description="Streaming news monitoring: feeds -> classifier -> email and webhook alerts.",
    )
    parser.add_argument("--version", action="version", version=f"newswatch {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
