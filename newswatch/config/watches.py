"""``[[watches]]``: what the user wants to be alerted about.

A watch matches an article when every condition it sets holds: classifier labels at or above
their minimum scores, keywords/phrases (any/all/none; case- and accent-folded, whole words),
regular expressions, named groups (canonical gazetteer names, so every alias counts), places
(where the event happened, resolved through the classifier's geography), feeds and languages.
A watch with no condition at all never matches.
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from newswatch.config.base import StrictModel


class KeywordRule(StrictModel):
    """Words or phrases; ``any``: at least one, ``all``: every one, ``none``: not one."""

    any: list[str] = []
    all: list[str] = []
    none: list[str] = []


class RegexRule(StrictModel):
    """Python regular expressions searched in title + summary + content (case-insensitive)."""

    any: list[str] = []
    none: list[str] = []

    @field_validator("any", "none")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for p in patterns:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"regex {p!r} does not compile: {exc}") from None
        return patterns


# The alert stage's internal watch for feed-health notices; a user watch may not take its name.
FEED_HEALTH_WATCH = "feed-health"


class WatchConfig(StrictModel):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    # Classifier label -> minimum score (0..1). Several labels: ``labels_mode`` says how.
    labels: dict[str, float] = {}
    labels_mode: str = Field("any", pattern=r"^(any|all)$")
    keywords: KeywordRule = KeywordRule()
    regexes: RegexRule = RegexRule()
    # Canonical gazetteer names (see ``newswatch classify``); any alias of them matches.
    groups: list[str] = []
    # Also match candidate group names not yet in the gazetteer (requires ``groups`` unset).
    candidates: bool = False
    # Places the event must be in: ISO 3166-1 country codes ("IL"), ISO 3166-2 regions
    # ("RU-BEL") or any place name the classifier's geography knows ("Kursk", "Gaza Strip");
    # a place inside a watched one counts (a town in RU-BEL matches "RU-BEL" and "RU").
    places: list[str] = []
    feeds: list[str] = []  # feed ids; empty: every feed
    languages: list[str] = []  # ISO 639-1 codes; empty: every language
    channels: list[str] = []
    severity: str = Field("normal", pattern=r"^(low|normal|high|critical)$")

    @field_validator("labels")
    @classmethod
    def _scores(cls, labels: dict[str, float]) -> dict[str, float]:
        for label, score in labels.items():
            if not 0.0 <= score <= 1.0:
                raise ValueError(f"labels.{label}: minimum score {score} is not within 0..1")
        return labels

    @field_validator("name")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value == FEED_HEALTH_WATCH:
            raise ValueError(f"{value!r} is reserved for feed-health alerts; choose another name")
        return value
