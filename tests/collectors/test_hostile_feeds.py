"""Hostile and sloppy feed bodies: entity-guard evasions, stray bytes in UTF-8, links with other
schemes, credentials in feed URLs (the feed bodies are written here for newswatch)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from collectors.base import FetchedFeed
from collectors.dtd import MAX_ENTITY_EXPANSION, MAX_ENTITY_USES
from collectors.guard import Rejected, check_body
from collectors.parse import parse_feed

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def rss(items: str, prolog: str = "", title: str = "Border desk") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>{prolog}<rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://desk.example/</link>{items}</channel></rss>"
    ).encode()


def feed(body: bytes, url: str = "https://desk.example/rss") -> FetchedFeed:
    return FetchedFeed("desk", body, NOW, url, {}, url)


# -- entity guard -------------------------------------------------------------------------
LOL = '<!ENTITY a "' + "A" * 100 + '">'
BOMB_VALUE = "&a;" * 50


@pytest.mark.parametrize(
    ("prolog", "reason"),
    [
        # a comment mentioning <!ENTITY before the DOCTYPE used to end the search early
        (f'<!-- see <!ENTITY x "y"> --><!DOCTYPE rss [{LOL}<!ENTITY b "{BOMB_VALUE}">]>',
         "expands other entities"),
        # "]>" inside an earlier entity value used to look like the end of the subset
        (f'<!DOCTYPE rss [<!ENTITY t "a ]> b">{LOL}<!ENTITY b "{BOMB_VALUE}">]>',
         "expands other entities"),
        ('<!DOCTYPE rss [<!ENTITY t "]>"><!ENTITY ok "x"><!ENTITY e SYSTEM "file:///etc/pw">]>',
         "external entity"),
        ('<!-- <!ENTITY --><!DOCTYPE rss [<!ENTITY % p "x">]>', "parameter entity"),
    ],
)
def test_entity_guard_cannot_be_evaded(prolog: str, reason: str) -> None:
    with pytest.raises(Rejected, match=reason):
        check_body(rss("<item><title>x</title></item>", prolog), 10 << 20)


def test_entity_uses_are_capped() -> None:
    value = "v" * 4000
    uses = MAX_ENTITY_EXPANSION // 4000 + 10
    body = rss(f"<item><title>x</title><description>{'&big;' * uses}</description></item>",
               f'<!DOCTYPE rss [<!ENTITY big "{value}">]>')
    with pytest.raises(Rejected, match="used .* times"):
        check_body(body, 10 << 20)
    many = rss(f"<item><title>x</title><description>{'&s;' * (MAX_ENTITY_USES + 1)}"
               "</description></item>", '<!DOCTYPE rss [<!ENTITY s "s">]>')
    with pytest.raises(Rejected, match="used .* times"):
        check_body(many, 10 << 20)


def test_harmless_entities_and_text_about_xml_still_pass() -> None:
    ok = rss("<item><title>Fair &amp; market &nbsp2;</title></item>".replace("&nbsp2;", "&n;"),
             '<!DOCTYPE rss [<!ENTITY n "and more">]>')
    parsed = parse_feed(feed(ok))
    assert [a.title for a in parsed.articles] == ["Fair & market and more"]
    text = rss("<item><title>XML tips</title><description><![CDATA[Write <!ENTITY a \"&b;\"> "
               "only in a DTD]]></description></item>")
    assert parse_feed(feed(text)).articles[0].title == "XML tips"


# -- encodings ----------------------------------------------------------------------------
UK_TITLE = "Прикордонники відбили напад на заставу біля Грайворона"


def test_one_stray_byte_does_not_garble_a_utf8_feed() -> None:
    body = rss(f"<item><title>{UK_TITLE}</title><description>Бій тривав дві години, "
               "повідомляє штаб.STRAY</description></item>", title="Стрічка новин")
    body = body.replace(b"STRAY", b"\xff")  # one byte that is not UTF-8
    parsed = parse_feed(feed(body))
    assert [a.title for a in parsed.articles] == [UK_TITLE]
    assert any("1 invalid UTF-8 byte sequence" in w for w in parsed.warnings)


def test_a_single_byte_feed_declared_utf8_is_still_recognised() -> None:
    body = rss(f"<item><title>{UK_TITLE}</title></item>", title="Стрічка новин")
    cp1251 = body.decode("utf-8").encode("cp1251")
    parsed = parse_feed(feed(cp1251))
    assert [a.title for a in parsed.articles] == [UK_TITLE]
    assert any("read as windows-1251" in w for w in parsed.warnings)


# -- links ------------------------------------------------------------------------------
def test_only_http_links_leave_the_collector() -> None:
    body = rss(
        "<item><title>Raid near the pass one</title><link>javascript:alert(document.cookie)</link>"
        "</item><item><title>Raid near the pass two</title><link>data:text/html;base64,PHNjcmlwdD4="
        "</link></item><item><title>Raid near the pass three</title>"
        "<link>https://desk.example/3</link></item>"
    )
    parsed = parse_feed(feed(body))
    urls = [(a.url, a.source.url) for a in parsed.articles]
    assert urls == [("", ""), ("", ""), ("https://desk.example/3", "https://desk.example/3")]
    assert any("2 entry link(s) dropped" in w and "javascript" in w and "data" in w
               for w in parsed.warnings)


# -- credentials in the feed URL ------------------------------------------------------------
def test_feed_url_credentials_never_reach_articles_or_warnings() -> None:
    url = "https://reader:PwSecret77@desk.example/rss?apikey=KeySecret88&lang=en"
    body = rss("<item><title>Raid on the depot</title><link>/news/1</link></item>"
               "<item><description></description></item>").replace(
                   b"<link>https://desk.example/</link>", b"")  # links resolve against the URL
    parsed = parse_feed(FetchedFeed("desk", body, NOW, url, {}, url))
    text = repr(parsed)
    assert "PwSecret77" not in text and "KeySecret88" not in text
    assert parsed.articles[0].url == "https://desk.example/news/1"
    assert parsed.articles[0].source.feed_url.endswith("?apikey=***&lang=en")
    assert any("***@desk.example" in w for w in parsed.warnings)
