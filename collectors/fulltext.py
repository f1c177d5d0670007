"""Full article text for feeds with ``full_text = true``: the page of each new entry is fetched
as politely as the feed (same fetcher: timeouts, deadline, redirects, size cap, User-Agent;
the scheduler's per-host limit; robots.txt honoured) and its main text, extracted by
trafilatura (the ``fulltext`` extra), becomes the article's ``content`` when it says more than
the feed did. Whatever fails, the article keeps the feed's text: the page is an extra."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from collectors.fetch import Fetcher, FetchError
from collectors.urls import host_of, redact
from newswatch.config.collect import CollectConfig
from newswatch.config.feeds import FeedConfig
from newswatch.models import Article

log = logging.getLogger("newswatch.collect")

EXTRA_HINT = "pip install 'newswatch[fulltext]'"
ROBOTS_MAX_BYTES = 512 * 1024
ROBOTS_TTL_SECS = 24 * 3600
ROBOTS_RETRY_SECS = 600  # robots.txt unreachable (5xx, network): no pages from that host
HTML_TYPES = ("text/html", "application/xhtml+xml")
Slot = Callable[[str], Any]  # url -> context manager holding that host's request slot


def load_extractor() -> tuple[Callable[..., str | None] | None, str]:
    """(trafilatura.extract, '') or (None, why) when the extra is missing or broken."""
    try:
        from trafilatura import extract
    except ImportError as exc:
        return None, f"{type(exc).__name__}: {exc}".splitlines()[0]
    return extract, ""


class Robots:
    """robots.txt per scheme+host, cached; 4xx means no rules, 5xx or no answer means none of
    that host's pages for a while (RFC 9309)."""

    def __init__(self, fetcher: Fetcher):
        self.fetcher = fetcher
        self._rules: dict[str, tuple[float, RobotFileParser | None]] = {}
        self._lock = threading.Lock()

    def allowed(self, feed: FeedConfig, url: str, agent: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            cached = self._rules.get(origin)
        if cached is None or cached[0] < time.monotonic():
            cached = self._load(feed, origin)
            with self._lock:
                self._rules[origin] = cached
        rules = cached[1]
        return rules is not None and rules.can_fetch(agent, url)

    def _load(self, feed: FeedConfig, origin: str) -> tuple[float, RobotFileParser | None]:
        rules = RobotFileParser()
        target = page_config(feed, f"{origin}/robots.txt", ROBOTS_MAX_BYTES)
        try:
            got = self.fetcher.fetch(target)
        except FetchError as exc:
            if 400 <= exc.status < 500:
                rules.parse([])  # no robots.txt: everything allowed
                return time.monotonic() + ROBOTS_TTL_SECS, rules
            log.info("robots.txt of %s unavailable (%s): no full text from it for now",
                     redact(origin), exc)
            return time.monotonic() + ROBOTS_RETRY_SECS, None
        rules.parse(got.body.decode("utf-8", "replace").splitlines())
        return time.monotonic() + ROBOTS_TTL_SECS, rules


def page_config(feed: FeedConfig, url: str, max_bytes: int) -> FeedConfig:
    """The feed's politeness settings for another URL: its timeouts and User-Agent, none of its
    extra headers (they may hold the feed's credentials), the page size cap."""
    return feed.model_copy(update={"url": url, "headers": {}, "max_bytes": max_bytes})


class FullText:
    def __init__(self, fetcher: Fetcher, collect: CollectConfig, slot: Slot):
        self.fetcher, self.collect, self.slot = fetcher, collect, slot
        self.robots = Robots(fetcher)
        self._warned: set[str] = set()
        self._extract: tuple[Callable[..., str | None] | None, str] | None = None

    def _extractor(self, feed: FeedConfig) -> Callable[..., str | None] | None:
        if self._extract is None:
            self._extract = load_extractor()
        extract, why = self._extract
        if extract is None and feed.id not in self._warned:
            self._warned.add(feed.id)
            log.warning("feed %r: full_text = true, but the full-text extra is not installed "
                        "(%s: %s); its articles keep the feed's text", feed.id, EXTRA_HINT, why,
                        extra={"feed_id": feed.id})
        return extract

    def enrich(self, feed: FeedConfig, articles: list[Article]) -> list[Article]:
        """``articles`` with the main text of their pages as content (first
        ``full_text_max_per_poll`` of them); any failure leaves an article as it was."""
        extract = self._extractor(feed)
        if extract is None:
            return articles
        limit = self.collect.full_text_max_per_poll
        return [self._one(feed, a, extract) if n < limit else a for n, a in enumerate(articles)]

    def _one(
        self, feed: FeedConfig, article: Article, extract: Callable[..., str | None]
    ) -> Article:
        url = article.url  # canonical: tracking parameters and fragment already dropped
        if not url.startswith(("http://", "https://")):
            return article
        agent = feed.user_agent or self.collect.user_agent
        try:
            if not self.robots.allowed(feed, url, agent):
                log.info("feed %r: robots.txt disallows %s; feed text kept", feed.id, redact(url),
                         extra={"feed_id": feed.id})
                return article
            with self._host(feed, url):
                got = self.fetcher.fetch(page_config(feed, url, self.collect.full_text_max_bytes))
        except FetchError as exc:
            log.info("feed %r: page %s not fetched (%s); feed text kept", feed.id, redact(url),
                     exc, extra={"feed_id": feed.id})
            return article
        ctype = got.headers.get("content-type", "text/html").split(";")[0].strip().lower()
        if ctype not in HTML_TYPES:
            return article
        try:
            text = extract(got.body, url=got.final_url, include_comments=False,
                           include_tables=False, favor_precision=True)
        except Exception as exc:  # an extractor bug costs one page, never the poll
            log.info("feed %r: no text extracted from %s (%r)", feed.id, redact(url), exc,
                     extra={"feed_id": feed.id})
            return article
        text = " ".join((text or "").split())
        return replace(article, content=text) if len(text) > len(article.content) else article

    @contextlib.contextmanager
    def _host(self, feed: FeedConfig, url: str) -> Iterator[None]:
        """The page host's request slot; the poll already holds the feed host's one."""
        if host_of(url) == host_of(feed.url):
            yield
        else:
            with self.slot(url):
                yield
