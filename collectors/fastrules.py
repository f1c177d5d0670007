# Derived from feedparser's handlers (BSD-2-Clause): see collectors/FEEDPARSER-LICENSE.
"""feedparser's element rules, for the fields newswatch reads, over an ElementTree walk.

Each handler below does what feedparser's handler of the same element does to the state that
reaches an Article (element stack, title depth, summary/content swap, guid-as-link, authors,
tags, dates): the state machine is kept as feedparser has it, quirks included, because the
fast path must give the same entries. Elements feedparser handles that are not modelled here
raise :class:`Fallback`; elements it has no handler for are stored the way it stores them."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin
from feedparser.urls import _urljoin, make_safe_absolute_uri
from feedparser.util import FeedParserDict

Ctx = dict[str, Any]
Attrs = dict[str, str]
# Handlers by feedparser element key, registered by collectors.fastelems and .fastpeople.
START: dict[str, Callable[[State, Attrs], None]] = {}
END: dict[str, Callable[[State], None]] = {}


class Fallback(Exception):  # noqa: N818 (a decision, not an error)
    """The fast path cannot promise feedparser's result for this body; the message says why."""


# Every element feedparser has a start or end handler for (its key: 'dc_creator', ...).
FP_START = frozenset(n[7:] for n in dir(_FeedParserMixin) if n.startswith("_start_"))
FP_END = frozenset(n[5:] for n in dir(_FeedParserMixin) if n.startswith("_end_"))
# Unknown elements of these names would land on fields newswatch reads: not modelled.
GUARDED = frozenset({"links", "authors", "tags", "guidislink", "published_parsed",
                     "updated_parsed", "created_parsed", "author", "content", "summary"})
CAN_BE_RELATIVE = _FeedParserMixin.can_be_relative_uri
KEYMAP = {k: (v[0] if isinstance(v, list) else v) for k, v in FeedParserDict.keymap.items()}
XHTML = "application/xhtml+xml"
HTML_TYPES = {XHTML, "text/html"}
_AMP_REF = re.compile("&([A-Za-z0-9_]+);")
_C1 = re.compile("[\x80-\x9f]")  # what feedparser's cp1252 table maps


def content_type(value: str) -> str:
    value = value.lower()
    return {"text": "text/plain", "plain": "text/plain", "html": "text/html",
            "xhtml": "application/xhtml+xml"}.get(value, value)


class _Shim:
    """Lets feedparser's own author/e-mail splitting run on our context dicts."""

    __slots__ = ("ctx",)

    def __init__(self, ctx: Ctx):
        self.ctx = ctx

    def _get_context(self) -> Ctx:
        return self.ctx


def sync_author(ctx: Ctx, key: str = "author") -> None:
    _FeedParserMixin._sync_author_detail(_Shim(ctx), key)  # type: ignore[arg-type]


