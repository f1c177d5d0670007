"""Sending due deliveries of one channel: token-bucket rate limit, backoff, dead letters.

``attempts`` is raised in the ledger before the channel is called and the delivery is marked
``sent`` only after it returned, so a crash in between re-sends (same idempotency key) on restart.
A retryable failure holds the whole channel for ``base * 2**(n-1)`` seconds (n consecutive
failures of the channel, capped at ``backoff_max_secs``, with jitter) or the server's
Retry-After, so an outage costs one request per backoff step, not one per waiting alert. A
delivery is dead-lettered after a permanent failure, or once it has waited through
``give_up_after_secs`` of failures (or ``max_attempts``). Recovery, probing and re-driving of
dead letters: :mod:`alerts.outage`.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from alerts import outage
from alerts.base import Channel, DeliveryError, redact
from alerts.ledger import Ledger
from newswatch import metrics

log = logging.getLogger("newswatch.alert")
SWEEP_SECS = 60.0  # how often deliveries past give_up_after_secs are looked for


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
    max_attempts: int | None = None
    backoff_base_secs: float = 2.0
    backoff_max_secs: float = 900.0
    bucket: TokenBucket | None = None
    rng: random.Random = field(default_factory=random.Random)
    give_up_after_secs: float = 86400.0
    redrive_dead_max: int = 500

    def backoff(self, attempts: int) -> float:
        exp = min(max(0, attempts - 1), 40)
        delay = min(self.backoff_max_secs, self.backoff_base_secs * 2**exp)
        return delay * self.rng.uniform(0.5, 1.0)


class Sender:
    """Delivers one channel's due alerts; ``pump`` never sleeps, it returns when to call again."""

    def __init__(self, ledger: Ledger, channel: Channel, policy: Policy,
                 clock: Callable[[], float]):
        self.ledger, self.channel, self.policy, self.clock = ledger, channel, policy, clock
        self.sent = 0
        self.blocked_until = 0.0  # a failure or a 429/503 Retry-After: the whole channel waits
        self.failures = 0  # consecutive retryable failures of the channel
        self.down_since: float | None = None
        self._maybe_gave_up = True  # dead letters from an outage may exist (checked once)
        self._next_sweep = self._next_probe = 0.0

    def pump(self, limit: int = 50) -> float | None:
        """Send what is due now; return the time the next delivery is due (None: nothing left)."""
        name, bucket = self.channel.name, self.policy.bucket
        self._housekeeping(self.clock())
        if self.clock() < self.blocked_until:
            return self.blocked_until
        for alert, _ in self.ledger.due(name, self.clock(), limit):
            now = self.clock()
            if now < self.blocked_until:
                return self.blocked_until
            if bucket is not None and not bucket.take(now):
                ready = bucket.ready_at(now)
                self._rate_limited(alert.id, now, ready)
                return ready
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
            self._answered()
        return self.ledger.next_due(name)

    # -- outages ---------------------------------------------------------------------------
    def _housekeeping(self, now: float) -> None:
        """Give up on deliveries past give_up_after_secs; probe a channel that has only dead
        letters left from an outage."""
        name = self.channel.name
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_SECS
            cutoff = now - self.policy.give_up_after_secs
            for alert_id, error in outage.expired(self.ledger.conn, name, cutoff):
                self._dead(alert_id, now, error or "the channel did not answer",
                           f"gave up after {self.policy.give_up_after_secs:g}s of failures",
                           outage.GAVE_UP, {"alert_id": alert_id, "channel": name})
        if now >= self._next_probe and now >= self.blocked_until:
            self._next_probe = now + self.policy.backoff_max_secs
            with self.ledger.transaction() as conn:
                probe = None if outage.has_pending(conn, name) else outage.probe(conn, name, now)
            if probe is not None:
                metrics.CHANNEL_PROBES.labels(name).inc()
                log.info("channel %s: probing with dead-lettered alert %s (the channel gave up "
                         "on alerts earlier)", name, probe, extra={"alert_id": probe,
                                                                    "channel": name})

    def _answered(self) -> None:
        """A confirmed delivery: if the channel was failing, send what waits and re-drive."""
        name, now = self.channel.name, self.clock()
        metrics.CHANNEL_UP.labels(name).set(1)
        if not self.failures and not self._maybe_gave_up:
            return
        self._maybe_gave_up = False
        with self.ledger.transaction() as conn:
            had_dead = conn.execute(
                "SELECT 1 FROM deliveries WHERE channel=? AND state='dead' AND note=? LIMIT 1",
                (name, outage.GAVE_UP)).fetchone()
            if not self.failures and not had_dead:
                return
            waiting = outage.bring_forward(conn, name, now)
            redriven = outage.redrive(conn, name, now, self.policy.redrive_dead_max)
        metrics.ALERTS_REDRIVEN.labels(name).inc(redriven)
        log.warning("channel %s answers again after %d failed attempts: %d waiting alerts are "
                    "sent now, %d dead letters re-driven (at most %d)", name, self.failures,
                    waiting, redriven, self.policy.redrive_dead_max, extra={"channel": name})
        self.failures, self.down_since, self.blocked_until = 0, None, 0.0
        self._next_probe = now

    def _dead(self, alert_id: str, now: float, error: str, why: str, note: str,
              extra: dict) -> None:
        name = self.channel.name
        self.ledger.mark_dead(alert_id, name, now, error, note)
        self._maybe_gave_up = self._maybe_gave_up or note == outage.GAVE_UP
        metrics.ALERTS_DEAD.labels(name).inc()
        log.error("alert %s dead-lettered on %s (%s): %s", alert_id, name, why, error,
                  extra=extra)

    def _rate_limited(self, alert_id: str, now: float, ready: float) -> None:
        """Say once per alert that the channel's rate limit delays it (never silent)."""
        if self.ledger.note(alert_id, self.channel.name, "delayed: rate limit", now):
            metrics.ALERT_DEFERRED.labels("rate_limited", self.channel.name).inc()
            log.info("alert %s delayed on %s by its rate limit (next send in %.0f s)", alert_id,
                     self.channel.name, ready - now,
                     extra={"alert_id": alert_id, "channel": self.channel.name})

    def _failed(self, alert_id: str, attempt: int, exc: DeliveryError, extra: dict) -> None:
        name, now = self.channel.name, self.clock()
        error = redact(str(exc), self.channel.secrets)[:500]
        metrics.ALERTS_FAILED.labels(name).inc()
        if not exc.retryable:
            self._dead(alert_id, now, error, "permanent failure", "", extra)
            return
        self.failures += 1
        metrics.CHANNEL_UP.labels(name).set(0)
        if self.down_since is None:
            self.down_since = now
            log.warning("channel %s is failing (%s): its alerts wait and are retried with "
                        "backoff up to %gs, for up to %gs before they are dead-lettered",
                        name, error, self.policy.backoff_max_secs,
                        self.policy.give_up_after_secs, extra={"channel": name})
        if outage.note(self.ledger.conn, alert_id, name) == outage.PROBE:
            self._dead(alert_id, now, error, "probe failed: the channel is still down",
                       outage.GAVE_UP, extra)
            # still down: the whole channel (new alerts too) waits for the next probe
            self.blocked_until = max(self.blocked_until, self._next_probe)
            return
        if self.policy.max_attempts is not None and attempt >= self.policy.max_attempts:
            # a hard cap the user set: not probed or re-driven automatically
            self._dead(alert_id, now, error, f"gave up after {attempt} attempts (max_attempts)",
                       "max_attempts", extra)
            return
        delay = self.policy.backoff(max(attempt, self.failures))
        if exc.retry_after_secs is not None:
            delay = max(exc.retry_after_secs, 0.05)
        self.blocked_until = max(self.blocked_until, now + delay)
        self.ledger.mark_retry(alert_id, name, now, now + delay, error)
        log.warning("alert %s on %s failed (attempt %d), retry in %.1fs: %s", alert_id, name,
                    attempt, delay, error, extra=extra)
