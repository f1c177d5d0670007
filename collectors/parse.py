"""feedparser on bytes -> Articles. Never hands feedparser a URL (it would fetch it)."""

from __future__ import annotations

import feedparser

from collectors.base import FetchedFeed, ParsedFeed
from collectors.normalise import entry_to_article


def parse_feed(feed: FetchedFeed) -> ParsedFeed:
    """Parse one body; what can be read is returned, problems become warnings naming the feed."""
    where = f"feed {feed.feed_id!r}" + (f" ({feed.origin})" if feed.origin else "")
    try:
        parsed = feedparser.parse(feed.body, response_headers=dict(feed.headers))
    except Exception as exc:  # feedparser should not raise, but hostile input must not stop us
        return ParsedFeed(feed.feed_id, "", (), (f"{where}: cannot parse: {exc}",))
    warnings = []
    if parsed.get("bozo"):
        problem = parsed.get("bozo_exception")
        warnings.append(f"{where}: ill-formed feed, read what could be read: {problem}")
    title = parsed.feed.get("title", "") if parsed.get("feed") else ""
    articles = []
    for n, entry in enumerate(parsed.entries):
        try:
            article = entry_to_article(entry, feed, title)
        except Exception as exc:
            warnings.append(f"{where}: entry {n} skipped: {exc}")
            continue
        if article is not None:
            articles.append(article)
    if not articles and not parsed.entries and not warnings:
        warnings.append(f"{where}: no entries")
    return ParsedFeed(feed.feed_id, title, tuple(articles), tuple(warnings))
