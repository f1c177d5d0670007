"""The ``newswatch`` command. Each sub-command lives in its own module with ``register()``."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from newswatch import __version__

# Only commands that are built are listed; a module registers one or more sub-commands.
COMMAND_MODULES = (
    "newswatch.cli.run",
    "newswatch.cli.replay",
    "newswatch.cli.check",
    "newswatch.cli.classify",
    "newswatch.cli.train",
    "newswatch.cli.groups",
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


# The status of a process killed by SIGPIPE, as `yes | head -n1` reports it under pipefail.
BROKEN_PIPE_STATUS = 128 + 13


def _stdout_gone() -> int:
    """The reader of stdout left (``newswatch alerts list | head -n1``): stop quietly, with no
    traceback, and keep the interpreter's final flush from complaining about it again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return BROKEN_PIPE_STATUS


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)  # --help output meets the pipe too
        status = int(args.func(args) or 0)
        sys.stdout.flush()  # a buffered tail must meet a closed pipe here, not at exit
        return status
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _stdout_gone()


if __name__ == "__main__":
    sys.exit(main())
