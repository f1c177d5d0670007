"""Parsing and normalising: every feed format, ill-formed and hostile input (fixtures written
for newswatch in tests/fixtures/feeds)."""

from __future__ import annotations

import time
import tracemalloc
from datetime import UTC, datetime

import pytest
from feedhelp import FIXTURES

from collectors.base import FetchedFeed
from collectors.parse import FIXED_EPOCH, parse_feed
from collectors.replay import feed_files, load_saved
from collectors.text import detect_language, html_to_text
from collectors.urls import canonical_url, redact


def parsed(name: str, **kw: object):  # noqa: ANN201
    return parse_feed(load_saved(FIXTURES / name), **kw)


@pytest.mark.parametrize(
    ("name", "titles", "language"),
    [
        ("rss091.rss", ["Ferry timetable changes for the winter season",
                        "Fishing fleet returns early as storm approaches the coast"], "en"),
        ("rss092.xml", ["Orchard growers report a record apple harvest",
                        "Bridge repairs close the river road for three weeks"], "en"),
        ("rss10.rdf", ["Armed men cross the border at night and raid a customs post",
                       "Wheat prices fall after a strong regional harvest"], "en"),
        ("rss20.rss", ["Council debates & approves a new library budget",
                       "Storm knocks out power to two thousand homes near the lake"], "en"),
        ("atom03.atom", ["Avalanche warning raised for the high passes",
                         "Ski lifts open a week early after cold snap"], "en"),
        ("atom10.atom", ["Des hommes armés franchissent la frontière et attaquent un poste de "
                         "contrôle", "Le marché de Noël ouvre ses portes samedi"], "fr"),
        ("jsonfeed10.json", ["Coast guard intercepts boat crossing into territorial waters",
                             "Lighthouse restoration finished ahead of schedule"], "en"),
        ("gzipped.rss.gz", ["Tram line extension opens to passengers on Monday"], "en"),
    ],
)
def test_every_format_yields_clean_articles(name: str, titles: list[str], language: str) -> None:
    feed = parsed(name)
    assert feed.warnings == ()
    assert [a.title for a in feed.articles] == titles
    for article in feed.articles:
        assert article.language == language
        assert article.url.startswith(("http://", "https://"))
        assert article.summary and "<" not in article.summary
        assert article.published is None or article.published.tzinfo is UTC
        assert article.fetched.tzinfo is UTC


def test_rss20_details() -> None:
    feed = parsed("rss20.rss")
    first = feed.articles[0]
    # tracking parameters and fragment dropped, host lowercased, real query kept
    assert first.url == "https://lakeside-herald.example/2026/11/library-budget?page=2"
    assert first.source is not None and "utm_source" in first.source.url
    assert first.summary == "The council voted seven to two for the plan."  # no script/style
    assert "trackReader" not in first.text and "display:none" not in first.text
    assert "“Readers asked for it,”" in first.content  # entities unescaped
    assert first.published == datetime(2026, 11, 21, 8, 15, tzinfo=UTC)  # +0100 -> UTC
    assert first.authors == ("City Desk",) and first.tags == ("politics", "libraries")
    assert first.guid == "lh-2001"
    assert feed.ttl_secs == 45 * 60


def test_json_feed_11_items_and_bad_parts() -> None:
    feed = parsed("jsonfeed11.json")
    assert [a.url for a in feed.articles] == [
        "https://inland-review.example/10", "https://inland-review.example/11"]
    assert feed.articles[0].language == "de" and feed.articles[0].authors == ("Lokalredaktion",)
    assert feed.articles[0].published == datetime(2026, 11, 21, 7, 0, tzinfo=UTC)
    assert feed.articles[1].title.startswith("Der Wochenmarkt zieht")  # no title: from text
    assert feed.articles[1].published is None  # "not a date"
    assert any("item 2 is not an object" in w and "jsonfeed11" in w for w in feed.warnings)


def test_relative_links_resolve_against_the_feed() -> None:
    feed = parsed("atom10.atom")
    assert feed.articles[0].url == "https://le-veilleur.example/articles/frontiere-poste"


