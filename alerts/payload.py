"""The generic webhook / file payload, version 1 (documented in docs/webhooks.md)."""

from __future__ import annotations

from typing import Any

from alerts.explain import why
from alerts.render import Renderer, http_link
from newswatch.models import Alert, Match

PAYLOAD_VERSION = 1


def _match(m: Match, links: dict[str, str]) -> dict[str, Any]:
    a = m.article
    return {
        "id": m.id,
        "watch": m.watch,
        "score": round(m.score, 4),
        "severity": m.severity,
        "labels": [{"label": ls.label, "score": round(ls.score, 4)} for ls in m.labels],
        "groups": list(m.groups),
        "places": [{"id": p.id, "name": p.name, "kind": p.kind, "country": p.country,
                    "region": p.region} for p in m.places],
        "reasons": list(m.reasons),
        "why": why(m),
        "model_version": m.model_version,
        "feedback_links": links,  # the web UI's one-click links ({} without a UI address)
        "matched_at": m.matched_at.isoformat(),
        "article": {
            "id": a.id,
            "feed_id": a.feed_id,
            "feed_title": a.source.feed_title if a.source else "",
            "url": http_link(a.url),
            "title": a.title,
            "summary": a.summary,
            "published": a.published.isoformat() if a.published else None,
            "language": a.language,
            "also_seen_in": [
                {"feed_id": s.feed_id, "feed_title": s.feed_title, "url": http_link(s.url)}
                for s in a.also_seen_in
            ],
        },
    }


def payload(alert: Alert, channel: str, renderer: Renderer) -> dict[str, Any]:
    """Deterministic for one alert (no send time in it), so a re-send is byte-identical."""
    digest = alert.route.startswith("digest:")
    links = renderer.links(alert, channel) if renderer.links else {}
    return {
        "version": PAYLOAD_VERSION,
        "type": "digest" if digest else ("follow_up" if alert.follow_up_of else "alert"),
        "idempotency_key": alert.id,
        "channel": channel,
        "alert": {
            "id": alert.id,
            "route": alert.route,
            "severity": alert.severity,
            "created": alert.created.isoformat(),
            "story_id": alert.story_id,
            "follow_up_of": alert.follow_up_of or None,
            "title": renderer.render_subject(alert),
            "text": renderer.render_body(alert),
            "sources": sorted({m.article.feed_id for m in alert.matches}),
            "matches": [_match(m, links.get(m.article.id, {})) for m in alert.matches],
        },
    }
