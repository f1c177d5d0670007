"""Which routes a match takes, how it is grouped, and when quiet hours hold an alert."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from newswatch.config import Config
from newswatch.config.routing import QuietHours, RouteConfig, severity_rank
from newswatch.models import Match

IMPLICIT_PREFIX = "watch-"


def build_routes(config: Config) -> list[RouteConfig]:
    """Explicit ``[[routes]]`` first, then one implicit route per watch with ``channels``."""
    routes = list(config.routes)
    for watch in config.watches:
        if watch.channels:
            routes.append(
                RouteConfig.model_validate(
                    {
                        "name": f"{IMPLICIT_PREFIX}{watch.name}",
                        "watches": [watch.name],
                        "channels": list(watch.channels),
                        "group_wait_secs": 0.0,
                        "group_interval_secs": config.alerts.follow_up_interval_secs,
                        "continue": True,
                    }
                )
            )
    return routes


def _matches(route: RouteConfig, match: Match) -> bool:
    if route.watches and match.watch not in route.watches:
        return False
    if route.severities and match.severity not in route.severities:
        return False
    if route.labels:
        present = {ls.label for ls in match.labels if ls.score >= 0.5} | set(match.groups)
        if not present & set(route.labels):
            return False
    return True


def select_routes(routes: list[RouteConfig], match: Match) -> list[RouteConfig]:
    """Explicit routes in order until one without ``continue`` matched; watch routes always."""
    out, stopped = [], False
    for route in routes:
        implicit = route.name.startswith(IMPLICIT_PREFIX) and route.continue_
        if (stopped and not implicit) or not _matches(route, match):
            continue
        out.append(route)
        if not route.continue_:
            stopped = True
    return out


def group_key(route: RouteConfig, match: Match, story_id: str) -> str:
    values = {
        "watch": match.watch,
        "story": story_id,
        "severity": match.severity,
        "feed": match.article.feed_id,
    }
    return "|".join(f"{k}={values[k]}" for k in route.group_by) or "all"


def _at(day: datetime, hhmm: str) -> datetime:
    h, m = (int(x) for x in hhmm.split(":"))
    return day.replace(hour=h, minute=m, second=0, microsecond=0)


def quiet_until(quiet: QuietHours | None, severity: str, now: float) -> float | None:
    """End of the quiet period containing ``now`` (epoch secs), or None if sending is allowed."""
    if quiet is None or severity_rank(severity) >= severity_rank(quiet.bypass_severity):
        return None
    local = datetime.fromtimestamp(now, ZoneInfo(quiet.timezone))
    for offset in (-1, 0):
        start = _at(local + timedelta(days=offset), quiet.start)
        end = _at(start, quiet.end)
        if end <= start:
            end += timedelta(days=1)
        if start <= local < end:
            return end.timestamp()
    return None


def digest_boundary(period: str, at: str, timezone: str, now: float) -> float:
    """The latest digest time <= ``now``: the top of the hour, or today's/yesterday's ``at``."""
    local = datetime.fromtimestamp(now, ZoneInfo(timezone))
    if period == "hourly":
        return local.replace(minute=0, second=0, microsecond=0).timestamp()
    today = _at(local, at)
    return (today if today <= local else today - timedelta(days=1)).timestamp()
