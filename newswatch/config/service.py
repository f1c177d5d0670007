"""``[service]``: process-wide settings (state directory, logging)."""

from __future__ import annotations

from pydantic import Field

from newswatch.config.base import StrictModel


class ServiceConfig(StrictModel):
    # Where the embedded bus, seen-store, feed state and delivery ledger live.
    data_dir: str = "var/newswatch"
    log_level: str = Field("INFO", pattern=r"^(DEBUG|INFO|WARNING|ERROR)$")
