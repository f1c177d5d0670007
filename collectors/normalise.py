"""One feed entry (feedparser's, or JSON Feed's in the same shape) -> one Article: clean text,
canonical URL, aware UTC dates, language, and an identity that survives publisher churn."""

from __future__ import annotations

import calendar
import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin

from collectors.base import FetchedFeed
from collectors.text import detect_language, html_to_text, normalise_title
from collectors.urls import canonical_url, redact
from newswatch.models import Article, Source, stable_id

TITLE_FROM_TEXT_CHARS = 120


@dataclass(frozen=True, slots=True)
class FeedContext:
    feed: FetchedFeed
    title: str
    link: str
    language: str
    now: datetime  # the fetch time dates are judged against
    future_skew: timedelta
    detect: bool = True  # False: language is the declared one; see :func:`with_language`
    # Links that were not http(s) URLs (javascript:, data:, ...), dropped; noted once per feed.
    dropped_links: list[str] = field(default_factory=list)


def struct_to_utc(struct: Any) -> datetime | None:
    if not struct:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(struct), UTC)
    except (OverflowError, ValueError, TypeError, OSError):
        return None


def entry_date(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        when = struct_to_utc(entry.get(key))
        if when is not None:
            return when
    return None


def _title(title: str, text: str) -> str:
    if title:
        return title
    if len(text) <= TITLE_FROM_TEXT_CHARS:
        return text
    cut = text[:TITLE_FROM_TEXT_CHARS].rsplit(" ", 1)[0]
    return cut + "…"


def article_id(canonical: str, feed_id: str, guid: str, title: str, text: str) -> str:
    """Stable identity: the canonical URL when there is one (the same story from any feed or
    GUID), else the GUID within its feed, else the normalised title (and text) within it."""
    if canonical.startswith(("http://", "https://")):
        return stable_id("article", canonical)
    if guid:
        return stable_id("article", feed_id, "guid", guid)
    return stable_id("article", feed_id, "title", normalise_title(title), normalise_title(text))


def _link(entry: Any, base: str) -> str:
    link = entry.get("link") or ""
    if not link:
        for candidate in entry.get("links", []) or []:
            if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
                link = candidate["href"]
                break
    guid = str(entry.get("id", ""))
    if not link and guid.startswith(("http://", "https://")) and entry.get("guidislink", True):
        link = guid
    link = str(link).strip()
    if link and "://" not in link and base.startswith(("http://", "https://")):
        link = urljoin(base, link)
    return link


def with_language(article: Article) -> Article:
    """``article`` with its language detected from its text (declared one as the fallback);
    the collector does this only for new articles, the costly part of normalising."""
    lang = detect_language(article.text, article.language or "")
    return article if lang == article.language else dataclasses.replace(article, language=lang)


def _dicts(entry: Any, key: str) -> list[dict[str, Any]]:
    return [d for d in entry.get(key, []) or [] if isinstance(d, dict)]


def _names(entry: Any) -> tuple[str, ...]:
    names = tuple(str(a["name"]) for a in _dicts(entry, "authors") if a.get("name"))
    if not names and isinstance(entry.get("author"), str) and entry["author"]:
        names = (entry["author"],)
    return names


def entry_to_article(entry: Any, ctx: FeedContext) -> Article | None:
    feed = ctx.feed
    summary = html_to_text(entry.get("summary", ""))
    content = " ".join(
        t for t in (html_to_text(c.get("value", "")) for c in entry.get("content", []) or []) if t
    )
    title = html_to_text(entry.get("title", ""))
    if not (title or summary or content):
        # Nothing but a list of links: the links are all there is, keep them.
        summary = html_to_text(entry.get("summary", ""), drop_links=False)
    if not (title or summary or content):
        return None
    title = _title(title, summary or content)
    if not summary:
        summary, content = content, ""
    elif content == summary:
        content = ""
    link = _link(entry, ctx.link or feed.url or feed.origin)
    canonical = canonical_url(link)
    if link and not canonical:  # only http(s) links reach alerts (no javascript:, data:, ...)
        ctx.dropped_links.append(link)
        link = ""
    guid = str(entry.get("id", "") or "").strip()
    published = entry_date(entry)
    if published is not None and published > ctx.now + ctx.future_skew:
        published = ctx.now  # a publisher's clock or typo; never sort ahead of what we fetched
    declared = entry.get("language") or ctx.language
    text = " ".join(p for p in (title, summary, content) if p)
    return Article(
        id=article_id(canonical, feed.feed_id, guid, title, summary or content),
        feed_id=feed.feed_id,
        url=canonical,
        title=title,
        summary=summary,
        content=content,
        published=published,
        fetched=ctx.now,
        authors=_names(entry),
        language=detect_language(text, declared or "") if ctx.detect else (declared or None),
        guid=guid,
        tags=tuple(str(t["term"]) for t in _dicts(entry, "tags") if t.get("term")),
        source=Source(feed_id=feed.feed_id, feed_title=ctx.title, feed_url=redact(feed.url),
                      url=redact(link)),
    )
