"""Feed bodies for the fast path's differential tests: hand-written quirk cases and a seeded
generator of random RSS/Atom/RDF feeds (elements feedparser treats specially, in random order,
repeated, nested, escaped), all written for newswatch."""

from __future__ import annotations

import random

NS = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "media": "http://search.yahoo.com/mrss/",
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "atom": "http://www.w3.org/2005/Atom",
    "dcterms": "http://purl.org/dc/terms/",
    "x": "http://example.test/ns/extra",
}
DECLS = " ".join(f'xmlns:{p}="{u}"' for p, u in NS.items())

TEXTS = [
    "Border guards report a night crossing",
    "Ferry &amp; harbour news",
    "&lt;b&gt;Escaped&lt;/b&gt; markup in a title",
    "<![CDATA[<p>Council <em>votes</em> on the budget</p>]]>",
    "Caf\u00e9 owners meet the mayor",
    "  padded text with  spaces  ",
    "",
    "Smart \u0093quotes\u0094 from a careless CMS",
    "Caf\u00c3\u00a9 read twice",
    "<![CDATA[Line one<br/>line two &amp; more]]>",
    "A &#8220;quoted&#8221; phrase",
    "Drones seen over the river port at dawn, officials say",
]
DATES = ["Sun, 22 Nov 2026 10:00:00 GMT", "2026-11-21T08:15:00+01:00", "not a date",
         "Mon, 23 Nov 2026 06:10:00 +0300", "2026-11-20"]
LINKS = ["https://news.example/a/1?utm_source=rss&amp;id=7", "/relative/story", "",
         "http:///triple.example/x", "https://news.example/b/2#frag"]
PEOPLE = ["desk@news.example (City Desk)", "Jane Roe", "jroe@news.example", "(Night Editor)"]


def _text(rnd: random.Random) -> str:
    return rnd.choice(TEXTS)


def _escaped(text: str) -> str:
    """A CDATA text as escaped character data (Atom bodies below use no CDATA)."""
    if text.startswith("<![CDATA["):
        inner = text[9:-3]
        return inner.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def _rss_item_parts(rnd: random.Random) -> list[str]:
    t, d, link, who = _text(rnd), _text(rnd), rnd.choice(LINKS), rnd.choice(PEOPLE)
    perma = rnd.choice(["", ' isPermaLink="false"', ' isPermaLink="true"', ' isPermaLink="False"'])
    return [
        f"<title>{t}</title>", f"<description>{d}</description>", f"<link>{link}</link>",
        f"<guid{perma}>{rnd.choice(LINKS) or 'tag:news.example,2026:1'}</guid>",
        f"<pubDate>{rnd.choice(DATES)}</pubDate>", f"<dc:date>{rnd.choice(DATES)}</dc:date>",
        f"<author>{who}</author>", f"<dc:creator>{rnd.choice(PEOPLE)}</dc:creator>",
        f"<category>{_text(rnd)}</category>", f'<category domain="https://t.example">{t}</category>',
        f"<dc:subject>{t}</dc:subject>", f"<content:encoded>{_text(rnd)}</content:encoded>",
        f"<media:title>{_text(rnd)}</media:title>", f"<media:description>{d}</media:description>",
        "<media:keywords>raid, border , ,night</media:keywords>",
        f"<itunes:summary>{_text(rnd)}</itunes:summary>", "<itunes:keywords>a,b</itunes:keywords>",
        f'<source url="https://wire.example/rss">{_text(rnd)}</source>',
        f'<media:group><media:title>{t}</media:title><media:content url="{link}"/></media:group>',
        '<enclosure url="https://cdn.example/a.mp3" length="1" type="audio/mpeg"/>',
        f'<atom:link rel="{rnd.choice(["alternate", "self", "related"])}" href="{link}"/>',
        "<comments>https://news.example/c</comments>", f"<x:extra>{t}</x:extra>",
        f"<dc:language>{rnd.choice(['fr', 'de-DE', ''])}</dc:language>",
        f"<x:note a=\"1\">{t}</x:note>", f"<summary>{d}</summary>", "<title></title>",
        f"<dcterms:modified>{rnd.choice(DATES)}</dcterms:modified>",
    ]


