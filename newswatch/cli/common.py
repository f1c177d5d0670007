"""Options and helpers shared by sub-commands."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from newswatch import samples
from newswatch.config import Config, ConfigError, load_config, parse_config

DEFAULT_CONFIG = "newswatch.toml"
SAMPLE = samples.SOURCE


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-c",
        "--config",
        metavar="FILE",
        help=f"config file (default: $NEWSWATCH_CONFIG, else ./{DEFAULT_CONFIG} if present, "
        "else the bundled sample config)",
    )


def config_path(args: argparse.Namespace) -> str | None:
    """The file a command reads: ``-c``, else ``$NEWSWATCH_CONFIG``, else ``./newswatch.toml``
    if present; None means the bundled sample."""
    path = getattr(args, "config", None) or os.environ.get("NEWSWATCH_CONFIG")
    if not path and Path(DEFAULT_CONFIG).exists():
        path = DEFAULT_CONFIG
    return path or None


def print_config_error(exc: ConfigError) -> None:
    """Every problem on its own line, as ``check-config`` prints them."""
    for problem in exc.problems:
        print(f"error: {problem}", file=sys.stderr)


def config_from_args(args: argparse.Namespace, *, checked: bool = True) -> Config:
    """Load the config named on the command line; exit 2 with every problem if it is bad.

    ``checked`` (the default) validates it as ``run`` does, with every stage's checks; the
    commands that only read state (``alerts``, ``feeds``) pass False so that a config the
    service would refuse can still be inspected."""
    path = config_path(args)
    try:
        if checked:
            from newswatch import app

            config = app.load(path)
        else:
            config = load_config(path) if path else parse_config(samples.config_text(), SAMPLE)
    except ConfigError as exc:
        print(f"newswatch: invalid configuration {path or SAMPLE}:", file=sys.stderr)
        print_config_error(exc)
        raise SystemExit(2) from None
    return config


def setup_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
