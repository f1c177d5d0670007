"""The keys an article is known by in the seen-store.

* ``url:`` the canonical URL (any feed): a changed GUID with the same URL is the same story,
  and so is the same story syndicated by another outlet under the same URL.
* ``guid:`` the GUID within its feed: a changed URL with the same GUID is the same story.
* ``title:`` the normalised title within its feed (windowed; only for titles of 4+ words, so a
  recurring "Daily briefing" is not swallowed beyond the window).
* ``fp:`` normalised title + summary across feeds (windowed): a wire story re-published by
  several outlets under their own URLs.
"""

from __future__ import annotations

from collectors.text import normalise_title
from newswatch.models import Article, stable_id

MIN_TITLE_WORDS = 4


def dedupe_keys(article: Article) -> list[tuple[str, bool]]:
    keys: list[tuple[str, bool]] = [(f"id:{article.id}", False)]
    if article.url.startswith(("http://", "https://")):
        keys.append((f"url:{article.url}", False))
    if article.guid:
        keys.append((f"guid:{stable_id(article.feed_id, article.guid)}", False))
    title = normalise_title(article.title)
    if len(title.split()) >= MIN_TITLE_WORDS:
        keys.append((f"title:{stable_id(article.feed_id, title)}", True))
        summary = normalise_title(article.summary or article.content)
        if len(summary.split()) >= MIN_TITLE_WORDS:
            keys.append((f"fp:{stable_id(title, summary[:500])}", True))
    return keys
