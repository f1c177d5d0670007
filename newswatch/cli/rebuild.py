"""``newswatch alerts rebuild``: a lost delivery ledger rebuilt from the matches topic.

Every match record the alert stage had already consumed (below its committed offsets) goes
through the alert stage's own recording path again (stories, groups, alerts), so follow-ups
thread and repeats are suppressed as before. Whether those alerts reached their channels is
unknown: by default their deliveries are recorded as ``unknown`` and not sent (an operator
who prefers duplicates to gaps passes ``--resend``: alert ids are derived from the matches, so
webhook receivers and mail systems see the same idempotency keys and Message-IDs as before).
Records after the committed offsets are left to the service, which alerts them as usual.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import time
from pathlib import Path

from newswatch.cli.common import add_config_option, config_from_args

UNKNOWN_NOTE = "rebuilt from the matches topic: not known whether it was sent; not re-sent"


def register(asub: argparse._SubParsersAction) -> None:
    p = asub.add_parser(
        "rebuild",
        help="rebuild a lost delivery ledger from the matches topic",
        description="Stop the service first. Re-records every match the alert stage had "
        "already consumed (stories, groups, alerts); their deliveries are marked 'unknown' and "
        "not sent, unless --resend. A ledger that still holds alerts is moved aside first "
        "with --force.",
    )
    add_config_option(p)
    p.add_argument("--resend", action="store_true",
                   help="queue the rebuilt alerts for delivery again (receivers dedupe them by "
                   "idempotency key / Message-ID)")
    p.add_argument("--force", action="store_true",
                   help="move an existing, non-empty ledger aside (<name>.before-rebuild-<time>)")
    p.set_defaults(func=_main)


def _move_aside(path: Path) -> Path:
    target = path.with_name(f"{path.name}.before-rebuild-{time.strftime('%Y%m%dT%H%M%S')}")
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(path) + suffix)
        if src.exists():
            shutil.move(src, Path(str(target) + suffix))
    return target


def _main(args: argparse.Namespace) -> int:
    import alerts.stage
    from newswatch.app import make_bus
    from newswatch.service.preflight import ledger_is_empty
    from newswatch.stage import EVENTS, MATCHES

    config = config_from_args(args)
    path = Path(alerts.stage.ledger_path(config))
    try:
        empty = ledger_is_empty(path)
    except sqlite3.DatabaseError:
        empty = False  # damaged: moved aside with --force
    if not empty:
        if not args.force:
            print(f"newswatch: the ledger {path} still holds alerts (or is damaged); pass "
                  "--force to move it aside and rebuild", file=sys.stderr)
            return 2
        print(f"moved the old ledger to {_move_aside(path)}")
    topics = [config.bus.topic(MATCHES)]
    if config.alerts.feed_health_channels:
        topics.append(config.bus.topic(EVENTS))
    with make_bus(config) as bus:
        done = bus.committed_offsets(config.bus.group("alert"), topics)
        try:
            stage = alerts.stage.build_stage(config, bus)  # takes the group: service stopped?
        except Exception as exc:
            print(f"newswatch: cannot rebuild: {exc} (stop the service first)", file=sys.stderr)
            return 1
        try:
            records = _replay(stage, done)
            stage.tick(force=True)
            kept = _settle(stage.ledger, args.resend)
        finally:
            stage.close()  # never commits: the service goes on from the committed offsets
    alerts_n = kept[0] + kept[1]
    print(f"rebuilt {path}: {records} records re-read, {alerts_n} deliveries recorded "
          f"({kept[1]} queued to send, {kept[0]} marked unknown)")
    return 0


def _replay(stage, done: dict[tuple[str, int], int]) -> int:  # noqa: ANN001
    stage.consumer.seek_to_beginning()
    handled = 0
    while True:
        batch = stage.consumer.poll(max_records=500, timeout_secs=1.0)
        if not batch:
            return handled
        old = [r for r in batch if r.offset < done.get((r.topic, r.partition), 0)]
        if old:
            stage.handle(old)
            handled += len(old)


def _settle(ledger, resend: bool) -> tuple[int, int]:  # noqa: ANN001
    """(deliveries marked unknown, deliveries left to send)."""
    with ledger.transaction() as conn:
        if resend:
            sent = conn.execute(
                "UPDATE deliveries SET note='rebuilt from the matches topic: sent again' "
                "WHERE state IN ('pending', 'queued')").rowcount
            return 0, sent
        unknown = conn.execute(
            "UPDATE deliveries SET state='unknown', next_attempt=NULL, note=? "
            "WHERE state IN ('pending', 'queued')", (UNKNOWN_NOTE,)).rowcount
        return unknown, 0
