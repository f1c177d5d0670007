"""Messages that flow between stages. Frozen, aware-UTC, serialised by :mod:`newswatch.serde`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime; naive values are taken to be UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def stable_id(*parts: str, size: int = 16) -> str:
    """A short, stable hex id from text parts (same input, same id, on every host)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:size]


@dataclass(frozen=True, slots=True)
class Source:
    """Where an article was seen: one feed's view of it."""

    feed_id: str
    feed_title: str = ""
    feed_url: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    feed_id: str
    url: str
    title: str
    summary: str = ""
    content: str = ""
    published: datetime | None = None
    fetched: datetime = field(default_factory=utcnow)
    authors: tuple[str, ...] = ()
    language: str | None = None
    guid: str = ""
    tags: tuple[str, ...] = ()
    source: Source | None = None
    # Other feeds that carried the same story (syndication), linked rather than re-alerted.
    also_seen_in: tuple[Source, ...] = ()

    @property
    def text(self) -> str:
        """Title, summary and content as one string, for classifiers and rules."""
        return "\n".join(p for p in (self.title, self.summary, self.content) if p)


@dataclass(frozen=True, slots=True)
class Place:
    """A place an article is about, from the classifier's geography.

    ``id`` is an ISO 3166-1 alpha-2 code for a country ("UA"), an ISO 3166-2 code for a
    first-level region ("RU-BEL"), or the canonical English name of a city or contested territory
    ("Shebekino", "Gaza Strip"). ``country`` and ``region`` name what contains it, so a watch on
    "RU" or "RU-BEL" also takes a village in that region.
    """

    id: str
    name: str
    kind: str = "country"  # country | region | city | territory
    country: str = ""
    region: str = ""

    def within(self, place_id: str) -> bool:
        """True when this place is ``place_id`` or lies inside it."""
        return place_id in (self.id, self.country, self.region)


@dataclass(frozen=True, slots=True)
class LabelScore:
    label: str
    score: float


@dataclass(frozen=True, slots=True)
class Match:
    """An article that satisfied a watch, with the evidence why."""

    article: Article
    watch: str
    score: float
    labels: tuple[LabelScore, ...] = ()
    groups: tuple[str, ...] = ()
    candidates: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    severity: str = "normal"
    # Where the event is, the place it happened first where the text says so.
    places: tuple[Place, ...] = ()
    model_version: str = ""
    matched_at: datetime = field(default_factory=utcnow)

    @property
    def id(self) -> str:
        """Idempotency key: one match per (watch, article), whoever computed it."""
        return stable_id("match", self.watch, self.article.id)


@dataclass(frozen=True, slots=True)
class Alert:
    """What a channel delivers: one or more matches grouped into one message."""

    id: str
    route: str
    matches: tuple[Match, ...]
    created: datetime = field(default_factory=utcnow)
    story_id: str = ""
    severity: str = "normal"
    follow_up_of: str = ""


@dataclass(frozen=True, slots=True)
class Delivery:
    """The ledger's record of one alert on one channel."""

    alert_id: str
    channel: str
    state: str  # pending | sent | failed | dead
    attempts: int = 0
    last_error: str = ""
    updated: datetime = field(default_factory=utcnow)


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """Health event published by collectors; alerts may route it."""

    feed_id: str
    ok: bool
    consecutive_failures: int = 0
    failing_since: datetime | None = None
    last_error: str = ""
    at: datetime = field(default_factory=utcnow)
