"""Checks on raw bodies before any parser sees them: size, compression, binary junk, entity
declarations (expansion bombs, external entities) and wrong declared encodings.

Every check is linear in the body size and allocates at most a bounded copy, so a hostile
feed costs at most ``max_bytes`` of memory and is rejected with a reason."""

from __future__ import annotations

import codecs
import re
import zlib
from dataclasses import dataclass

from collectors.dtd import Rejected, check_entities

__all__ = ["Checked", "Rejected", "bounded_gunzip", "check_body", "check_entities"]

_XML_DECL = re.compile(
    rb"^(\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']"
)
_UTF16_32 = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass(frozen=True, slots=True)
class Checked:
    body: bytes
    notes: tuple[str, ...] = ()
    charset: str = ""  # set when the body was re-encoded to UTF-8 by us


def bounded_gunzip(data: bytes, max_bytes: int) -> bytes:
    """Decompress gzip/zlib data, refusing to produce more than ``max_bytes``."""
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise Rejected(f"corrupt gzip data: {exc}") from None
    if len(out) > max_bytes or inflater.unconsumed_tail:
        raise Rejected(f"decompressed body exceeds the size cap of {max_bytes} bytes")
    return out


def _wide(body: bytes) -> str | None:
    """Codec name when the body is UTF-16/32 (by BOM or by NUL pattern around '<')."""
    if body.startswith(_UTF16_32[:2]):
        return "utf-32"
    if body.startswith(_UTF16_32[2:]):
        return "utf-16"
    head = body[:4]
    if head[:2] in (b"<\x00", b"\x00<") and b"\x00\x00" not in head:
        return "utf-16-le" if head[0:1] == b"<" else "utf-16-be"
    return None


_CONTROLS = bytes([*range(9), *range(14, 32), 127])


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROLS))
    return controls > len(head) // 20


_HIGH_RUN = re.compile(rb"[\x80-\xff]+")


def _guess_single_byte(body: bytes) -> str:
    """Cyrillic text is whole words of high bytes; Latin text has lone accented letters in
    ASCII words. Among Cyrillic codecs, real text is mostly lower case."""
    runs = [len(r) for r in _HIGH_RUN.findall(body, 0, 1 << 20)]
    if not runs or sum(runs) / len(runs) < 2.5:
        return "windows-1252"
    scores = {}
    for codec in ("windows-1251", "koi8-r"):
        text = body[: 1 << 20].decode(codec, "replace")
        letters = [c for c in text if c.isalpha() and ord(c) > 127]
        scores[codec] = sum(c.islower() for c in letters) / max(1, len(letters))
    return max(scores, key=scores.__getitem__)


# A body is UTF-8 with a few stray bytes when valid multi-byte characters outnumber the invalid
# sequences this many times (a single-byte Cyrillic or Latin body has almost no valid ones).
MOSTLY_UTF8_RATIO = 8


def _mostly_utf8(body: bytes) -> tuple[str, int] | None:
    """(text, invalid sequences) when ``body`` is overwhelmingly valid UTF-8, else None."""
    text = body.decode("utf-8", "replace")
    bad = text.count("\ufffd") - body.count(b"\xef\xbf\xbd")  # real U+FFFD are not errors
    wide = sum(1 for c in text if ord(c) > 127) - text.count("\ufffd")
    return (text, bad) if wide >= MOSTLY_UTF8_RATIO * bad else None


def _fix_encoding(body: bytes, http_charset: str) -> Checked | None:
    """A body that is not valid in its declared UTF-8: if it is overwhelmingly valid UTF-8, the
    stray bytes become U+FFFD; otherwise decode it as the likeliest single-byte encoding and
    hand the parser UTF-8 (feedparser would guess windows-1252 for everything)."""
    m = _XML_DECL.match(body[:512])
    declared = m.group(2).decode("ascii").lower() if m else (http_charset or "utf-8")
    if declared.replace("_", "-") not in ("utf-8", "utf8"):
        return None
    try:
        body.decode("utf-8")
        return None
    except UnicodeDecodeError:
        pass
    mostly = _mostly_utf8(body)
    if mostly is not None:
        text, bad = mostly
        note = f"{bad} invalid UTF-8 byte sequence(s) replaced by U+FFFD"
        return Checked(text.encode("utf-8"), (note,), "utf-8")
    best = _guess_single_byte(body)
    text = body.decode(best, "replace")
    if m:
        text = text.replace(m.group(2).decode("ascii"), "utf-8", 1)
    said = f"declared encoding {declared}" if m or http_charset else "no declared encoding"
    note = f"{said} but bytes are not valid UTF-8; read as {best}"
    return Checked(text.encode("utf-8"), (note,), "utf-8")


def check_body(body: bytes, max_bytes: int, http_charset: str = "") -> Checked:
    """Return the body to parse (decompressed, maybe re-encoded) or raise :class:`Rejected`."""
    if len(body) > max_bytes:
        raise Rejected(f"body of {len(body)} bytes exceeds the size cap of {max_bytes} bytes")
    notes: list[str] = []
    if body[:2] == b"\x1f\x8b":
        body = bounded_gunzip(body, max_bytes)  # saved .gz files, or a missing Content-Encoding
    if not body.strip():
        raise Rejected("empty body")
    wide = _wide(body)
    if wide:
        text = body.decode(wide, "replace").encode("utf-8")
        check_entities(text)
        return Checked(body, tuple(notes))
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if _looks_binary(head):
        raise Rejected("binary data, not a feed")
    check_entities(body)
    stripped = body.lstrip(b" \t\r\n")
    if stripped is not body and stripped.startswith(b"<?xml"):
        body = stripped  # blank lines before the declaration make expat give up on the feed
    fixed = _fix_encoding(body, http_charset.lower())
    if fixed is not None:
        return Checked(fixed.body, (*notes, *fixed.notes), fixed.charset)
    return Checked(body, tuple(notes))
