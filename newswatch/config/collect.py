"""``[collect]``: settings shared by every feed poll (politeness, limits, state)."""

from __future__ import annotations

from pydantic import Field

from newswatch import __version__
from newswatch.config.base import StrictModel

DEFAULT_USER_AGENT = f"newswatch/{__version__} (+self-hosted feed monitor)"


class CollectConfig(StrictModel):
    user_agent: str = DEFAULT_USER_AGENT
    # At most this many requests in flight to one host, and in all.
    per_host_concurrency: int = Field(2, ge=1)
    max_workers: int = Field(8, ge=1)
    connect_timeout_secs: float = Field(10.0, gt=0)
    read_timeout_secs: float = Field(30.0, gt=0)
    # Whole fetch (connect, headers, body, redirects): a server that drips bytes is cut off.
    fetch_deadline_secs: float = Field(120.0, gt=0)
    max_redirects: int = Field(5, ge=0)
    # Bodies (after decompression) larger than this are rejected before parsing.
    max_bytes: int = Field(10 * 1024 * 1024, ge=1024)
    # Backoff after failures doubles up to this, and keeps probing at that pace.
    max_backoff_secs: int = Field(6 * 3600, ge=60)
    # Feed hints (<ttl>, Cache-Control, Expires) may lengthen an interval up to this.
    max_interval_secs: int = Field(24 * 3600, ge=60)
    # Dates this far ahead of the fetch time are clamped to it.
    future_skew_secs: int = Field(600, ge=0)
    # Same title in a feed, or same title+summary across feeds, within this window = same story.
    dedupe_window_secs: int = Field(3 * 86400, ge=0)
    # Health events are published at these failure counts (then every last one) and on recovery.
    health_event_failures: list[int] = Field([1, 5, 20], min_length=1)
    # Where recorded bodies go; empty means <data_dir>/recorded.
    record_dir: str = ""
    # Read well-formed XML feeds with the fast path (same Articles as feedparser, ~3x faster);
    # false: feedparser reads every feed.
    fast_xml: bool = True
    # Feeds with full_text = true: article pages larger than this are not read, and at most
    # this many new entries per poll get their page fetched (the rest keep the feed's text).
    full_text_max_bytes: int = Field(5 * 1024 * 1024, ge=1024)
    full_text_max_per_poll: int = Field(20, ge=1)
    # Several `newswatch run --stage collect` processes share the feeds of one config through
    # a Kafka consumer group (needs a kafka:// bus): each polls the feeds of the partitions of
    # the feeds topic it owns, and a feed's state moves with it when a process joins or dies.
    sharded: bool = False
    # Partitions of the feeds topic: at most this many collect processes share the work. Fixed
    # when the topic is created; 24 splits evenly among 1, 2, 3, 4, 6, 8, 12 or 24 processes.
    feed_partitions: int = Field(24, ge=1, le=10_000)
