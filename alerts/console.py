"""console:// (human-readable lines on stdout) and file:///path.jsonl (one JSON alert a line)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

from alerts.base import Channel, DeliveryError
from newswatch import serde
from newswatch.models import Alert


def render_text(alert: Alert) -> str:
    lines = []
    for m in alert.matches:
        a = m.article
        labels = ", ".join(f"{ls.label}={ls.score:.2f}" for ls in m.labels if ls.score >= 0.5)
        extra = "; ".join(x for x in (labels, ", ".join(m.groups)) if x)
        lines.append(
            f"[{m.watch}] {a.title} ({a.feed_id}) {a.url}" + (f" | {extra}" if extra else "")
        )
        if m.reasons:
            lines.append("    why: " + "; ".join(m.reasons[:5]))
    return "\n".join(lines)


class ConsoleChannel(Channel):
    def __init__(self, name: str, stream: TextIO | None = None):
        self.name, self.stream = name, stream

    def send(self, alert: Alert) -> None:
        out = self.stream or sys.stdout
        print(render_text(alert), file=out, flush=True)


class FileChannel(Channel):
    """Appends one JSON object per alert; fsynced so 'sent' means on disk."""

    def __init__(self, name: str, path: str | Path):
        self.name, self.path = name, Path(path)

    def send(self, alert: Alert) -> None:
        line = json.dumps(serde.to_dict(alert), ensure_ascii=False, sort_keys=True)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")
                fh.flush()
        except OSError as exc:
            raise DeliveryError(f"channel {self.name}: cannot write {self.path}: {exc}") from exc
