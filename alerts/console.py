"""console:// (human-readable text on stdout) and file:///path.jsonl (one JSON alert a line)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TextIO

from alerts.base import Channel, DeliveryError
from alerts.payload import payload
from alerts.render import Renderer
from newswatch.config.channels import ChannelConfig, Templates
from newswatch.models import Alert


class ConsoleChannel(Channel):
    kind = "console"

    def __init__(self, name: str, stream: TextIO | None = None, templates: Templates | None = None,
                 max_length: int | None = None):
        self.name, self.stream, self.masked_url = name, stream, "console://"
        self.renderer = Renderer(name, "console", templates or Templates(), max_length)

    @classmethod
    def from_config(cls, config: ChannelConfig) -> ConsoleChannel:
        return cls(config.name, templates=config.templates, max_length=config.max_length)

    def send(self, alert: Alert) -> None:
        out = self.stream or sys.stdout
        try:
            print(self.renderer.render_body(alert), file=out, flush=True)
        except OSError as exc:
            raise DeliveryError(f"channel {self.name}: cannot write to the console: {exc}") from exc


class FileChannel(Channel):
    """Appends one JSON object per alert (the webhook payload); fsynced so 'sent' means on disk.

    A crash between the write and the ledger update repeats the line on restart: readers dedupe
    on ``idempotency_key``.
    """

    kind = "file"

    def __init__(self, name: str, path: str | Path, templates: Templates | None = None,
                 max_length: int | None = None):
        self.name, self.path = name, Path(path)
        self.masked_url = f"file://{self.path}"
        self.renderer = Renderer(name, "file", templates or Templates(), max_length)

    @classmethod
    def from_config(cls, config: ChannelConfig) -> FileChannel:
        path = config.url.split("://", 1)[1]
        return cls(config.name, path, config.templates, config.max_length)

    def send(self, alert: Alert) -> None:
        doc = payload(alert, self.name, self.renderer)
        line = json.dumps(doc, ensure_ascii=False, sort_keys=True)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise DeliveryError(f"channel {self.name}: cannot write {self.path}: {exc}") from exc
