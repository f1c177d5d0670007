"""``[[routes]]`` (Alertmanager's model) and ``[alerts]`` (story grouping, ledger).

A match goes to every route whose ``watches``/``severities``/``labels`` all match (empty means
any), in order, stopping at the first match unless ``continue = true``. Each watch's own
``channels`` list is an implicit route with ``group_wait_secs = 0``.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from newswatch.config.base import StrictModel

SEVERITIES = ("low", "normal", "high", "critical")
GROUP_KEYS = ("watch", "story", "severity", "feed")
_TIME = r"^([01]\d|2[0-3]):[0-5]\d$"


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else 1


class QuietHours(StrictModel):
    """Hold alerts between ``start`` and ``end`` (local ``timezone``) unless severe enough."""

    start: str = Field(pattern=_TIME)
    end: str = Field(pattern=_TIME)
    timezone: str = "UTC"
    bypass_severity: str = Field("critical", pattern=r"^(low|normal|high|critical)$")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo

        try:
            ZoneInfo(value)
        except Exception as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class RouteConfig(StrictModel):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    watches: list[str] = []
    severities: list[str] = []
    labels: list[str] = []
    channels: list[str] = Field(min_length=1)
    group_by: list[str] = ["watch", "story"]
    group_wait_secs: float = Field(30.0, ge=0)
    group_interval_secs: float = Field(300.0, ge=0)
    # 0: every later report of a story reaches the user as a threaded follow-up. > 0: an outlet
    # already in the story reporting it again within this interval is suppressed (and recorded
    # as such in the ledger, the log and /metrics).
    repeat_interval_secs: float = Field(0.0, ge=0)
    quiet_hours: QuietHours | None = None
    continue_: bool = Field(False, alias="continue")

    @field_validator("severities")
    @classmethod
    def _known_severities(cls, value: list[str]) -> list[str]:
        bad = [s for s in value if s not in SEVERITIES]
        if bad:
            raise ValueError(f"unknown severities {bad}; use {', '.join(SEVERITIES)}")
        return value

    @field_validator("group_by")
    @classmethod
    def _known_keys(cls, value: list[str]) -> list[str]:
        bad = [k for k in value if k not in GROUP_KEYS]
        if bad:
            raise ValueError(f"unknown group_by keys {bad}; use {', '.join(GROUP_KEYS)}")
        return value


class AlertSettings(StrictModel):
    # Reports whose title/summary token sets overlap this much are one story.
    story_similarity: float = Field(0.45, gt=0, le=1)
    story_window_secs: float = Field(24 * 3600.0, gt=0)
    # Each watch's own channels form a route that sends at once; later reports of a story it
    # alerted go out as threaded follow-ups at most this often (its group_interval_secs).
    follow_up_interval_secs: float = Field(300.0, ge=0)
    # Delivery ledger; empty means <data_dir>/alerts.db.
    ledger_path: str = ""
    # Route feed-health events (FeedStatus) to these channels when a feed keeps failing.
    feed_health_channels: list[str] = []
    feed_health_failures: int = Field(5, ge=1)
