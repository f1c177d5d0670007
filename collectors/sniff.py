"""Is a saved file a feed? Decided by its content, for files whose name does not say (no
extension, or one replay does not know): a parser test corpus of extension-less feeds must be
read, and a README or an HTML page beside the feeds skipped with a reason, not silently."""

from __future__ import annotations

import codecs
import json
import re
import zlib
from pathlib import Path

HEAD_BYTES = 64 * 1024
JSON_WHOLE_BYTES = 1024 * 1024  # JSON up to this size is parsed whole to find its version
_PROLOG = re.compile(  # XML declaration, comments, processing instructions, DOCTYPE, space
    rb"\A(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>)*", re.S | re.I
)
_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_FEED_ROOTS = {b"rss", b"rdf", b"feed", b"channel"}
_FEED_ROOT_TAGS = re.compile(rb"<(?:rss|feed|rdf:rdf)[\s>]", re.I)
_FEED_TAGS = re.compile(rb"<(?:[\w.-]+:)?(?:rss|feed|rdf|channel|item|entry)[\s>/]", re.I)
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
SKIP_KINDS = ("not a feed", "empty", "unreadable")


def _head(path: Path) -> bytes:
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    if head[:2] == b"\x1f\x8b":  # gzip: look inside (bounded)
        try:
            head = zlib.decompressobj(zlib.MAX_WBITS | 32).decompress(head, HEAD_BYTES)
        except zlib.error:
            return b"\x00gzip"
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return head.decode(codec, "replace").encode("utf-8")
    if head[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        return head.decode("utf-16-le" if head[0] else "utf-16-be", "replace").encode("utf-8")
    return head.removeprefix(codecs.BOM_UTF8)


def _json_reason(path: Path, head: bytes) -> str:
    if b"jsonfeed.org/version" in head:
        return ""
    if path.stat().st_size <= JSON_WHOLE_BYTES and head[:1] == b"{":
        try:
            doc = json.loads(path.read_bytes().decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError):
            return "not a feed (invalid JSON)"
        if isinstance(doc, dict) and "jsonfeed.org/version" in str(doc.get("version", "")):
            return ""
    return "not a feed (JSON without a JSON Feed version)"


def skip_reason(path: Path) -> str:
    """'' when ``path`` looks like an RSS/Atom/RDF or JSON feed, else why it is skipped:
    'not a feed (...)', 'empty' or 'unreadable (...)' (the first words are the kind)."""
    try:
        head = _head(path)
        if not head.strip():
            return "empty"
        text = head.lstrip()
        if text[:1] in (b"{", b"["):
            return _json_reason(path, text)
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    if b"\x00" in head[:1024]:
        return "not a feed (binary data)"
    prolog = _PROLOG.match(text)
    rest = text[prolog.end() if prolog else 0:]
    root = _ROOT.match(rest)
    if root is None:
        return "not a feed (no markup)" if b"<" not in rest[:512] else "not a feed (no root)"
    name = root.group(1).split(b":")[-1].lower()
    if name in _FEED_ROOTS:
        return ""
    if name == b"html":  # a feed pasted into a page is still read by feedparser
        return "" if _FEED_ROOT_TAGS.search(rest) else "not a feed (HTML page)"
    if _FEED_TAGS.search(rest):  # an unusual root around feed elements: the parser decides
        return ""
    return f"not a feed (XML with root <{root.group(1).decode('utf-8', 'replace')}>)"


def skip_kind(reason: str) -> str:
    return next((k for k in SKIP_KINDS if reason.startswith(k)), reason)
