"""``[[channels]]``: where alerts go, chosen by URL scheme."""

from __future__ import annotations

from pydantic import Field, field_validator

from newswatch.config.base import StrictModel

SCHEMES = ("console", "file")


class ChannelConfig(StrictModel):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    url: str

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if scheme not in SCHEMES:
            raise ValueError(f"unknown channel scheme {scheme!r}; use one of {', '.join(SCHEMES)}")
        return value
