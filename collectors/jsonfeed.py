"""JSON Feed 1.0/1.1 (feedparser 6 does not read it) -> feedparser-shaped entries, so both
formats share one entry -> Article normalisation."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from feedparser.datetimes import _parse_date

VERSION_PREFIX = "https://jsonfeed.org/version/"


def looks_like_json(body: bytes) -> bool:
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")


class NotAFeed(ValueError):
    pass


def _struct(value: Any) -> Any:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        # Not RFC 3339: let feedparser's date handlers try (RFC 822, W3C-DTF, ...).
        return _parse_date(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).timetuple()


def _authors(obj: dict[str, Any]) -> list[dict[str, str]]:
    raw = obj.get("authors")
    if not isinstance(raw, list):
        raw = [obj["author"]] if isinstance(obj.get("author"), dict) else []
    return [{"name": str(a.get("name", ""))} for a in raw if isinstance(a, dict) and a.get("name")]


def _entry(item: dict[str, Any], language: str) -> dict[str, Any]:
    content = []
    if isinstance(item.get("content_html"), str):
        content.append({"value": item["content_html"], "type": "text/html"})
    elif isinstance(item.get("content_text"), str):
        content.append({"value": item["content_text"], "type": "text/plain"})
    url = item.get("url") if isinstance(item.get("url"), str) else ""
    external = item.get("external_url") if isinstance(item.get("external_url"), str) else ""
    tags = item.get("tags") if isinstance(item.get("tags"), list) else []
    return {
        "id": str(item.get("id", "")) if item.get("id") is not None else "",
        "title": item.get("title") if isinstance(item.get("title"), str) else "",
        "link": url or external,
        "summary": item.get("summary") if isinstance(item.get("summary"), str) else "",
        "content": content,
        "published_parsed": _struct(item.get("date_published")),
        "updated_parsed": _struct(item.get("date_modified")),
        "authors": _authors(item),
        "tags": [{"term": str(t)} for t in tags if isinstance(t, str | int | float)],
        "language": item.get("language") if isinstance(item.get("language"), str) else language,
    }


def parse_json_feed(body: bytes) -> tuple[dict[str, Any], list[dict[str, Any]], list[str]]:
    """(feed info, entries, problems). Raises :class:`NotAFeed` for JSON that is not a feed."""
    try:
        doc = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise NotAFeed(f"not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise NotAFeed("JSON document is not an object, not a JSON Feed")
    version = doc.get("version")
    items = doc.get("items")
    if not (isinstance(version, str) and version.startswith(VERSION_PREFIX)):
        raise NotAFeed("JSON without a JSON Feed version (https://jsonfeed.org/version/1.x)")
    problems = []
    if not isinstance(items, list):
        problems.append("JSON Feed without an items list")
        items = []
    language = doc.get("language") if isinstance(doc.get("language"), str) else ""
    info = {
        "title": doc.get("title") if isinstance(doc.get("title"), str) else "",
        "link": doc.get("home_page_url") if isinstance(doc.get("home_page_url"), str) else "",
        "language": language,
    }
    entries = []
    for n, item in enumerate(items):
        if isinstance(item, dict):
            entries.append(_entry(item, language))
        else:
            problems.append(f"item {n} is not an object, skipped")
    return info, entries, problems
