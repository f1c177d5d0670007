"""OPML subscription lists -> ``[[feeds]]`` tables appended to the user's config text."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from collectors.guard import Rejected, check_entities

MAX_OPML_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Outline:
    title: str
    url: str


class OpmlError(ValueError):
    pass


def read_opml(data: bytes, source: str = "<opml>") -> list[Outline]:
    """Every outline with an xmlUrl (nested categories flattened), in document order."""
    if len(data) > MAX_OPML_BYTES:
        raise OpmlError(f"{source}: larger than {MAX_OPML_BYTES} bytes")
    try:
        check_entities(data)
        root = ET.fromstring(data)
    except Rejected as exc:
        raise OpmlError(f"{source}: rejected: {exc}") from None
    except ET.ParseError as exc:
        raise OpmlError(f"{source}: not valid OPML/XML: {exc}") from None
    if root.tag.lower() != "opml":
        raise OpmlError(f"{source}: root element is <{root.tag}>, not <opml>")
    found = []
    for node in root.iter("outline"):
        url = (node.get("xmlUrl") or node.get("xmlurl") or "").strip()
        if url.startswith(("http://", "https://")):
            title = (node.get("title") or node.get("text") or "").strip()
            found.append(Outline(title, url))
    return found


def slug(text: str) -> str:
    value = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:48].strip("-")
    return value or "feed"


def _toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def feeds_toml(
    outlines: list[Outline], taken_ids: set[str], taken_urls: set[str]
) -> tuple[str, list[tuple[str, Outline]], list[Outline]]:
    """(TOML text of new [[feeds]] tables, (id, outline) added, outlines skipped as known)."""
    added, skipped, blocks = [], [], []
    ids, urls = set(taken_ids), set(taken_urls)
    for outline in outlines:
        if outline.url in urls:
            skipped.append(outline)
            continue
        base = slug(outline.title or re.sub(r"^https?://", "", outline.url))
        feed_id, n = base, 2
        while feed_id in ids:
            feed_id, n = f"{base}-{n}", n + 1
        ids.add(feed_id)
        urls.add(outline.url)
        added.append((feed_id, outline))
        lines = ["[[feeds]]", f"id = {_toml_str(feed_id)}", f"url = {_toml_str(outline.url)}"]
        if outline.title:
            lines.append(f"title = {_toml_str(outline.title)}")
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks), added, skipped
