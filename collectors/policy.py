"""When to poll a feed next: adaptive on success, exponential backoff on failure (capped, so a
broken feed keeps being probed and recovers by itself), Retry-After honoured."""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import parsedate_to_datetime

from newswatch.config.collect import CollectConfig
from newswatch.config.feeds import FeedConfig

_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*\"?(\d+)", re.I)


def _http_date(value: str) -> datetime | None:
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo is not None else None


def cache_hint(headers: dict[str, str], now: datetime) -> int | None:
    """Seconds the server says the response stays fresh (Cache-Control max-age, else Expires)."""
    cc = headers.get("cache-control", "")
    m = _MAX_AGE.search(cc)
    if m:
        return int(m.group(1))
    expires = _http_date(headers.get("expires", ""))
    if expires is not None:
        date = _http_date(headers.get("date", "")) or now
        return max(0, int((expires - date).total_seconds()))
    return None


def base_interval(feed: FeedConfig) -> int:
    return feed.interval_secs


def jitter_secs(feed: FeedConfig) -> int:
    if feed.jitter_secs is not None:
        return feed.jitter_secs
    return min(60, feed.interval_secs // 10)


def success_delay(
    feed: FeedConfig, collect: CollectConfig, *, ttl_secs: int | None = None,
    headers: dict[str, str] | None = None, now: datetime,
) -> tuple[int, str]:
    """(seconds, why): never sooner than the configured interval; a feed's <ttl> or the
    server's freshness lifetime may lengthen it up to ``max_interval_secs``."""
    base = base_interval(feed)
    hints = []
    if ttl_secs:
        hints.append((ttl_secs, "ttl"))
    cached = cache_hint(headers or {}, now)
    if cached:
        hints.append((cached, "cache"))
    if not hints:
        return base, "interval"
    hint, why = max(hints)
    if hint <= base:
        return base, "interval"
    return max(base, min(hint, collect.max_interval_secs)), why


def failure_delay(
    feed: FeedConfig, collect: CollectConfig, failures: int, retry_after: float | None = None
) -> tuple[int, str]:
    """(seconds, why): interval x 2^(failures-1), capped at ``max_backoff_secs`` (probing goes
    on at that pace); a Retry-After is honoured up to ``max_interval_secs``."""
    base = base_interval(feed)
    cap = max(base, collect.max_backoff_secs)
    backoff = min(cap, base * 2 ** min(max(failures - 1, 0), 30))
    if retry_after is not None and retry_after > backoff:
        return int(min(retry_after, max(cap, collect.max_interval_secs))), "retry-after"
    return backoff, "backoff"
