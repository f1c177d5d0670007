"""Jinja2 templates per channel kind, with user overrides, and length-limited rendering.

Long alerts never get cut inside markup: whole items (sources) are dropped from the end with an
"... and N more" line until the message fits; if even one item is too long, the message falls
back to the escaped plain headline cut at a word boundary.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from jinja2 import FileSystemLoader, Template, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from alerts.base import PermanentDeliveryError
from alerts.explain import label_name, percent, short_summary, why
from newswatch.config.channels import Templates
from newswatch.config.routing import severity_rank
from newswatch.models import Alert

BODY_TEMPLATE = {
    "console": "text.j2", "file": "text.j2", "email": "text.j2", "generic": "text.j2",
    "slack": "slack.j2", "discord": "discord.j2", "teams": "teams.j2",
}
_MD_SPECIAL = re.compile(r"([\\`*_~|<>\[\]()#])")
# Chat mentions a title could smuggle in: <@U123>, <@&role>, <#chan>, <!here>, @everyone.
_MENTION = re.compile(r"(<)(?=[@#!&:])|(?<![\w/.])(@)(?=(everyone|here|channel)\b)", re.I)


def defuse_mentions(text: str) -> str:
    """A zero-width space after '<' or '@' so chat apps show mentions as text, never ping."""
    return _MENTION.sub(lambda m: (m.group(1) or m.group(2)) + "\u200b", text)


def http_link(url: object) -> str:
    """``url`` if it is an absolute http(s) URL, else "": nothing else is rendered as a link."""
    text = str(url or "").strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    return text if parts.scheme.lower() in ("http", "https") and parts.hostname else ""


def slack_escape(text: object) -> str:
    escaped = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return defuse_mentions(escaped)


def md_escape(text: object) -> str:
    return defuse_mentions(_MD_SPECIAL.sub(r"\\\1", str(text)))


def md_url(url: object) -> str:
    return quote(str(url), safe=":/?&=#%@+,;~!$'*")


def _env(autoescape: bool) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=autoescape,
        trim_blocks=False,
        keep_trailing_newline=False,
    )
    env.filters.update(slack=slack_escape, md=md_escape, mdurl=md_url)
    return env


TEXT_ENV, HTML_ENV = _env(False), _env(True)


def _item(matches: list) -> dict:
    """One article, however many watches matched it (one message per article per channel)."""
    lead = max(matches, key=lambda m: severity_rank(m.severity))
    a = lead.article
    labels: dict[str, float] = {}
    for m in matches:
        for ls in m.labels:
            if ls.score >= 0.5:
                labels[ls.label] = max(labels.get(ls.label, 0.0), ls.score)
    places = list(dict.fromkeys(p.name for m in matches for p in m.places))
    return {
        "title": a.title or http_link(a.url),
        "url": http_link(a.url),  # templates link only http(s): never javascript:, data:, ...
        "feed": (a.source.feed_title if a.source and a.source.feed_title else a.feed_id),
        "feed_id": a.feed_id,
        "published": a.published.strftime("%Y-%m-%d %H:%M UTC") if a.published else "",
        "summary": short_summary(a.summary),
        "watch": ", ".join(dict.fromkeys(m.watch for m in matches)),
        "watches": list(dict.fromkeys(m.watch for m in matches)),
        "score": max(m.score for m in matches),
        "severity": lead.severity,
        "labels": [{"label": k, "name": label_name(k), "score": v, "percent": percent(v)}
                   for k, v in sorted(labels.items(), key=lambda kv: -kv[1])],
        "groups": list(dict.fromkeys(g for m in matches for g in m.groups)),
        "places": places,
        "why": list(dict.fromkeys(w for m in matches for w in why(m))),
        "reasons": list(dict.fromkeys(r for m in matches for r in m.reasons)),
        "also_seen_in": [s.feed_title or s.feed_id for s in a.also_seen_in],
        "match_ids": [m.id for m in matches],
        "links": {},
    }


def _by_article(alert: Alert) -> list[list]:
    out: dict[str, list] = {}
    for m in alert.matches:
        out.setdefault(m.article.id, []).append(m)
    return list(out.values())


def context(alert: Alert, channel: str, items_limit: int | None = None,
            links: dict[str, dict[str, str]] | None = None) -> dict:
    """What templates see: ``alert``, ``headline``, ``items`` (one per article: title, url, feed,
    published, summary, watches, severity, labels with percentages, groups, places, why,
    links), ``omitted``, ``sources``, ``channel`` and ``links`` (alert-level, when given)."""
    links = {key: {name: url for name, url in group.items() if http_link(url)}
             for key, group in (links or {}).items()}  # only http(s) links, as for articles
    items = [_item(ms) for ms in _by_article(alert)]
    for item, ms in zip(items, _by_article(alert), strict=True):
        item["links"] = links.get(ms[0].article.id, {})
    sources = sorted({i["feed_id"] for i in items} | {f for i in items for f in i["also_seen_in"]})
    shown = items if items_limit is None else items[:items_limit]
    return {
        "alert": {
            "id": alert.id, "route": alert.route, "severity": alert.severity,
            "created": alert.created.strftime("%Y-%m-%d %H:%M UTC"), "story_id": alert.story_id,
            "follow_up": bool(alert.follow_up_of), "follow_up_of": alert.follow_up_of,
            "digest": alert.route.startswith("digest:"), "count": len(items),
            "watches": list(dict.fromkeys(m.watch for m in alert.matches)),
        },
        "headline": items[0]["title"] if items else "",
        "items": shown,
        "omitted": len(items) - len(shown),
        "sources": sources,
        "channel": channel,
        "links": links.get("", {}),
    }


@dataclass
class Renderer:
    """Templates of one channel: ``body`` (text/markdown) plus ``subject`` and ``html``."""

    channel: str
    kind: str
    overrides: Templates
    max_length: int | None = None
    # Links to show (e.g. a web UI's feedback links): (alert, channel) -> {"": alert-level
    # {name: url}, article id: that item's {name: url}}. Templates render them when present.
    links: Callable[[Alert, str], dict[str, dict[str, str]]] | None = None

    def ctx(self, alert: Alert, items_limit: int | None = None) -> dict:
        return context(alert, self.channel, items_limit,
                       self.links(alert, self.channel) if self.links else None)

    def __post_init__(self) -> None:
        try:
            self.subject = self._load("subject", "subject.j2", TEXT_ENV)
            self.body = self._load("text", BODY_TEMPLATE.get(self.kind, "text.j2"), TEXT_ENV)
            self.html = self._load("html", "html.j2", HTML_ENV)
        except (OSError, TemplateError) as exc:
            raise ValueError(f"channel {self.channel}: bad template: {exc}") from exc

    def _load(self, kind: str, default: str, env: SandboxedEnvironment) -> Template:
        source = self.overrides.source(kind)
        return env.from_string(source) if source is not None else env.get_template(default)

    def _render(self, template: Template, ctx: dict) -> str:
        try:
            return template.render(**ctx).strip()
        except TemplateError as exc:
            raise PermanentDeliveryError(f"channel {self.channel}: template failed: {exc}") from exc

    def render_subject(self, alert: Alert) -> str:
        text = " ".join(self._render(self.subject, self.ctx(alert)).split())
        return text if len(text) <= 200 else text[:197].rsplit(" ", 1)[0] + "..."

    def render_body(self, alert: Alert, *, html_body: bool = False, limit: int | None = None):
        template = self.html if html_body else self.body
        limit = limit if limit is not None else self.max_length
        full = self._render(template, self.ctx(alert))
        if limit is None or len(full) <= limit:
            return full
        lo, hi, best = 1, max(1, len(_by_article(alert)) - 1), None
        while lo <= hi:  # the largest number of whole items that fits
            mid = (lo + hi) // 2
            text = self._render(template, self.ctx(alert, mid))
            if len(text) <= limit:
                best, lo = text, mid + 1
            else:
                hi = mid - 1
        return best if best is not None else self._fallback(alert, limit, html_body)

    def _fallback(self, alert: Alert, limit: int, html_body: bool) -> str:
        ctx = context(alert, self.channel, 1)
        url = http_link(alert.matches[0].article.url)
        plain = f"{ctx['headline']} ({len(alert.matches)} reports) {url}".strip()
        cut = plain if len(plain) <= limit - 20 else plain[: limit - 20].rsplit(" ", 1)[0] + " ..."
        escape = {"slack": slack_escape, "discord": md_escape, "teams": md_escape}.get(
            self.kind, html.escape if html_body else str
        )
        out = escape(cut)
        while len(out) > limit:  # escaping grew it: cut the plain text further, never the escapes
            cut = cut[: max(1, len(cut) - (len(out) - limit) - 4)].rsplit(" ", 1)[0] + " ..."
            out = escape(cut)
        return out
