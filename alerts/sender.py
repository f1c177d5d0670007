"""Sending due deliveries of one channel: token-bucket rate limit, backoff, dead letters.

``attempts`` is raised in the ledger before the channel is called and the delivery is marked
``sent`` only after it returned, so a crash in between re-sends (same idempotency key) on restart.
Retryable failures wait ``base * 2**(attempt-1)`` seconds (capped, with jitter) or the server's
Retry-After; permanent failures and exhausted attempts go to the dead-letter store.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from alerts.base import Channel, DeliveryError, redact
from alerts.ledger import Ledger
from newswatch import metrics

log = logging.getLogger("newswatch.alert")


@dataclass
class TokenBucket:
    per_minute: float
    burst: int
    tokens: float = -1.0
    stamp: float = 0.0

    def _refill(self, now: float) -> None:
        if self.tokens < 0:
            self.tokens, self.stamp = float(self.burst), now
        elapsed = max(0.0, now - self.stamp)
        self.tokens = min(float(self.burst), self.tokens + elapsed * self.per_minute / 60.0)
        self.stamp = now

    def take(self, now: float) -> bool:
        self._refill(now)
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def ready_at(self, now: float) -> float:
        """When the next token is available."""
        self._refill(now)
        return now + max(0.0, 1.0 - self.tokens) * 60.0 / self.per_minute


@dataclass
class Policy:
    max_attempts: int = 10
    backoff_base_secs: float = 2.0
    backoff_max_secs: float = 900.0
    bucket: TokenBucket | None = None
    rng: random.Random = field(default_factory=random.Random)

    def backoff(self, attempts: int) -> float:
        delay = min(self.backoff_max_secs, self.backoff_base_secs * 2 ** max(0, attempts - 1))
        return delay * self.rng.uniform(0.5, 1.0)


class Sender:
    """Delivers one channel's due alerts; ``pump`` never sleeps, it returns when to call again."""

    def __init__(self, ledger: Ledger, channel: Channel, policy: Policy,
                 clock: Callable[[], float]):
        self.ledger, self.channel, self.policy, self.clock = ledger, channel, policy, clock
        self.sent = 0
        self.blocked_until = 0.0  # set by a 429/503 Retry-After: the whole channel waits

    def pump(self, limit: int = 50) -> float | None:
        """Send what is due now; return the time the next delivery is due (None: nothing left)."""
        name, bucket = self.channel.name, self.policy.bucket
        if self.clock() < self.blocked_until:
            return self.blocked_until
        for alert, _ in self.ledger.due(name, self.clock(), limit):
            now = self.clock()
            if now < self.blocked_until:
                return self.blocked_until
            if bucket is not None and not bucket.take(now):
                return bucket.ready_at(now)
            attempt = self.ledger.mark_attempt(alert.id, name, now)
            extra = {"alert_id": alert.id, "channel": name}
            try:
                self.channel.send(alert)
            except DeliveryError as exc:
                self._failed(alert.id, attempt, exc, extra)
                continue
            except Exception as exc:  # a bug in a channel must not stop the others
                err = DeliveryError(f"channel {name}: unexpected {type(exc).__name__}: {exc}")
                self._failed(alert.id, attempt, err, extra)
                continue
            self.ledger.mark_sent(alert.id, name, self.clock())
            self.sent += 1
            metrics.ALERTS_SENT.labels(name).inc()
            log.info("alert %s sent on %s (attempt %d)", alert.id, name, attempt, extra=extra)
        return self.ledger.next_due(name)

    def _failed(self, alert_id: str, attempt: int, exc: DeliveryError, extra: dict) -> None:
        name, now = self.channel.name, self.clock()
        error = redact(str(exc), self.channel.secrets)[:500]
        metrics.ALERTS_FAILED.labels(name).inc()
        if not exc.retryable or attempt >= self.policy.max_attempts:
            self.ledger.mark_dead(alert_id, name, now, error)
            metrics.ALERTS_DEAD.labels(name).inc()
            why = "permanent failure" if not exc.retryable else f"gave up after {attempt} attempts"
            log.error("alert %s dead-lettered on %s (%s): %s", alert_id, name, why, error,
                      extra=extra)
            return
        delay = self.policy.backoff(attempt)
        if exc.retry_after_secs is not None:
            delay = max(exc.retry_after_secs, 0.05)
            self.blocked_until = max(self.blocked_until, now + delay)
        self.ledger.mark_retry(alert_id, name, now, now + delay, error)
        log.warning("alert %s on %s failed (attempt %d), retry in %.1fs: %s", alert_id, name,
                    attempt, delay, error, extra=extra)
