"""Feed health events: a ``FeedStatus`` on the EVENTS topic (keyed by feed id) when a feed
starts failing, at the configured failure counts (debounced: 1, 5, 20, then every 20) and when
it recovers (that event, ``ok=True``, carries the failure count, start and last error of the
episode that ended). Alerts can route these ("feed X has failed 5 times since ...")."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from collectors.state import FeedState
from newswatch import serde
from newswatch.bus import Bus
from newswatch.models import FeedStatus, utcnow

log = logging.getLogger("newswatch.collect")


def should_announce(failures: int, thresholds: Sequence[int]) -> bool:
    if failures <= 0:
        return False
    if failures in thresholds:
        return True
    last = max(thresholds)
    return failures > last and failures % last == 0


class HealthReporter:
    def __init__(self, bus: Bus, topic: str, thresholds: Sequence[int]):
        self.bus, self.topic, self.thresholds = bus, topic, sorted(set(thresholds))

    def changed(self, before: FeedState, after: FeedState) -> FeedStatus | None:
        """Publish (and return) the event this transition deserves, if any."""
        if after.consecutive_failures == 0:
            if before.consecutive_failures == 0:
                return None
            event = FeedStatus(  # describes the episode that ended
                feed_id=after.feed_id, ok=True, consecutive_failures=before.consecutive_failures,
                failing_since=before.failing_since, last_error=before.last_error, at=utcnow(),
            )
        elif should_announce(after.consecutive_failures, self.thresholds):
            event = FeedStatus(
                feed_id=after.feed_id, ok=False,
                consecutive_failures=after.consecutive_failures,
                failing_since=after.failing_since, last_error=after.last_error, at=utcnow(),
            )
        else:
            return None
        try:
            self.bus.publish(self.topic, after.feed_id, serde.dumps(event))
            self.bus.flush()
        except Exception as exc:  # health events must not stop collection
            log.error("feed %r: cannot publish health event: %s", after.feed_id, exc,
                      extra={"feed_id": after.feed_id})
        return event
