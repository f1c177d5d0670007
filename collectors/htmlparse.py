"""HTML to text with :class:`html.parser.HTMLParser`: the reference reading of feed markup.

Lists of related links and "Related:" blocks are dropped here (``drop_links``); the regular
expression reader in :mod:`collectors.htmlfast` hands such markup to this one.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SKIP = frozenset({"script", "style", "noscript", "template", "iframe", "object", "svg", "head"})
_BLOCK = frozenset(
    {"p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td",
     "blockquote", "section", "article", "figure", "figcaption", "pre", "hr", "table"}
)


# Lists of related links ("<ul><li><a>Another headline</a></li>...") and "Related:" /
# "Read more:" blocks are navigation, not the story: a feed's description that lists five other
# headlines would otherwise be classified as if it reported all of them. A list counts as links
# when most of its text is link text; a list of sentences with a link in them stays.
LINK_LIST_SHARE = 0.6
_RELATED = re.compile(
    r"^\s*(related(\s+(stories|articles|coverage|content|news|links|reading|posts|topics|"
    r"videos?))?|read\s+(more|also|next)|see\s+also|also\s+read|more\s+(on\s+this(\s+story)?|"
    r"stories|news|from\s+[^:]{1,40})|recommended(\s+stories)?|you\s+may\s+also\s+like|"
    r"further\s+reading|latest\s+news|top\s+stories|trending)\s*(:|$|[-\u2013\u2014|\u00bb>])",
    re.IGNORECASE,
)
_LISTS = frozenset({"ul", "ol", "dl"})
_CHUNKS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "section", "aside",
                     "header", "footer", "nav", "blockquote"})


class _Frame:
    """A list or block being read: where its text starts in the output, its chars and link
    chars (frames nest like the tags, so a frame's text is always the tail of the output)."""

    __slots__ = ("tag", "start", "chars", "link")

    def __init__(self, tag: str, start: int) -> None:
        self.tag, self.start, self.chars, self.link = tag, start, 0, 0

    def links_only(self, share: float) -> bool:
        return self.chars > 0 and self.link >= share * self.chars


class _Text(HTMLParser):
    def __init__(self, drop_links: bool = True) -> None:
        super().__init__(convert_charrefs=True)
        self.drop_links = drop_links
        self.parts: list[str] = []
        self.frames = [_Frame("", 0)]
        self.open: dict[str, int] = {}  # open frames per tag: closing is O(1) amortised
        self.skipping = 0
        self.in_link = 0
        self.after_marker = False  # a "Related:" heading was dropped; drop link-only blocks

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag == "a":
            self.in_link += 1
        elif tag in _BLOCK:
            self.parts.append(" ")
            if self.drop_links and (tag in _LISTS or tag in _CHUNKS):
                self.frames.append(_Frame(tag, len(self.parts)))
                self.open[tag] = self.open.get(tag, 0) + 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "a":
            self.in_link = max(0, self.in_link - 1)
        elif tag in _BLOCK:
            if self.open.get(tag):
                while self._pop().tag != tag:  # unclosed inner frames close with it
                    pass
            self.parts.append(" ")

    def _pop(self) -> _Frame:
        frame = self.frames.pop()
        self.open[frame.tag] -= 1
        if frame.tag in _LISTS:
            keep = not frame.links_only(LINK_LIST_SHARE)
        elif frame.chars <= 400 and _RELATED.match(self._head(frame)) and (
            frame.link or frame.chars <= 40
        ):
            keep, self.after_marker = False, True
        elif self.after_marker and frame.links_only(0.9):
            keep = False
        else:
            keep = True
            self.after_marker = self.after_marker and not frame.chars
        if keep:
            parent = self.frames[-1]
            parent.chars += frame.chars
            parent.link += frame.link
        else:
            del self.parts[frame.start :]
        return frame

    def _head(self, frame: _Frame) -> str:
        return "".join(self.parts[frame.start : frame.start + 12])

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        self.parts.append(data)
        n = len(data.strip())
        frame = self.frames[-1]
        frame.chars += n
        if self.in_link:
            frame.link += n

    def close(self) -> None:
        super().close()
        while len(self.frames) > 1:
            self._pop()


def parsed_text(value: str, drop_links: bool = True) -> str | None:
    """The text :class:`_Text` collects from ``value``; None if the parser gave up."""
    parser = _Text(drop_links)
    try:
        parser.feed(value)
        parser.close()
    except Exception:  # HTMLParser is lenient; be safe on pathological input anyway
        return None
    return "".join(parser.parts)
