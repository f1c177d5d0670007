"""Structured logging for the service: one line per record, as text or JSON.

Stages pass ids as extras (``log.info(..., extra={"feed_id": f.id})``); both formats carry them,
so every line about a feed, article or alert can be found by its id. The thread name (the stage)
is included too.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import TextIO

ID_FIELDS = ("feed_id", "article_id", "alert_id", "match_id", "channel", "watch")


def _ids(record: logging.LogRecord) -> dict[str, str]:
    out = {}
    for name in ID_FIELDS:
        value = getattr(record, name, None)
        if value not in (None, ""):
            out[name] = str(value)
    return out


def _timestamp(record: logging.LogRecord) -> str:
    ts = datetime.fromtimestamp(record.created, UTC)
    return ts.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "thread", "msg", <ids>, "exc"?}``, one object a line."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, object] = {
            "ts": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "thread": record.threadName,
            "msg": record.getMessage(),
        }
        doc.update(_ids(record))
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        return json.dumps(doc, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``TS LEVEL logger [thread] message key=value...`` (ids appended as key=value)."""

    def format(self, record: logging.LogRecord) -> str:
        line = (
            f"{_timestamp(record)} {record.levelname} {record.name} [{record.threadName}] "
            f"{record.getMessage()}"
        )
        ids = _ids(record)
        if ids:
            line += " " + " ".join(f"{k}={v}" for k, v in ids.items())
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def setup_logging(level: str = "INFO", fmt: str = "text", stream: TextIO | None = None) -> None:
    """Replace the root handlers with one stderr handler in ``fmt`` ("text" or "json")."""
    if fmt not in ("text", "json"):
        raise ValueError(f"log format must be text or json, not {fmt!r}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(getattr(logging, level.upper(), logging.INFO))
    # Libraries that log every connection at INFO drown the service's own lines.
    for noisy in ("kafka", "apscheduler", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(root.level, logging.WARNING))
