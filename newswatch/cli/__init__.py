"""The ``newswatch`` command. Each sub-command lives in its own module with ``register()``."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from newswatch import __version__

# Each command, the module whose register() builds its parser, and the line `newswatch --help`
# shows for it (tests/core/test_cli_startup.py keeps the lines equal to the modules' own).
# Only the module of the command being run is imported: `newswatch --help` loads no stage,
# pydantic, feedparser or scikit-learn, and `newswatch classify` loads no collector.
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("newswatch.cli.run", "run the pipeline as a service"),
    "replay": ("newswatch.cli.replay", "replay saved feed files through the pipeline"),
    "check-config": ("newswatch.cli.check", "validate a config file and exit"),
    "classify": ("newswatch.cli.classify",
                 "classify JSON lines or plain text lines with the local model"),
    "train": ("newswatch.cli.train", "train the classifier on the bundled and user corpora"),
    "evaluate": ("newswatch.cli.classify", "precision/recall/F1 per label on labelled data"),
    "label": ("newswatch.cli.classify", "record feedback on an article for the next training"),
    "test-watch": ("newswatch.cli.classify", "show which watches match an article and why"),
    "groups": ("newswatch.cli.groups",
               "list the named groups the classifier knows (bundled and yours)"),
    "alerts": ("newswatch.cli.alerts", "show alerts and their delivery state; manage dead letters"),
    "feeds": ("newswatch.cli.feeds", "list feeds with their health, or import an OPML file"),
    "record": ("newswatch.cli.record", "fetch the configured feeds once and save them for replay"),
    "ui": ("newswatch.cli.ui", "web UI helpers (the UI itself is served by `newswatch run`)"),
}
COMMAND_MODULES = tuple(dict.fromkeys(module for module, _ in COMMANDS.values()))


def _command_in(argv: Sequence[str]) -> str | None:
    """The command word of ``argv`` (the top level has only options before it)."""
    return next((a for a in argv if not a.startswith("-")), None)


def build_parser(
    argv: Sequence[str] | None = None, *, full: bool = False
) -> argparse.ArgumentParser:
    """The parser for ``argv`` (default: sys.argv): the named command's module registers its
    real sub-parser(s); the other commands are listed by name and help line only. ``full``
    imports every command module (for tests and documentation)."""
    parser = argparse.ArgumentParser(
        prog="newswatch",
        description="Streaming news monitoring: feeds -> classifier -> email and webhook alerts.",
    )
    parser.add_argument("--version", action="version", version=f"newswatch {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    command = _command_in(sys.argv[1:] if argv is None else argv)
    if full:
        wanted = set(COMMAND_MODULES)
    else:
        wanted = {COMMANDS[command][0]} if command in COMMANDS else set()
    registered: set[str] = set()
    for name, (module, help_line) in COMMANDS.items():
        if module in wanted:
            if module not in registered:
                importlib.import_module(module).register(sub)
                registered.add(module)
        else:
            sub.add_parser(name, help=help_line)
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
    parser = build_parser(argv)
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
