"""``[[feeds]]``: what the collectors poll."""

from __future__ import annotations

from pydantic import Field

from newswatch.config.base import StrictModel


class FeedConfig(StrictModel):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    url: str
    title: str = ""
    interval_secs: int = Field(300, ge=10)
    enabled: bool = True
