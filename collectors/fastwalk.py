"""The tree walk of the fast path: feedparser's unknown_starttag / characters /
unknown_endtag over an ElementTree, dispatching to the handlers registered by
:mod:`collectors.fastelems` and :mod:`collectors.fastpeople` (imported here for that)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from collectors import fastelems, fastpeople  # noqa: F401  (register their handlers)
from collectors.fastrules import (
    END,
    FP_END,
    FP_START,
    GUARDED,
    KEYMAP,
    START,
    XHTML,
    Attrs,
    Fallback,
    State,
    strattrs,
)

_ROOT_LANG = ("feed", "rss")
_TEXTINPUT_OK = ("title", "link", "description", "name")
_IMAGE_OK = ("title", "link", "description", "url", "href", "width", "height")


def _kind(names: Any, tag: str) -> tuple[str, str, bool, Any, Any, str]:
    """(key, local name, unprefixed, start, end, why not) of a tag, once per tag."""
    kind = names.kinds.get(tag)
    if kind is None:
        prefix, local = names.key(tag)
        key = f"{prefix}_{local}" if prefix else local
        why = ""
        if key not in START and (key in FP_START or (key in FP_END and key not in END)):
            why = f"element {key!r}: its feedparser handler is not modelled"
        elif key not in START and key in GUARDED:
            why = f"unknown element {key!r} on a field newswatch reads"
        kind = names.kinds[tag] = (key, local, not prefix, START.get(key), END.get(key), why)
    return kind


def _enter(s: State, key: str, attrs: Attrs) -> None:
    """What feedparser does first for every element: depth, xml:base, xml:lang."""
    s.depth += 1
    if attrs or s.baseuri:
        s.enter_base(attrs)
    else:
        s.bases.append("")
    lang = s.lang
    if attrs:
        given = attrs.get("xml:lang", attrs.get("lang"))
        lang = None if given == "" else lang if given is None else given
    if lang and key in _ROOT_LANG:
        s.feed["language"] = lang.replace("_", "-")
    s.lang = lang
    s.langs.append(lang)


def _leave(s: State) -> None:
    s.leave_base()
    s.langs.pop()
    if s.langs:
        s.lang = s.langs[-1]
    s.depth -= 1


def walk(s: State, element: ET.Element, names: Any) -> None:
    """feedparser's unknown_starttag / characters / unknown_endtag over one element."""
    key, local, bare, start, end, why = _kind(names, element.tag)
    attrs = names.attrs(element) if element.attrib else {}
    _enter(s, key, attrs)
    if s.incontent:
        if s.ctype != XHTML:
            raise Fallback("markup inside a text element")
        return _markup(s, element, names, key, local, attrs)
    if bare:
        if local not in _TEXTINPUT_OK:
            s.intextinput = 0
        if local not in _IMAGE_OK:
            s.inimage = 0
    if start is not None:
        start(s, attrs)
    elif why:
        raise Fallback(why)
    elif attrs:
        s.context()[KEYMAP.get(key, key)] = attrs
    else:
        s.push(key, 1)
    if element.text:
        s.data(element.text)
    for child in element:
        walk(s, child, names)
        if child.tail:
            s.data(child.tail)
    try:
        if end is None:
            raise AttributeError(key)
        end(s)
    except AttributeError:  # feedparser pops the element when it has no end handler
        s.pop(key)
    _leave(s)


def _markup(s: State, element: ET.Element, names: Any, key: str, local: str, attrs: Attrs) -> None:
    """An element inside XHTML content: feedparser writes it back out as markup text."""
    if local == "svg":
        s.svg += 1
    s.markup(f"<{local}{strattrs(attrs)}>")
    if element.text:
        s.data(element.text)
    for child in element:
        walk(s, child, names)
        if child.tail:
            s.data(child.tail)
    if local == "svg" and s.svg:
        s.svg -= 1
    if not s.svg and key in FP_END:
        raise Fallback(f"element {key!r} inside XHTML content")
    if s.stack and s.stack[-1][0] == key:
        raise Fallback(f"element {key!r} inside XHTML content closes its container")
    s.markup(f"</{local}>")
    _leave(s)