def random_rss(seed: int) -> bytes:
    rnd = random.Random(seed)
    items = []
    for _ in range(rnd.randint(1, 4)):
        parts = _rss_item_parts(rnd)
        items.append("<item>" + "".join(rnd.sample(parts, rnd.randint(1, 9))) + "</item>")
    head = [f"<title>{_text(rnd)}</title>", f"<link>{rnd.choice(LINKS)}</link>",
            f"<language>{rnd.choice(['en', 'fr-FR', 'de'])}</language>", "<ttl>45</ttl>",
            f"<lastBuildDate>{rnd.choice(DATES)}</lastBuildDate>",
            f"<pubDate>{rnd.choice(DATES)}</pubDate>",
            f'<image><url>https://news.example/logo.png</url><title>{_text(rnd)}</title></image>',
            f'<atom:link rel="self" href="{rnd.choice(LINKS)}"/>']
    head = rnd.sample(head, rnd.randint(0, len(head)))
    lang = rnd.choice(["", ' xml:lang="en-GB"'])
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" {DECLS}{lang}><channel>'
            + "".join(head) + "".join(items) + "</channel></rss>").encode()


def _atom_entry_parts(rnd: random.Random) -> list[str]:
    t, link = _text(rnd), rnd.choice(LINKS)
    kind = rnd.choice(["", ' type="text"', ' type="html"', ' type="xhtml"'])
    xhtml = kind == ' type="xhtml"'
    body = (f'<div xmlns="http://www.w3.org/1999/xhtml"><p>{t}</p><p>two &amp; <b>x</b></p></div>'
            if xhtml else _escaped(_text(rnd)))
    return [
        f"<title{kind}>{body if xhtml else _escaped(t)}</title>",
        f'<link href="{link}"/>', f'<link rel="alternate" type="text/html" href="{link}"/>',
        f'<link rel="enclosure" href="{link}"/>', f"<id>{rnd.choice(LINKS) or 'urn:x:1'}</id>",
        f"<updated>{rnd.choice(DATES)}</updated>", f"<published>{rnd.choice(DATES)}</published>",
        f"<summary{kind}>{body}</summary>", f"<content{kind}>{body}</content>",
        f"<author><name>{rnd.choice(PEOPLE)}</name><email>a@b.example</email></author>",
        f'<category term="{_escaped(t)}" label="L"/>', '<category scheme="s" term=""/>',
        f"<source><title>{_escaped(t)}</title><id>urn:src</id></source>",
        f'<link rel="replies" href="{link}" xmlns:thr="http://purl.org/syndication/thread/1.0"'
        ' thr:count="2"/>',
    ]


def random_atom(seed: int) -> bytes:
    rnd = random.Random(seed)
    entries = []
    for _ in range(rnd.randint(1, 4)):
        parts = _atom_entry_parts(rnd)
        base = rnd.choice(["", ' xml:base="https://base.example/dir/"'])
        entries.append(f"<entry{base}>" + "".join(rnd.sample(parts, rnd.randint(1, 8)))
                       + "</entry>")
    lang = rnd.choice(["", ' xml:lang="fr"'])
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"'
            f"{lang}><title>{_escaped(_text(rnd))}</title>"
            f'<link href="https://news.example/"/><updated>{rnd.choice(DATES)}</updated>'
            + "".join(entries) + "</feed>").encode()


def random_rdf(seed: int) -> bytes:
    rnd = random.Random(seed)
    items = "".join(
        f'<item rdf:about="{rnd.choice(LINKS) or "https://news.example/r"}">'
        + "".join(rnd.sample(_rss_item_parts(rnd)[:12], rnd.randint(1, 6))) + "</item>"
        for _ in range(rnd.randint(1, 3))
    )
    return ('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
            f' xmlns="http://purl.org/rss/1.0/" {DECLS}><channel rdf:about="https://news.example/">'
            f"<title>{_text(rnd)}</title><link>https://news.example/</link></channel>{items}"
            "</rdf:RDF>").encode()
