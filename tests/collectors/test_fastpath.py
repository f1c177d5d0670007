"""Differential test of the fast XML path: on every fixture, hand-written quirk and seeded random
feed, its Articles (and feed title, link, ttl, warnings) equal feedparser's, field by field."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastcases import random_atom, random_rdf, random_rss
from feedhelp import FIXTURES

from collectors.base import FetchedFeed
from collectors.fastcheck import both, differences
from collectors.replay import feed_files, load_saved

SAMPLES = Path(__file__).resolve().parents[2] / "newswatch" / "samples" / "feeds"
FILES = sorted(feed_files([FIXTURES, SAMPLES]))
WHEN = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
RSS = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
       'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
       'xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Quirks</title>{}</channel></rss>')
ATOM = '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Q</title>{}</feed>'

QUIRKS = {
    # feedparser moves a second summary-like element into content
    "itunes-summary-after-description": RSS.format(
        "<item><title>Ferry strike ends</title><description>Short one.</description>"
        "<itunes:summary>The longer account of the strike.</itunes:summary></item>"),
    "permalink-guid-is-the-link": RSS.format(
        "<item><title>Guid only</title><guid>https://port.example/s/1</guid></item>"),
    "guid-not-permalink": RSS.format(
        '<item><title>Guid only</title><guid isPermaLink="false">https://port.example/s/2</guid>'
        "</item>"),
    "media-title-alone": RSS.format(
        "<item><media:title>Only a media title</media:title><link>https://port.example/3</link>"
        "</item>"),
    "source-resets-title-depth": RSS.format(
        "<item><title>First</title><source url='https://w.example/'>Wire</source>"
        "<media:title>Second</media:title><link>https://port.example/4</link></item>"),
    "email-author": RSS.format(
        "<item><title>By mail</title><author>desk@port.example (Harbour Desk)</author>"
        "<link>https://port.example/5</link></item>"),
    "image-inside-item": RSS.format(
        "<image><url>https://port.example/logo.png</url><title>Logo</title></image>"
        "<item><image><title>Item image</title></image><title>Real title</title>"
        "<link>https://port.example/6</link></item>"),
    "cp1252-controls-and-mojibake": RSS.format(
        "<item><title>\u0093Quoted\u0094 and Caf\u00c3\u00a9</title>"
        "<link>https://port.example/7</link></item>"),
    "namespace-declared-on-item": RSS.format(
        '<item xmlns:z="http://z.example/ns"><title>Z</title><z:title>not the title</z:title>'
        "<link>https://port.example/8</link></item>"),
    "xhtml-content-with-svg": ATOM.format(
        '<entry><id>urn:q:1</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
        "Drone <b>sighting</b></div></title><content type=\"xhtml\"><div xmlns="
        '"http://www.w3.org/1999/xhtml"><p>One</p><svg xmlns="http://www.w3.org/2000/svg">'
        "<title>icon</title></svg><p>Two &amp; three</p></div></content></entry>"),
    "xml-base-relative-links": ATOM.format(
        '<entry xml:base="https://base.example/news/"><id>urn:q:2</id><title>Rel</title>'
        '<link href="story/9"/></entry>'),
    "atom-content-src": ATOM.format(
        '<entry><id>urn:q:3</id><title>Src</title><content src="https://x.example/c"/></entry>'),
    "namespaced-attribute": ATOM.format(
        '<entry><id>urn:q:4</id><title>Replies</title><link rel="replies" href="https://x.example/r"'
        ' xmlns:thr="http://purl.org/syndication/thread/1.0" thr:count="4"/></entry>'),
}
HEADERS = {
    "content-location": ({"Content-Location": "https://cl.example/feeds/"},
                         RSS.format("<item><title>Rel</title><link>s/10</link></item>")),
    "text-xml-without-charset": ({"Content-Type": "text/xml"},
                                 RSS.format("<item><title>Caf\u00e9</title></item>")),
    "declared-windows-1252": ({"Content-Type": "application/rss+xml; charset=windows-1252"},
                              RSS.format("<item><title>Caf\u00e9 \u20ac</title></item>")),
}


def check(feed: FetchedFeed) -> str:
    fast, reference = both(feed, detect_language=False)
    assert differences(fast, reference) == []
    return fast.reader


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_fixture_gives_feedparsers_articles(path: Path) -> None:
    check(load_saved(path))


def test_fixtures_mostly_take_the_fast_path() -> None:
    readers = {p.name: both(load_saved(p), detect_language=False)[0].reader for p in FILES}
    for name in ("rss20.rss", "rss10.rdf", "rss092.xml", "atom10.atom", "wire-a.rss"):
        assert readers[name] == "fast", (name, readers[name])
    assert readers["ill-formed.xml"].startswith("feedparser (not well-formed XML")
    assert readers["atom03.atom"].startswith("feedparser")  # Atom 0.3 is left to feedparser


@pytest.mark.parametrize("name", sorted(QUIRKS))
def test_feedparser_quirks(name: str) -> None:
    reader = check(FetchedFeed(name, QUIRKS[name].encode("utf-8"), WHEN))
    assert reader == "fast"


@pytest.mark.parametrize("name", sorted(HEADERS))
def test_response_headers(name: str) -> None:
    headers, body = HEADERS[name]
    charset = "windows-1252" if "1252" in name else "utf-8"
    check(FetchedFeed(name, body.encode(charset), WHEN, headers=headers))


@pytest.mark.parametrize("make", [random_rss, random_atom, random_rdf])
def test_random_feeds(make) -> None:  # noqa: ANN001
    readers = [check(FetchedFeed(f"r{seed}", make(seed), WHEN)) for seed in range(120)]
    assert readers.count("fast") > 100  # the generator exercises the fast path, not the fallback


def test_deep_nesting_is_left_to_feedparser() -> None:
    deep = "<x>" * 3000 + "</x>" * 3000
    body = RSS.format(f"<item><title>Deep</title><link>https://d.example/1</link>{deep}</item>")
    reader = check(FetchedFeed("deep", body.encode(), WHEN))
    assert reader == "feedparser (elements nested too deeply for the fast path)"
