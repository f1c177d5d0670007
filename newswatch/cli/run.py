"""``newswatch run``: the long-running service (all stages, or one with --stage)."""

from __future__ import annotations

import argparse
import signal
import threading

from newswatch import app
from newswatch.cli.common import add_config_option, config_from_args, setup_logging


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="run the pipeline as a service",
        description="Poll the configured feeds, classify, and alert, until "
        "SIGTERM/SIGINT. With --stage, run one stage (to scale out on Kafka).",
    )
    add_config_option(p)
    p.add_argument(
        "--stage",
        action="append",
        choices=app.STAGES,
        help="run only this stage (repeatable; default: all)",
    )
    p.set_defaults(func=_main)


def _main(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    setup_logging(config.service.log_level)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    app.run(config, stop, args.stage or app.STAGES)
    return 0
