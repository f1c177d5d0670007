"""Options and helpers shared by sub-commands."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from importlib import resources
from pathlib import Path

from newswatch.config import Config, ConfigError, load_config, parse_config

DEFAULT_CONFIG = "newswatch.toml"


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-c",
        "--config",
        metavar="FILE",
        help=f"config file (default: $NEWSWATCH_CONFIG, else ./{DEFAULT_CONFIG} if present, "
        "else the bundled sample config)",
    )


def sample_config_text() -> str:
    return resources.files("newswatch.samples").joinpath("newswatch.toml").read_text("utf-8")


def config_from_args(args: argparse.Namespace, **overrides: object) -> Config:
    """Load the config named on the command line; exit 2 with every problem if it is bad."""
    path = args.config or os.environ.get("NEWSWATCH_CONFIG")
    if not path and Path(DEFAULT_CONFIG).exists():
        path = DEFAULT_CONFIG
    try:
        config = (
            load_config(path) if path else parse_config(sample_config_text(), "<bundled sample>")
        )
    except ConfigError as exc:
        print(f"newswatch: invalid configuration:\n{exc}", file=sys.stderr)
        raise SystemExit(2) from None
    if overrides:
        config = config.model_copy(update=overrides, deep=True)
    return config


def setup_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
