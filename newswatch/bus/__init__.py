"""Bus implementations, chosen by URL: ``sqlite:///path/bus.db`` (embedded) or ``kafka://h:p``."""

from __future__ import annotations

from typing import Any

from newswatch.bus.base import Bus, BusError, Consumer, Record, consume

__all__ = ["Bus", "BusError", "Consumer", "Record", "consume", "open_bus"]


def open_bus(url: str, **options: Any) -> Bus:
    """Open the bus named by ``url``; ``options`` are implementation settings from ``[bus]``."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme == "sqlite":
        from newswatch.bus.sqlite import SqliteBus

        return SqliteBus(url, **options)
    if scheme == "kafka":
        from newswatch.bus.kafka import KafkaBus

        return KafkaBus(url, **options)
    raise BusError(f"bus url {url!r}: unknown scheme {scheme!r} (use sqlite:/// or kafka://)")
