"""The embedded bus keeps one collect process: a second one on the same bus would poll every
feed again with its own seen-store. The collect stage holds an exclusive lock next to the bus
file while it exists; another process that tries is refused with a clear error (and, as a
supervised stage, keeps retrying: it takes over when the first one stops)."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class CollectorBusy(RuntimeError):
    pass


class OneCollector:
    def __init__(self, bus_path: Path):
        self.path = bus_path.with_name(bus_path.name + ".collect.lock")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(self._fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(self._fd)
            raise CollectorBusy(
                f"another collect process (pid {holder}) is running on the embedded bus "
                f"{bus_path}: the embedded bus keeps one collector. To run several, use a "
                "kafka:// bus with [collect] sharded = true"
            ) from None
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, str(os.getpid()).encode(), 0)

    @classmethod
    def for_bus(cls, url: str) -> OneCollector | None:
        """The lock for an embedded bus URL (None for Kafka: several collectors are fine)."""
        if not url.startswith("sqlite:///"):
            return None
        return cls(Path(url[len("sqlite:///"):] or "bus.db"))

    def __enter__(self) -> OneCollector:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd >= 0:
            os.close(self._fd)  # releases the lock
            self._fd = -1
