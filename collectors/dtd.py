"""The entity guard: find the DTD a parser would honour and refuse what can hurt.

The prolog is scanned the way an XML parser reads it (comments and processing instructions
skipped, quoted strings respected), so a ``<!ENTITY`` in a comment before the DOCTYPE, or
``]>`` inside an earlier entity value, cannot hide a declaration. Refused: parameter entities,
external entities, values that reference other entities (expansion bombs), values or counts
beyond the caps, and more uses of declared entities than the caps allow (quadratic blow-up).
We do not rely on feedparser or expat to neutralise any of this.
"""

from __future__ import annotations

import re

MAX_ENTITY_DECLS = 64
MAX_ENTITY_VALUE = 4096
MAX_ENTITY_USES = 100_000
MAX_ENTITY_EXPANSION = 8 << 20  # bytes that declared entities may expand to, in all
_WS = b" \t\r\n"
_DECL = re.compile(rb"<!ENTITY\s+(%\s+)?([^\s>]+)\s+(SYSTEM|PUBLIC|\"[^\"]*\"|'[^']*')", re.S)
_NAMED_REF = re.compile(rb"[&%][A-Za-z_:][\w.:-]*;")


class Rejected(ValueError):
    """The body is not handed to a parser; the message says why."""


def _skip(body: bytes, i: int, end: bytes) -> int:
    """Index after ``end`` searched from ``i`` (len(body) if missing)."""
    j = body.find(end, i)
    return len(body) if j < 0 else j + len(end)


def _to_gt(body: bytes, i: int, stop_at_bracket: bool = False) -> int:
    """Index of the next '>' (or '[' if asked) outside quoted strings, from ``i``."""
    n = len(body)
    while i < n:
        c = body[i : i + 1]
        if c in (b'"', b"'"):
            i = _skip(body, i + 1, c)
            continue
        if c == b">" or (stop_at_bracket and c == b"["):
            return i
        i += 1
    return n


def internal_subset(body: bytes) -> tuple[int, int] | None:
    """(start, end) of the internal subset of the DOCTYPE in the prolog, or None."""
    i, n = 0, len(body)
    if body.startswith(b"\xef\xbb\xbf"):
        i = 3
    while i < n:
        while i < n and body[i : i + 1] in (b" ", b"\t", b"\r", b"\n"):
            i += 1
        if body.startswith(b"<?", i):
            i = _skip(body, i + 2, b"?>")
        elif body.startswith(b"<!--", i):
            i = _skip(body, i + 4, b"-->")
        elif body.startswith(b"<!DOCTYPE", i):
            j = _to_gt(body, i + 9, stop_at_bracket=True)
            if j >= n or body[j : j + 1] != b"[":
                return None  # no internal subset
            return j + 1, _subset_end(body, j + 1)
        else:
            return None  # the root element (or junk): declarations after it are not honoured
    return None


def _subset_end(body: bytes, i: int) -> int:
    n = len(body)
    while i < n:
        c = body[i : i + 1]
        if c == b"]":
            return i
        if body.startswith(b"<!--", i):
            i = _skip(body, i + 4, b"-->")
        elif body.startswith(b"<?", i):
            i = _skip(body, i + 2, b"?>")
        elif body.startswith(b"<!", i):
            i = _to_gt(body, i + 2) + 1
        else:
            i += 1
    return n


def _declarations(body: bytes, start: int, end: int):  # noqa: ANN202
    """Each top-level markup declaration in the subset: (position, is_entity, text)."""
    i = start
    while i < end:
        if body[i : i + 1] in (b" ", b"\t", b"\r", b"\n"):
            i += 1
        elif body.startswith(b"<!--", i):
            i = _skip(body, i + 4, b"-->")
        elif body.startswith(b"<?", i):
            i = _skip(body, i + 2, b"?>")
        elif body.startswith(b"<!", i):
            j = _to_gt(body, i + 2)
            yield i, body.startswith(b"<!ENTITY", i), body[i : j + 1]
            i = j + 1
        elif body[i : i + 1] == b"%":
            raise Rejected("parameter entity reference in the DTD (not allowed in feeds)")
        else:
            i += 1


def check_entities(body: bytes) -> None:
    """Raise :class:`Rejected` for a DTD that could expand, load or blow up entities."""
    if b"<!ENTITY" not in body:
        return
    subset = internal_subset(body)
    if subset is None:
        return  # no DTD a parser would read: "<!ENTITY" is text (a comment, CDATA, ...)
    start, end = subset
    values: dict[bytes, int] = {}
    for _pos, is_entity, decl in _declarations(body, start, end):
        if not is_entity:
            continue
        if len(values) >= MAX_ENTITY_DECLS:
            raise Rejected(f"more than {MAX_ENTITY_DECLS} entity declarations")
        m = _DECL.match(decl)
        if m is None:
            raise Rejected("malformed entity declaration in the DTD")
        param, raw, value = m.group(1), m.group(2), m.group(3)
        name = raw.decode("ascii", "replace")
        if param:
            raise Rejected(f"parameter entity {name!r} declared (not allowed in feeds)")
        if value in (b"SYSTEM", b"PUBLIC"):
            raise Rejected(f"external entity {name!r} declared (not loaded)")
        if len(value) > MAX_ENTITY_VALUE:
            raise Rejected(f"entity {name!r} is longer than {MAX_ENTITY_VALUE} bytes")
        if _NAMED_REF.search(value):
            raise Rejected(f"entity {name!r} expands other entities (entity expansion attack)")
        values[raw] = len(value) - 2
    uses = expansion = 0
    for raw, size in values.items():
        count = body.count(b"&" + raw + b";", end)
        uses, expansion = uses + count, expansion + count * size
    if uses > MAX_ENTITY_USES or expansion > MAX_ENTITY_EXPANSION:
        raise Rejected(f"declared entities are used {uses} times, expanding to {expansion} "
                       f"bytes (caps: {MAX_ENTITY_USES} uses, {MAX_ENTITY_EXPANSION} bytes)")
