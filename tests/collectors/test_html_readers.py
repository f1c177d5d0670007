"""The regular-expression HTML reader gives exactly what the HTMLParser reader gives, and markup
the link-list rules could touch always goes to the parser."""

from __future__ import annotations

import random

from collectors.htmlfast import driven_text, may_drop, simple_text
from collectors.htmlparse import parsed_text
from collectors.text import html_to_text

PIECES = [
    "<p>", "</p>", "<br>", "<br/>", "<b>", "</b>", "<a href=\"https://x.example/a?b=1&amp;c=2\">",
    "</a>", "<div class='lede'>", "</div>", "<script>var a = '<p>';</script>", "<style>p{}</style>",
    "<!-- note -->", "&amp;", "&lt;b&gt;", "&#8217;", "&nbsp;", "Fighters crossed ", "the river ",
    "into the region", " at dawn.", "<img src=\"x.png\" alt=\"a > b\">", "<span>", "</span>",
    "<h2>", "</h2>", "<ul>", "<li>", "</li>", "</ul>", "Related: ", "Read more", "<em>", "</em>",
    "<iframe src=\"x\"></iframe>", "<svg><g></g></svg>", "<td>", "</td>", " 3 < 4 ", "caf&eacute;",
]


def _samples(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 14))) for _ in range(n)]


def test_regex_reader_equals_the_parser_whenever_it_answers() -> None:
    answered = 0
    for value in _samples(3000):
        fast = simple_text(value)
        if fast is not None:
            answered += 1
            parsed = parsed_text(value, drop_links=False) or ""
            assert fast.split() == parsed.split(), value  # equal up to runs of white space
    assert answered > 1000  # the fast reader takes most simple markup


def test_parser_rules_driven_by_the_regex_tags_equal_the_parser_whenever_they_answer() -> None:
    answered = 0
    for value in _samples(3000, seed=5):
        for drop in (True, False):
            driven = driven_text(value, drop)
            if driven is not None:
                answered += 1
                assert driven == parsed_text(value, drop), value
    assert answered > 1500


def test_link_list_markup_always_goes_through_the_parser_rules() -> None:
    for value in _samples(3000, seed=11):
        assert html_to_text(value) == _reference(value), value
    headlines = "<ul><li><a href='https://x.example/1'>Other headline one</a></li>" \
                "<li><a href='https://x.example/2'>Other headline two</a></li></ul>"
    assert may_drop(headlines)
    assert html_to_text("<p>Militants attacked a post.</p>" + headlines) == \
        "Militants attacked a post."


def _reference(value: str) -> str:
    """html_to_text through the parser alone (what the fast reader must agree with)."""
    import html
    import re

    text = parsed_text(value, drop_links=True)
    if text is None:
        return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]*>", " ", value))).strip()
    if "<" in text and ">" in text and re.search(r"</?[a-zA-Z][^>]*>", text):
        return html_to_text(text, 1)
    return re.sub(r"\s+", " ", text).strip()
