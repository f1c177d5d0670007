"""Lists of related links and "Related:" blocks in feed HTML are dropped before
classification; lists that are part of the story stay (issue 9, passing mentions)."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

import pytest

from collectors.base import FetchedFeed
from collectors.parse import parse_feed
from collectors.text import html_to_text

RELATED_LIST = (
    "<p>Heavy rain flooded the lower town overnight and the river is still rising.</p>"
    '<ul><li><a href="https://w.example/1">Hamas says truce talks stalled</a> '
    '<font color="#6f6f6f">Wire</font></li>'
    '<li><a href="https://w.example/2">Wagner fighters leave central Mali</a></li>'
    '<li><a href="https://w.example/3">Taliban ban girls from high schools</a></li></ul>'
)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (RELATED_LIST,
         "Heavy rain flooded the lower town overnight and the river is still rising."),
        ('<p>Ferry sails late.</p><p>Related: <a href="/a">IS claims bombing</a> | '
         '<a href="/b">RSF shells market</a></p><p>Tickets stay valid.</p>',
         "Ferry sails late. Tickets stay valid."),
        ('<p>Ferry sails late.</p><h3>Read more</h3><p><a href="/a">Houthi drones hit a '
         'tanker</a></p><p><a href="/b">M23 takes a town</a></p><p>Tickets stay valid.</p>',
         "Ferry sails late. Tickets stay valid."),
        ('<div><p>Ferry sails late.</p><div><p>See also:</p><ol><li><a href="/a">Legion '
         'raid</a></li></ol></div></div>', "Ferry sails late."),
    ],
)
def test_related_links_are_dropped(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


@pytest.mark.parametrize(
    "html",
    [
        '<p>What we know:</p><ul><li>Nine people died in <a href="/k">Kharkiv</a> after '
        "overnight shelling</li><li>Power was cut to 3,000 homes</li></ul>",
        "<ol><li>Preheat the oven</li><li>Mix the flour and the butter</li></ol>",
        "<p>More than 20 people were hurt, officials said.</p>",
        '<p>Read more about the <a href="/x">budget</a> in our explainer on how the council '
        "votes, which has been updated with the latest figures and a timeline of the debate "
        "that began last spring and is expected to end before the summer recess.</p>",
    ],
)
def test_lists_and_paragraphs_that_are_content_stay(html: str) -> None:
    text = html_to_text(html)
    assert "Kharkiv" in text or "oven" in text or "hurt" in text or "explainer" in text
    assert len(text) >= 0.8 * len(html_to_text(html, drop_links=False))


def test_deeply_nested_markup_stays_linear() -> None:
    # Each closing tag finds its frame in O(1): 40,000 nested blocks parse at once.
    assert html_to_text("<div>" * 40_000 + "deep" + "</div>" * 40_000) == "deep"


def _rss(description: str, title: str = "Flood waters rise in the lower town") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Wire</title>'
        "<link>https://w.example/</link><item>"
        f"<title>{escape(title)}</title><link>https://w.example/flood</link>"
        f"<description>{escape(description)}</description></item></channel></rss>"
    ).encode()


def test_feed_description_with_related_headlines_becomes_the_story_only() -> None:
    fetched = datetime(2026, 11, 20, tzinfo=UTC)
    feed = parse_feed(FetchedFeed("wire", _rss(RELATED_LIST), fetched))
    [article] = feed.articles
    assert article.summary.startswith("Heavy rain flooded")
    for name in ("Hamas", "Wagner", "Taliban"):
        assert name not in article.text
    # An entry whose only text is a list of links keeps the links (nothing is lost).
    only = '<ul><li><a href="https://w.example/9">Flood barrier opens early</a></li></ul>'
    feed = parse_feed(FetchedFeed("wire", _rss(only, title=""), fetched))
    assert [a.title for a in feed.articles] == ["Flood barrier opens early"]
