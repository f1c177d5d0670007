"""Feed-health events (``FeedStatus`` on the events topic) as alerts.

A feed failing ``feed_health_failures`` times in a row becomes one alert per failure episode
(the match id derives from the feed and ``failing_since``), routed to ``feed_health_channels``.
"""

from __future__ import annotations

from newswatch.config.routing import AlertSettings, RouteConfig
from newswatch.models import Article, FeedStatus, Match, stable_id

WATCH = "feed-health"


def health_route(settings: AlertSettings) -> RouteConfig | None:
    if not settings.feed_health_channels:
        return None
    return RouteConfig.model_validate({
        "name": WATCH, "watches": [WATCH], "channels": settings.feed_health_channels,
        "group_by": ["feed"], "group_wait_secs": 0, "continue": True,
    })


def health_match(status: FeedStatus, settings: AlertSettings) -> Match | None:
    if status.ok or status.consecutive_failures < settings.feed_health_failures:
        return None
    since = status.failing_since.isoformat() if status.failing_since else "unknown"
    title = (f"Feed {status.feed_id} has failed {status.consecutive_failures} times "
             f"since {since}")
    article = Article(
        id=stable_id("feed-health", status.feed_id, since), feed_id=status.feed_id, url="",
        title=title, summary=status.last_error[:500], fetched=status.at,
    )
    return Match(article=article, watch=WATCH, score=1.0, severity="high",
                 reasons=(f"last error: {status.last_error[:200]}",), matched_at=status.at)