class State:
    """feedparser's parser state, the part of it that reaches the fields newswatch reads."""

    def __init__(self) -> None:
        self.feed: Ctx = {}
        self.entries: list[Ctx] = []
        self.depths: list[dict[str, int]] = []  # per entry: key -> depth it was taken from
        self.source: Ctx = {}
        self.version = ""
        self.stack: list[list[Any]] = []  # [name, expecting_text, pieces]
        self.depth = 0
        self.baseuri = ""
        self.bases: list[str] = []
        self._joins: dict[tuple[str, str], str] = {}
        self.lang: str | None = None
        self.langs: list[str | None] = []
        self.ctype = ""  # type of the text element open (contentparams['type'])
        self.infeed = self.inentry = self.incontent = self.inimage = self.intextinput = 0
        self.inauthor = self.incontributor = self.inpublisher = self.insource = 0
        self.summary_key: str | None = None
        self.has_content = 0
        self.title_depth = -1
        self.guidislink = False
        self.svg = 0  # feedparser's svgOK: depth inside <svg> in XHTML content

    def resolve(self, uri: str) -> str:
        """feedparser's resolve_uri; without a base it only changes 'scheme:///x'."""
        if self.baseuri or ":///" in uri:
            return _urljoin(self.baseuri, uri)
        return uri

    def enter_base(self, attrs: Attrs) -> None:
        base = attrs.get("xml:base", attrs.get("base")) or self.baseuri
        if base:  # (no base anywhere: the join is '' for every element)
            joined = self._joins.get((self.baseuri, base))
            if joined is None:
                if self.baseuri:
                    joined = make_safe_absolute_uri(self.baseuri, base) or self.baseuri
                else:
                    joined = _urljoin(self.baseuri, base)
                self._joins[(self.baseuri, base)] = joined
            self.baseuri = joined
        self.bases.append(self.baseuri)

    def leave_base(self) -> None:
        if self.bases:
            self.bases.pop()
            if self.bases and self.bases[-1]:
                self.baseuri = self.bases[-1]

    def context(self) -> Ctx:
        if self.insource:
            return self.source
        if self.inimage and "image" in self.feed:
            return self.feed["image"]
        if self.intextinput:
            return self.feed["textinput"]
        if self.inentry:
            return self.entries[-1]
        return self.feed

    def push(self, name: str, expecting: Any) -> None:
        self.stack.append([name, expecting, []])

    def data(self, text: str) -> None:
        if self.stack:
            self.stack[-1][2].append(escape(text) if self.ctype == XHTML else text)

    def markup(self, text: str) -> None:
        if self.stack:
            self.stack[-1][2].append(text)

    def save(self, key: str, value: Any, overwrite: bool = False) -> None:
        ctx = self.context()
        if overwrite:
            ctx[KEYMAP.get(key, key)] = value
        else:
            ctx.setdefault(key, value)

    def pop(self, name: str, strip: bool = True) -> str | None:
        if not self.stack or self.stack[-1][0] != name:
            return None
        _, expecting, pieces = self.stack.pop()
        if self.version == "atom10" and self.ctype == XHTML:
            pieces = unwrap_div(pieces)
        out = "".join(pieces)
        if strip:
            out = out.strip()
        if not expecting:
            return out
        if name in CAN_BE_RELATIVE and out and (name != "id" or self.guidislink):
            out = self.resolve(out)
        if not out.isascii():  # ASCII passes both repairs below unchanged
            try:  # noqa: SIM105  (feedparser's repair of UTF-8 that was read as ISO-8859-1)
                out = out.encode("iso-8859-1").decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                pass
            if _C1.search(out):
                out = out.translate(_cp1252)
        if name in ("category", "tags", "itunes_keywords"):
            return out
        if name == "title" and -1 < self.title_depth <= self.depth:
            return out
        if self.inentry and not self.insource:
            self._store_entry(name, out)
        elif self.infeed or self.insource:
            ctx = self.context()
            name = "subtitle" if name == "description" else name
            ctx[KEYMAP.get(name, name)] = out
            if name == "link":
                out = _AMP_REF.sub(r"&\g<1>", out)
                ctx["link"] = out
                ctx["links"][-1]["href"] = out
        return out

    def _store_entry(self, name: str, out: str) -> None:
        entry = self.entries[-1]
        if name == "content":
            entry.setdefault("content", []).append({"type": self.ctype, "value": out})
        elif name == "link":
            if not self.inimage:
                out = _AMP_REF.sub(r"&\g<1>", out.replace("&amp;", "&"))
                entry["link"] = out
                if out:
                    entry["links"][-1]["href"] = out
        else:
            name = "summary" if name == "description" else name
            depths = self.depths[-1]
            old = depths.get(name)
            if old is None or self.depth <= old:
                depths[name] = self.depth
                entry[KEYMAP.get(name, name)] = out

    def push_content(self, name: str, attrs: dict[str, str], default: str, expecting: Any) -> None:
        ctype = content_type(attrs.get("type", default))
        if not (ctype.startswith("text/") or ctype == XHTML) or "mode" in attrs:
            raise Fallback(f"{name} of type {ctype!r}")
        self.incontent += 1
        self.ctype = ctype
        self.push(name, expecting)

    def pop_content(self, name: str) -> str | None:
        value = self.pop(name)
        self.incontent -= 1
        self.ctype = ""
        return value

    def finish(self) -> tuple[Ctx, list[Ctx], str]:
        for ctx in (self.feed, *self.entries):  # FeedParserDict's updated -> published alias
            if "updated_parsed" not in ctx and "published_parsed" in ctx:
                ctx["updated_parsed"] = ctx["published_parsed"]
        return self.feed, self.entries, self.version


def on(*keys: str, end: bool = False) -> Callable[[Any], Any]:
    def register(fn: Any) -> Any:
        for key in keys:
            (END if end else START)[key] = fn
        return fn

    return register


def pushes(name: str, expecting: Any, *keys: str) -> None:
    """Elements whose handlers push ``name`` and pop it, with no effect on fields we read."""
    for key in keys:
        START[key] = lambda s, a, n=name, e=expecting: s.push(n, e)
        END[key] = lambda s, n=name: s.pop(n)


def strattrs(attrs: Attrs) -> str:
    return "".join(f' {k}="{escape(v, {chr(34): "&quot;"})}"' for k, v in attrs.items())


def unwrap_div(pieces: list[str]) -> list[str]:
    """feedparser's removal of the <div> wrapping Atom XHTML content (when it wraps it all)."""
    while len(pieces) > 1 and not pieces[-1].strip():
        del pieces[-1]
    while len(pieces) > 1 and not pieces[0].strip():
        del pieces[0]
    first, last = (pieces[0], pieces[-1]) if pieces else ("", "")
    if (first == "<div>" or first.startswith("<div ")) and last == "</div>":
        depth = 0
        for piece in pieces[:-1]:
            if piece.startswith("</"):
                depth -= 1
                if depth == 0:
                    break
            elif piece.startswith("<") and not piece.endswith("/>"):
                depth += 1
        else:
            pieces = pieces[1:-1]
    return pieces
