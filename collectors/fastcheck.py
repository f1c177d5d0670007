"""Differences between the fast path and feedparser on one body, field by field: the check
behind the differential test (every fixture) and ``bench/diff_fastpath.py`` (any corpus)."""

from __future__ import annotations

import dataclasses

from collectors.base import FetchedFeed, ParsedFeed
from collectors.parse import parse_feed

FEED_FIELDS = ("title", "link", "ttl_secs", "fetched", "warnings")


def both(feed: FetchedFeed, **kw: object) -> tuple[ParsedFeed, ParsedFeed]:
    """(fast path, feedparser) results for one body."""
    return parse_feed(feed, fast=True, **kw), parse_feed(feed, fast=False, **kw)  # type: ignore[arg-type]


def differences(fast: ParsedFeed, reference: ParsedFeed) -> list[str]:
    """Every field where ``fast`` differs from ``reference``, as 'where: field: a != b'."""
    out = [
        f"feed {name}: {getattr(fast, name)!r} != {getattr(reference, name)!r}"
        for name in FEED_FIELDS if getattr(fast, name) != getattr(reference, name)
    ]
    if len(fast.articles) != len(reference.articles):
        out.append(f"articles: {len(fast.articles)} != {len(reference.articles)}")
    for n, (a, b) in enumerate(zip(fast.articles, reference.articles, strict=False)):
        for field in dataclasses.fields(a):
            x, y = getattr(a, field.name), getattr(b, field.name)
            if x != y:
                out.append(f"entry {n} {field.name}: {x!r} != {y!r}")
    return out