def test_missing_dates_titles_and_links() -> None:
    feed = parsed("missing-fields.rss")
    by_title = {a.title: a for a in feed.articles}
    assert len(feed.articles) == 3
    assert by_title["An entry with a title and link but no date at all"].published is None
    untitled = next(a for a in feed.articles if a.guid == "sparse-no-title")
    assert untitled.title.startswith("An entry without a title: the first words")
    assert untitled.url == ""
    linkless = by_title["An entry without a link or a guid"]
    assert linkless.url == "" and linkless.id != untitled.id
    assert any("entry 3 skipped: no title, summary or content" in w for w in feed.warnings)
    # Same body parsed again: same ids (identity does not depend on anything but the entry).
    assert [a.id for a in parsed("missing-fields.rss").articles] == [a.id for a in feed.articles]


def test_future_dates_clamped_to_the_recorded_fetch_time() -> None:
    feed = parsed("future-dates.atom")
    fetched = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert feed.fetched == fetched  # from the sidecar, not the file's mtime
    assert feed.articles[0].published == fetched
    assert feed.articles[1].published == datetime(2026, 11, 23, 8, 2, tzinfo=UTC)  # in skew
    assert feed.articles[0].feed_id == "clockwork"


def test_fetch_time_without_sidecar_comes_from_the_feed_not_the_mtime() -> None:
    assert parsed("rss10.rdf").fetched == datetime(2026, 11, 20, 4, 30, tzinfo=UTC)
    assert parsed("rss091.rss").fetched == FIXED_EPOCH  # no dates inside at all


def test_wrong_declared_encoding_is_read_and_reported() -> None:
    feed = parsed("wrong-encoding.xml")
    assert feed.articles[0].title.startswith("Вооружённая группа пересекла границу")
    assert feed.articles[0].language == "ru"
    assert any("wrong-encoding" in w and "windows-1251" in w for w in feed.warnings)


def test_ill_formed_feed_yields_what_can_be_read_and_a_warning() -> None:
    feed = parsed("ill-formed.xml")
    assert feed.articles[0].title == "Water main bursts under the market square & floods shops"
    assert any("ill-formed" in w and "ill-formed.xml" in w for w in feed.warnings)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("entity-bomb.xml", "entity expansion"),
        ("external-entity.xml", "external entity"),
        ("gigantic.xml.gz", "size cap"),
        ("binary-junk.rss", "binary data"),
        ("not-a-feed.json", "JSON Feed version"),
    ],
)
def test_hostile_input_is_rejected_quickly_with_bounded_memory(name: str, reason: str) -> None:
    tracemalloc.start()
    started = time.process_time()
    feed = parsed(name)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert feed.articles == ()
    assert len(feed.warnings) == 1 and "rejected" in feed.warnings[0] and reason in feed.warnings[0]
    assert name.split(".")[0] in feed.warnings[0]  # names the feed
    assert peak < 64 * 1024 * 1024  # never more than a few times the 10 MiB cap
    assert time.process_time() - started < 30  # generous: a bomb would take minutes/GBs


def test_size_cap_applies_to_plain_bodies_too() -> None:
    body = b"<rss><channel><title>x</title>" + b" " * 5000 + b"</channel></rss>"
    feed = parse_feed(FetchedFeed("big", body, datetime.now(UTC)), max_bytes=4096)
    assert feed.articles == () and "exceeds the size cap of 4096" in feed.warnings[0]


def test_whole_fixture_directory_goes_through_without_exceptions() -> None:
    files = list(feed_files([FIXTURES]))
    assert not any(f.name.endswith(".headers.json") for f in files)
    for path in files:
        feed = parse_feed(load_saved(path))
        assert feed.articles or feed.warnings, path


def test_canonical_url_and_text_helpers() -> None:
    assert canonical_url("HTTPS://News.Example:443/a?b=1&utm_medium=x&gclid=2#top") == (
        "https://news.example/a?b=1")
    assert canonical_url("http://news.example:8080") == "http://news.example:8080/"
    assert canonical_url("mailto:desk@example.test") == ""  # only http(s) leaves the collector
    assert redact("failed: https://user:pw@feeds.example/x") == "failed: https://***@feeds.example/x"
    assert html_to_text("<div>a<script>b()</script> &amp; <i>c</i></div>") == "a & c"
    assert html_to_text("&lt;b&gt;twice&lt;/b&gt; escaped") == "twice escaped"
    assert detect_language("ok", "pt-BR") == "pt"  # too short to detect: declared language
    french = "Le gouvernement a annoncé de nouvelles mesures pour les écoles."
    assert detect_language(french) == "fr"
