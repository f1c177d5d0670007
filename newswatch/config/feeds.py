"""``[[feeds]]``: what the collectors poll, and how politely."""

from __future__ import annotations

from pydantic import Field, field_validator

from newswatch.config.base import StrictModel


class FeedConfig(StrictModel):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    url: str = Field(repr=False)  # may carry user:password@ or ?apikey=: shown redacted
    title: str = ""
    # Polling: the base interval; <ttl>, Cache-Control/Expires and Retry-After may lengthen it.
    interval_secs: int = Field(300, ge=10)
    # Random delay added to each poll (default: a tenth of the interval, at most 60 s).
    jitter_secs: int | None = Field(None, ge=0)
    enabled: bool = True
    # HTTP: empty user_agent means [collect] user_agent; headers are sent with every request
    # (values may be secrets: set them with NEWSWATCH_FEEDS__<ID>__HEADERS__<NAME>).
    user_agent: str = ""
    headers: dict[str, str] = Field({}, repr=False)
    connect_timeout_secs: float | None = Field(None, gt=0)
    read_timeout_secs: float | None = Field(None, gt=0)
    fetch_deadline_secs: float | None = Field(None, gt=0)
    max_bytes: int | None = Field(None, ge=1024)
    # Save every fetched body with its headers under [collect] record_dir (for replay).
    record: bool = False
    # Declared language (ISO 639-1) used when detection on the text is not confident.
    language: str = ""
    # Fetch each new entry's page and use its main text as the article's content (robots.txt
    # honoured, same limits as the feed; needs the 'fulltext' extra).
    full_text: bool = False

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("headers")
    @classmethod
    def _header_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not name or any(c in name for c in " :\r\n\t"):
                raise ValueError(f"invalid HTTP header name {name!r}")
        return value
