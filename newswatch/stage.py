"""What app wiring needs from every stage (collect, classify, alert)."""

from __future__ import annotations

import threading
from typing import Protocol

ARTICLES = "articles"
MATCHES = "matches"
EVENTS = "events"


class Stage(Protocol):
    name: str

    def run(self, stop: threading.Event) -> None:
        """Work until ``stop`` is set; leave nothing half-done that is committed."""

    def drain(self) -> int:
        """Process everything available now, then return how many items were handled."""

    def close(self) -> None:
        """Release resources (consumers, files)."""
