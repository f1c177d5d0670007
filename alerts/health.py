"""Feed-health events (``FeedStatus`` on the events topic) as alerts.

Each failure event at or above ``feed_health_failures`` (the collectors debounce them: 1, 5, 20,
then every 20 failures) becomes one alert, and the recovery of an episode that was alerted
becomes one notice. Ids derive from the feed, the episode (``failing_since``) and the step, so
a redelivered event is recorded once. An episode is its own story: later steps and the recovery
thread under its first alert, and never join news stories.
"""

from __future__ import annotations

from datetime import datetime

from newswatch.config.routing import AlertSettings, RouteConfig
from newswatch.config.watches import FEED_HEALTH_WATCH
from newswatch.models import Article, FeedStatus, Match, stable_id

WATCH = FEED_HEALTH_WATCH


def health_route(settings: AlertSettings) -> RouteConfig | None:
    if not settings.feed_health_channels:
        return None
    return RouteConfig.model_validate({
        "name": WATCH, "watches": [WATCH], "channels": settings.feed_health_channels,
        # one group per episode; every step is sent at once, never held back as a repeat
        "group_by": ["story"], "group_wait_secs": 0, "group_interval_secs": 0,
        "repeat_interval_secs": 0, "continue": True,
    })


def _when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S UTC") if at else "an unknown time"


def health_match(status: FeedStatus, settings: AlertSettings) -> Match | None:
    """The match for one event, or None if it does not deserve an alert.

    A recovery (``ok``) event carries the failures, start and last error of the episode that
    ended; only episodes that reached ``feed_health_failures`` get a recovery notice."""
    if status.consecutive_failures < settings.feed_health_failures:
        return None
    since = status.failing_since.isoformat() if status.failing_since else "unknown"
    episode = f"feed-health:{status.feed_id}:{since}"
    error = status.last_error[:500]
    if status.ok:
        step, severity = "recovered", "normal"
        title = (f"Feed {status.feed_id} recovered after {status.consecutive_failures} "
                 f"failures since {_when(status.failing_since)}")
        summary = f"The feed answers again; its last error was: {error}"
    else:
        step, severity = str(status.consecutive_failures), "high"
        n = status.consecutive_failures
        title = (f"Feed {status.feed_id} has failed {n} time{'s' if n != 1 else ''} "
                 f"since {_when(status.failing_since)}")
        summary = f"Last error: {error}"
    article = Article(
        id=stable_id(episode, step), feed_id=status.feed_id, url="", title=title,
        summary=summary, published=status.at, fetched=status.at, guid=episode,
    )
    return Match(article=article, watch=WATCH, score=1.0, severity=severity,
                 reasons=(f"last error: {error[:200]}",), matched_at=status.at)


def health_story(match: Match) -> str | None:
    """The story of a feed-health match (its episode), or None for any other match."""
    if match.watch != WATCH or not match.article.guid.startswith("feed-health:"):
        return None
    return stable_id("story", match.article.guid)
