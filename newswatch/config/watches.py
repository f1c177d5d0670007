"""``[[watches]]``: what the user wants to be alerted about."""

from __future__ import annotations

from pydantic import Field

from newswatch.config.base import StrictModel


class KeywordRule(StrictModel):
    any: list[str] = []
    all: list[str] = []
    none: list[str] = []


class WatchConfig(StrictModel):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    keywords: KeywordRule = KeywordRule()
    channels: list[str] = []
    severity: str = Field("normal", pattern=r"^(low|normal|high|critical)$")
