"""One feedparser entry -> one Article: clean text, aware UTC dates, stable id."""

from __future__ import annotations

import calendar
import html
import re
from datetime import UTC, datetime
from typing import Any

from collectors.base import FetchedFeed
from newswatch.models import Article, Source, stable_id

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def html_to_text(value: str) -> str:
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", value or ""))).strip()


def _date(entry: Any, fetched: datetime) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        struct = entry.get(key)
        if struct:
            when = datetime.fromtimestamp(calendar.timegm(struct), UTC)
            return min(when, fetched)  # a date in the future is a publisher's clock error
    return None


def entry_to_article(entry: Any, feed: FetchedFeed, feed_title: str) -> Article | None:
    title = html_to_text(entry.get("title", ""))
    link = entry.get("link", "") or ""
    summary = html_to_text(entry.get("summary", ""))
    content = " ".join(html_to_text(c.get("value", "")) for c in entry.get("content", []) or [])
    if not (title or summary or content):
        return None
    guid = entry.get("id", "") or ""
    identity = link or guid or title
    return Article(
        id=stable_id("article", identity),
        feed_id=feed.feed_id,
        url=link,
        title=title,
        summary=summary,
        content=content if content != summary else "",
        published=_date(entry, feed.fetched),
        fetched=feed.fetched,
        authors=tuple(a.get("name", "") for a in entry.get("authors", []) if a.get("name")),
        language=entry.get("language") or None,
        guid=guid,
        tags=tuple(t.get("term", "") for t in entry.get("tags", []) if t.get("term")),
        source=Source(feed_id=feed.feed_id, feed_title=feed_title, feed_url=feed.url, url=link),
    )
