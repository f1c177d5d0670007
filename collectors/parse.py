"""Bytes -> Articles. feedparser for XML feeds (never handed a URL: it would fetch it), our
reader for JSON Feed; hostile bodies are rejected first by :mod:`collectors.guard`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser

from collectors.base import FetchedFeed, ParsedFeed
from collectors.fastxml import Fallback, read_fast
from collectors.guard import Rejected, check_body
from collectors.jsonfeed import NotAFeed, looks_like_json, parse_json_feed
from collectors.normalise import FeedContext, entry_date, entry_to_article, struct_to_utc
from collectors.text import html_to_text
from collectors.urls import redact

# Reference time for saved files with neither a recorded fetch time nor any date inside.
FIXED_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def where(feed: FetchedFeed) -> str:
    return f"feed {feed.feed_id!r}" + (f" ({redact(feed.origin)})" if feed.origin else "")


def _headers(feed: FetchedFeed, charset: str) -> dict[str, str]:
    headers = {k.lower(): v for k, v in feed.headers.items()}
    headers.pop("content-encoding", None)  # bodies are stored decoded
    if charset:
        headers["content-type"] = f"application/xml; charset={charset}"
    return headers


def _http_charset(feed: FetchedFeed) -> str:
    ctype = next((v for k, v in feed.headers.items() if k.lower() == "content-type"), "")
    for part in ctype.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset":
            return value.strip("\"' ").lower()
    return ""


def _ttl(info: Any) -> int | None:
    try:
        minutes = int(str(info.get("ttl", "")).strip())
    except ValueError:
        return None
    return minutes * 60 if minutes > 0 else None


def _read(
    feed: FetchedFeed, max_bytes: int, fast: bool
) -> tuple[dict[str, Any], list[Any], list[str], str]:
    """(feed info, entries, problems, reader): reader is 'json', 'fast' or 'feedparser'."""
    checked = check_body(feed.body, max_bytes, _http_charset(feed))
    problems = list(checked.notes)
    if looks_like_json(checked.body):
        info, entries, more = parse_json_feed(checked.body)
        return info, entries, problems + more, "json"
    headers = _headers(feed, checked.charset)
    if fast:
        try:
            info, entries, _ = read_fast(checked.body, headers)
            return info, entries, problems, "fast"
        except Fallback as exc:
            reason = str(exc)
    else:
        reason = "fast path off"
    # resolve_relative_uris=False: the text is stripped of markup, so resolving links inside
    # it only cost time (same Articles with and without on every fixture and corpus file).
    parsed = feedparser.parse(
        checked.body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False,
    )
    if parsed.get("bozo"):
        problem = parsed.get("bozo_exception")
        if not isinstance(problem, feedparser.CharacterEncodingOverride) or not parsed.entries:
            problems.append(f"ill-formed feed, read what could be read: {problem}")
    info = parsed.get("feed") or {}
    if not parsed.entries and not info.get("title") and not parsed.get("version"):
        raise NotAFeed("not a feed (no RSS, RDF, Atom or JSON Feed content found)")
    return info, list(parsed.entries), problems, f"feedparser ({reason})"


def parse_feed(
    feed: FetchedFeed, *, max_bytes: int = DEFAULT_MAX_BYTES, future_skew_secs: int = 600,
    detect_language: bool = True, fast: bool = True,
) -> ParsedFeed:
    """Parse one body; what can be read is returned, problems become warnings naming the feed.
    ``fast``: well-formed UTF-8 XML feeds go through :mod:`collectors.fastxml` (same entries,
    several times faster), anything else through feedparser."""
    label = where(feed)
    try:
        info, entries, problems, reader = _read(feed, max_bytes, fast)
    except (Rejected, NotAFeed) as exc:
        return ParsedFeed(feed.feed_id, "", (), (f"{label}: rejected: {exc}",))
    except Exception as exc:  # a parser bug must cost one feed, never the collector
        return ParsedFeed(feed.feed_id, "", (), (f"{label}: cannot parse: {exc!r}",))
    warnings = [f"{label}: {p}" for p in problems]
    now = feed.fetched
    if feed.fetched_estimated:
        dates = [d for d in map(entry_date, entries) if d is not None]
        updated = struct_to_utc(info.get("updated_parsed"))
        now = max(dates + ([updated] if updated else []), default=FIXED_EPOCH)
    ctx = FeedContext(
        feed=feed,
        title=html_to_text(info.get("title", "")),
        link=str(info.get("link", "") or ""),
        language=str(info.get("language", "") or feed.language or ""),
        now=now,
        future_skew=timedelta(seconds=future_skew_secs),
        detect=detect_language,
    )
    articles = []
    for n, entry in enumerate(entries):
        try:
            article = entry_to_article(entry, ctx)
        except Exception as exc:
            warnings.append(f"{label}: entry {n} skipped: {exc!r}")
            continue
        if article is None:
            warnings.append(f"{label}: entry {n} skipped: no title, summary or content")
        else:
            articles.append(article)
    if ctx.dropped_links:
        schemes = sorted({link.split(":", 1)[0][:20] if ":" in link else "relative"
                          for link in ctx.dropped_links})
        warnings.append(f"{label}: {len(ctx.dropped_links)} entry link(s) dropped: not http(s) "
                        f"URLs ({', '.join(schemes)})")
    if not entries and not warnings:
        warnings.append(f"{label}: no entries")
    return ParsedFeed(
        feed.feed_id, ctx.title, tuple(articles), tuple(warnings), ctx.link, _ttl(info), now,
        reader,
    )
