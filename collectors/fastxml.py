"""The fast path for XML feeds: ElementTree (C expat) builds the tree, and a walk over it applies
feedparser's own rules for every field newswatch reads, so the entries are the ones
``feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)`` gives.

It reads well-formed RSS 2.0/0.9x, RSS 1.0 and Atom 1.0 whose encoding feedparser settles
without complaint. Anything it does not model exactly (DOCTYPEs, ill-formed XML, xml:base,
markup inside text elements, base64 or unusual content types, extension elements whose
feedparser handlers it does not copy) raises :class:`Fallback`, and feedparser reads the feed.
The state machine mirrors feedparser's (element stack, title depth, summary/content swap,
authors, tags): see :mod:`collectors.fastrules`."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from feedparser.encodings import convert_to_utf8
from feedparser.mixin import _FeedParserMixin
from feedparser.urls import make_safe_absolute_uri

from collectors.fastrules import Fallback, State
from collectors.fastwalk import walk

KNOWN_NS = {uri.lower(): prefix for uri, prefix in _FeedParserMixin.namespaces.items()}
XML_NS = "http://www.w3.org/XML/1998/namespace"
_ROOT = re.compile(rb"<[A-Za-z_]")


def _split(tag: str) -> tuple[str, str]:
    if tag[:1] == "{":
        uri, _, local = tag[1:].partition("}")
        return uri, local
    return "", tag


# Attribute names feedparser reads: an attribute of that name in a namespace it does not know
# lands on them (feedparser drops the unknown prefix), so such elements are left to it.
_READ_ATTRS = frozenset({"rel", "type", "href", "url", "uri", "term", "scheme", "domain", "label",
                         "ispermalink", "mode", "src", "lastmod", "version", "text", "lang",
                         "base", "start"})


class _Namespaces:
    """feedparser's view of namespaces: known URIs get its canonical prefix, unknown ones the
    document's prefix (the first declared for that URI)."""

    def __init__(self, decls: list[tuple[str, str]]):
        self.in_use: dict[str, str] = {}
        self.prefix_map: dict[str, str] = {}
        bound: dict[str, str] = {}
        defaults = set()
        for prefix, uri in decls:
            if prefix and bound.setdefault(prefix, uri) != uri:
                raise Fallback(f"namespace prefix {prefix!r} bound twice")
            if not uri:
                continue
            lower = uri.lower()
            if "backend.userland.com/rss" in lower:
                lower = uri = "http://backend.userland.com/rss"
            if lower in KNOWN_NS:
                if prefix:
                    self.prefix_map[prefix] = KNOWN_NS[lower]
                self.in_use[KNOWN_NS[lower]] = uri
            elif prefix:
                self.in_use.setdefault(prefix, uri)
            else:
                defaults.add(uri)
        # feedparser names an unknown namespace by the first prefix declared for it so far; the
        # first declaration precedes every element in it, unless it was the default namespace.
        if any(uri in defaults for uri in self.in_use.values()):
            raise Fallback("unknown namespace both default and prefixed")
        self._keys: dict[str, tuple[str, str]] = {}
        self.kinds: dict[str, Any] = {}  # per tag, for collectors.fastelems

    def key(self, tag: str) -> tuple[str, str]:
        """feedparser's (prefix, name) of an element: ('', 'title'), ('dc', 'creator')..."""
        cached = self._keys.get(tag)
        if cached is not None:
            return cached
        uri, local = _split(tag)
        lower = uri.lower()
        if "backend.userland.com/rss" in lower:
            lower = "http://backend.userland.com/rss"
        if lower in KNOWN_NS:
            prefix = KNOWN_NS[lower]
        else:
            prefix = next((n for n, v in self.in_use.items() if n and v == uri), "")
        prefix = prefix.lower()
        prefix = self.prefix_map.get(prefix, prefix)
        key = (prefix, local.lower())
        self._keys[tag] = key
        return key

    @staticmethod
    def attrs(element: ET.Element) -> dict[str, str]:
        if not element.attrib:
            return {}
        out = {}
        for name, value in element.attrib.items():
            uri, local = _split(name)
            local = local.lower()
            if uri:
                prefix = KNOWN_NS.get(uri.lower())
                if prefix:
                    local = f"{prefix}:{local}"
                elif local in _READ_ATTRS:
                    raise Fallback(f"attribute {name!r} in a namespace feedparser does not map")
            out[local] = value.lower() if local in ("rel", "type") else value
        return out


def _decode(body: bytes, headers: Mapping[str, str]) -> bytes:
    """feedparser's own encoding decision; any complaint of it means feedparser reads the feed."""
    result: dict[str, Any] = {}
    data = convert_to_utf8(dict(headers), body, result)
    if result.get("bozo"):  # (the encoding itself does not matter: both parse UTF-8 from here)
        raise Fallback(f"encoding: {result.get('bozo_exception')}")
    return data


def _tree(data: bytes) -> tuple[ET.Element, list[tuple[str, str]], int]:
    """(root, namespace declarations in document order, how many are on the root)."""
    root_at = _ROOT.search(data)
    if root_at is None or data.find(b"<!DOCTYPE", 0, root_at.start()) >= 0:
        raise Fallback("DOCTYPE or no root element")
    decls: list[tuple[str, str]] = []
    on_root = -1
    try:
        events = ET.iterparse(io.BytesIO(data), events=("start-ns", "start"))
        for kind, value in events:
            if kind == "start":
                if on_root < 0:
                    on_root = len(decls)
            else:
                decls.append(value)
        root = events.root  # type: ignore[attr-defined]
    except ET.ParseError as exc:
        raise Fallback(f"not well-formed XML: {exc}") from None
    return root, decls, on_root


def _version(decls: list[tuple[str, str]]) -> str:
    """The version feedparser infers from the root's namespace declarations."""
    for prefix, uri in decls:
        lower = uri.lower()
        if not prefix and lower == "http://my.netscape.com/rdf/simple/0.9/":
            return "rss090"
        if lower == "http://purl.org/rss/1.0/":
            return "rss10"
        if lower == "http://www.w3.org/2005/atom":
            return "atom10"
    return ""


def read_fast(
    body: bytes, headers: Mapping[str, str]
) -> tuple[dict[str, Any], list[dict[str, Any]], str]:
    """(feed info, entries, version) in feedparser's shape, or :class:`Fallback`."""
    root, decls, on_root = _tree(_decode(body, headers))
    names = _Namespaces(decls)
    state = State()
    location = next((v for k, v in headers.items() if k.lower() == "content-location"), "")
    state.baseuri = make_safe_absolute_uri("", location) or make_safe_absolute_uri(location)
    state.version = _version(decls[:on_root])
    lang = next((v for k, v in headers.items() if k.lower() == "content-language"), None)
    if lang:
        state.lang = lang
        state.feed["language"] = lang.replace("_", "-")
    try:
        walk(state, root, names)
    except Fallback:
        raise
    except RecursionError:  # absurdly deep nesting: feedparser's event parser takes it
        raise Fallback("elements nested too deeply for the fast path") from None
    except Exception as exc:  # feedparser would have failed its own way: let it
        raise Fallback(f"fast path stopped: {exc!r}") from None
    if not state.version.startswith(("rss", "atom10")):
        raise Fallback(f"feed version {state.version!r}")
    return state.finish()
