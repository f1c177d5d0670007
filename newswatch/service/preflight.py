"""Checks before the service starts: stored history intact, or say loudly what is wrong.

* Every SQLite file the chosen stages open (embedded bus, seen-store, feed state, delivery
  ledger) passes ``PRAGMA quick_check``; a damaged one stops the start with what to do.
* A delivery ledger that is missing or empty while the bus shows the alert stage already
  consumed matches means the record of what was sent, pending and dead is gone: the start is
  refused unless ``--accept-empty-ledger``; ``newswatch alerts rebuild`` rebuilds it.
* Warnings: a data directory or database readable by every user of the host; a generic
  webhook without a secret (its requests are unsigned).
"""

from __future__ import annotations

import logging
import sqlite3
import stat
from collections.abc import Sequence
from pathlib import Path

from newswatch import storage
from newswatch.config import Config
from newswatch.stage import MATCHES

log = logging.getLogger("newswatch.service")
REFUSED = 3  # exit status: refused to start; an operator must act (systemd does not restart)


def sqlite_files(config: Config, stages: Sequence[str]) -> list[tuple[str, Path]]:
    from alerts.stage import ledger_path
    from collectors.stage import seen_path, state_path

    files = []
    url = config.bus_url()
    if url.startswith("sqlite:///"):
        files.append(("embedded bus", Path(url[len("sqlite:///"):])))
    if "collect" in stages:
        files += [("seen-store", seen_path(config)), ("feed state", state_path(config))]
    if "alert" in stages:
        files.append(("delivery ledger", Path(ledger_path(config))))
    return files


def ledger_is_empty(path: Path) -> bool:
    """True if the ledger file is missing, emptied, or has never recorded a consumed match."""
    if not path.exists() or path.stat().st_size == 0:
        return True
    conn = sqlite3.connect(path, timeout=30)
    try:
        for sql in ("SELECT 1 FROM ledger_meta WHERE key='consumed'", "SELECT 1 FROM alerts",
                    "SELECT 1 FROM match_story"):
            try:
                if conn.execute(sql + " LIMIT 1").fetchone():
                    return False
            except sqlite3.OperationalError:  # no such table
                continue
        return True
    finally:
        conn.close()


def _damage(config: Config, stages: Sequence[str]) -> list[str]:
    problems = []
    for what, path in sqlite_files(config, stages):
        try:
            storage.check(path, f"the {what}")
        except storage.DamagedDatabase as exc:
            problems.append(
                f"{exc}. newswatch will not start on it. Stop newswatch, then restore {path.name} "
                f"(and its -wal file) from a backup, or move it aside to start that part afresh"
                + (" (then `newswatch alerts rebuild` rebuilds the ledger from the matches "
                   "topic)" if what == "delivery ledger" else "")
                + (": everything not yet consumed from it is lost" if what == "embedded bus"
                   else "")
            )
    return problems


def _lost_ledger(config: Config, stages: Sequence[str], accept: bool) -> list[str]:
    from alerts.stage import ledger_path
    from newswatch.app import make_bus

    path = Path(ledger_path(config))
    if "alert" not in stages or not ledger_is_empty(path):
        return []
    group, topic = config.bus.group("alert"), config.bus.topic(MATCHES)
    with make_bus(config) as bus:
        consumed = sum(bus.committed_offsets(group, [topic]).values())
    if consumed <= 0:
        return []
    state = "is missing" if not path.exists() else "is empty"
    text = (f"the delivery ledger {path} {state}, but the bus shows the alert stage (group "
            f"{group!r}) already consumed {consumed} records of {topic}: the record of which "
            "alerts were sent, are pending or were dead-lettered is gone")
    if accept:
        log.warning("%s. Continuing with an empty ledger (--accept-empty-ledger): earlier "
                    "pending and dead deliveries are forgotten; new matches are alerted", text)
        return []
    return [f"{text}. Restore {path.name} from a backup; or run `newswatch alerts rebuild` to "
            "rebuild it from the matches topic (past alerts are recorded, not sent again); or "
            "start with `newswatch run --accept-empty-ledger` to go on without that history"]


def _warnings(config: Config, stages: Sequence[str]) -> None:
    data = Path(config.service.data_dir)
    paths = [data] + [p for _, p in sqlite_files(config, stages)]
    loose = [str(p) for p in paths if p.exists() and stat.S_IMODE(p.stat().st_mode) & 0o007]
    if loose:
        log.warning("readable by every user of this host: %s (feed URLs, alert texts, delivery "
                    "history); chmod 700 the directory and 600 its files", ", ".join(loose))
    if "alert" in stages:
        for ch in config.channels:
            if ch.kind == "generic" and not ch.secret_value():
                log.warning("channel %s: generic webhook without a secret: its requests are sent "
                            "unsigned (receivers cannot tell them from forgeries); set secret or "
                            "secret_file", ch.name, extra={"channel": ch.name})


def check(config: Config, stages: Sequence[str], *, accept_empty_ledger: bool = False
          ) -> list[str]:
    """Problems that must stop the start (each says what to do); warnings are logged."""
    _warnings(config, stages)
    problems = _damage(config, stages)
    if not problems:
        problems = _lost_ledger(config, stages, accept_empty_ledger)
    return problems
