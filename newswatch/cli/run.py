"""``newswatch run``: the long-running service (all stages, or some with --stage)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading

from newswatch import app
from newswatch.cli.common import (
    DEFAULT_CONFIG,
    SAMPLE,
    add_config_option,
    config_from_args,
    config_path,
)
from newswatch.config import Config
from newswatch.config.service import split_listen
from newswatch.service import install_signals, preflight, setup_logging

log = logging.getLogger("newswatch.service")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="run the pipeline as a service",
        description="Poll the configured feeds, classify and alert until SIGTERM/SIGINT (which "
        "finish the current batches, commit and exit). With --stage, run only some stages, to "
        "scale them out as Kafka consumer groups. Edits of the config file (or SIGHUP) are "
        "applied without a restart. Serves /healthz, /readyz and /metrics over HTTP.",
    )
    add_config_option(p)
    p.add_argument(
        "--stage",
        action="append",
        choices=app.STAGES,
        help="run only this stage (repeatable; default: all three)",
    )
    p.add_argument("--log-format", choices=("text", "json"), help="default: [service] log_format")
    p.add_argument(
        "--log-level", choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help="default: [service] log_level",
    )
    p.add_argument(
        "--http-listen", metavar="HOST:PORT", type=_listen,
        help="address of /healthz, /readyz, /metrics (default: [service] http_listen)",
    )
    p.add_argument("--no-http", action="store_true", help="serve no HTTP endpoint")
    p.add_argument("--no-reload", action="store_true", help="ignore edits of the config file")
    p.add_argument(
        "--accept-empty-ledger", action="store_true",
        help="start although the delivery ledger is missing or empty while the bus shows alerts "
        "were already processed (earlier pending and dead deliveries are forgotten; see "
        "`newswatch alerts rebuild`)",
    )
    p.set_defaults(func=_main)


def _listen(value: str) -> str:
    try:
        split_listen(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def announce(config: Config, path: str | None) -> None:
    """Say at start what the service runs on: which file, how much of it, where notices go."""
    log.info("config %s: %d feeds, %d watches, %d channels; data_dir %s; bus %s",
             path or SAMPLE, len(config.feeds), len(config.watches), len(config.channels),
             config.service.data_dir, config.bus_url())
    if path is None:
        log.warning("running the bundled sample config (no -c FILE, no $NEWSWATCH_CONFIG, no "
                    "./%s): a demo that alerts on the console only; copy "
                    "deploy/newswatch.example.toml, edit it and pass -c FILE", DEFAULT_CONFIG)
    health = config.alerts.feed_health_channels
    if health:
        log.info("feed-health notices (a feed failing %d times in a row, and its recovery) go "
                 "to the log and to channels %s ([alerts] feed_health_channels)",
                 config.alerts.feed_health_failures, ", ".join(health))
    else:
        log.warning("feed-health notices go to the log only: no channel is set in [alerts] "
                    "feed_health_channels and no watch has channels")


def _main(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    overrides: dict[str, object] = {}
    if args.log_format:
        overrides["log_format"] = args.log_format
    if args.log_level:
        overrides["log_level"] = args.log_level
    if args.http_listen:
        overrides["http_listen"] = args.http_listen
    if args.no_http:
        overrides["http_enabled"] = False
    if args.no_reload:
        overrides["reload"] = False
    if overrides:
        service = config.service.model_copy(update=overrides)
        config = config.model_copy(update={"service": service})
    setup_logging(config.service.log_level, config.service.log_format)
    announce(config, config_path(args))
    stop, reload = threading.Event(), threading.Event()
    install_signals(stop, reload)
    stages = list(dict.fromkeys(args.stage or app.STAGES))
    try:
        problems = preflight.check(config, stages, accept_empty_ledger=args.accept_empty_ledger)
    except Exception as exc:  # e.g. the bus is unreachable: the service reports that itself
        logging.getLogger("newswatch.service").warning("start checks incomplete: %s", exc)
        problems = []
    if problems:
        for problem in problems:
            logging.getLogger("newswatch.service").error("refusing to start: %s", problem)
        return preflight.REFUSED
    status = app.run(config, stop, stages, config_path=config_path(args), reload=reload)
    return exit_now_if_stuck(status)


def exit_now_if_stuck(status: int) -> int:
    """Return ``status``, or end the process at once if threads outlived the shutdown (a stage
    past shutdown_timeout_secs): Python would wait for them, so SIGTERM would not stop us."""
    stuck = [t.name for t in threading.enumerate()
             if t is not threading.main_thread() and not t.daemon and t.is_alive()]
    if not stuck:
        return status
    logging.getLogger("newswatch.service").error(
        "threads still running after shutdown (%s): exiting without waiting for them",
        ", ".join(sorted(stuck)[:10]))
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status or 1)
