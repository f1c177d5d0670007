"""APScheduler: one job per feed, no overlapping runs of a feed, jitter, adaptive intervals,
capped exponential backoff that keeps probing, and a per-host concurrency limit."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import random
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor as Pool
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler

from collectors.base import FetchedFeed
from collectors.collector import Collector
from collectors.fetch import Fetched, Fetcher, FetchError
from collectors.fulltext import FullText
from collectors.health import HealthReporter
from collectors.policy import failure_delay, jitter_secs, success_delay
from collectors.record import Recorder
from collectors.shard import FeedShard
from collectors.state import FeedState, FeedStateStore
from collectors.urls import host_of, redact
from newswatch import metrics
from newswatch.config import Config
from newswatch.config.collect import CollectConfig
from newswatch.config.feeds import FeedConfig
from newswatch.models import utcnow

log = logging.getLogger("newswatch.collect")

PRUNE_JOB = "@seen-prune"  # '@' cannot start a feed id
PRUNE_INTERVAL_SECS = 3600
MAX_ENTRY_IDS = 1000  # carried in the feed's state for a handover (sharded collect)


def _observe_lateness(before: FeedState) -> None:
    if before.next_poll is not None:
        late = (utcnow() - before.next_poll).total_seconds()
        metrics.POLL_LATENESS.observe(max(0.0, late))


class FeedScheduler:
    name = "collect"

    def __init__(
        self,
        feeds: Sequence[FeedConfig],
        collector: Collector,
        *,
        collect: CollectConfig | None = None,
        state: FeedStateStore,
        health: HealthReporter | None = None,
        recorder: Recorder | None = None,
        shard: FeedShard | None = None,
        lock: contextlib.AbstractContextManager[object] | None = None,
    ):
        self.all_feeds = list(feeds)
        self.feeds = [f for f in feeds if f.enabled]
        self.shard = shard  # None: this process polls every feed
        self.lock = lock  # held while the stage exists (the embedded bus's one collector)
        self.collector, self.state, self.health, self.recorder = collector, state, health, recorder
        self.collect = collect or CollectConfig()
        self.fetcher = Fetcher(self.collect)
        self._hosts: dict[str, threading.BoundedSemaphore] = {}
        self._hosts_lock = threading.Lock()
        self.full_text = FullText(self.fetcher, self.collect, self._host_slot)
        self._unsaved: dict[str, FeedState] = {}  # states the state file did not take (yet)
        self.scheduler = BackgroundScheduler(
            timezone=UTC, executors={"default": ThreadPoolExecutor(self.collect.max_workers)}
        )

    def _host_slot(self, url: str) -> threading.BoundedSemaphore:
        host = host_of(url)
        with self._hosts_lock:
            if host not in self._hosts:
                self._hosts[host] = threading.BoundedSemaphore(self.collect.per_host_concurrency)
            return self._hosts[host]

    def poll(self, feed: FeedConfig) -> FeedState:
        """Fetch, parse and publish one feed; update its state; schedule its next poll.
        Whatever fails (fetch, parse, bus, the state file), the next poll is scheduled."""
        started = time.monotonic()
        before = after = self._unsaved.get(feed.id) or FeedState(feed.id)
        try:
            with self._host_slot(feed.url):
                before = self._load(feed)
                _observe_lateness(before)
                after = self._poll(feed, before)
            if after is before:  # cancelled: the collector is stopping
                return after
            after = self._save(feed, before, after)
        except Exception as exc:  # a bug must not leave the feed to the safety-net interval
            log.exception("feed %r: poll failed", feed.id, extra={"feed_id": feed.id})
            after = self._failed(feed, dataclasses.replace(before, last_poll=utcnow()),
                                 f"poll failed: {type(exc).__name__}: {exc}", None, "error")
            self._unsaved[feed.id] = after
        metrics.POLL_SECONDS.observe(time.monotonic() - started)
        metrics.FEEDS.update(feed.id, True, after.consecutive_failures)
        if self.health is not None:
            self.health.changed(before, after)
        if self.scheduler.running and after.next_poll is not None:
            with contextlib.suppress(JobLookupError):  # removed meanwhile (shutdown)
                self.scheduler.modify_job(feed.id, next_run_time=after.next_poll)
        return after

    def _load(self, feed: FeedConfig) -> FeedState:
        """The feed's state: the last one we could not save if any, else the stored one."""
        unsaved = self._unsaved.get(feed.id)
        if unsaved is not None:
            return unsaved
        try:
            return self.state.get(feed.id)
        except Exception as exc:
            log.error("feed %r: cannot read the feed state (%s): %s; polling without its "
                      "validators", feed.id, self.state.path, exc, extra={"feed_id": feed.id})
            return FeedState(feed.id)

    def _save(self, feed: FeedConfig, before: FeedState, after: FeedState) -> FeedState:
        """Store ``after``; if the state file cannot be written (disk full), the poll counts
        as failed: it backs off like a fetch error, is reported, and is kept in memory so the
        next poll goes on from it and saves it once the file is writable again."""
        try:
            self.state.put(after)
        except Exception as exc:
            error = f"cannot save the feed state ({self.state.path.name}): {exc}"
            base = dataclasses.replace(after, consecutive_failures=before.consecutive_failures,
                                       failing_since=before.failing_since)
            failed = self._failed(feed, base, error, None, "state_error")
            self._unsaved[feed.id] = failed
            return failed
        self._unsaved.pop(feed.id, None)
        return after

    def _poll(self, feed: FeedConfig, before: FeedState) -> FeedState:
        extra = {"feed_id": feed.id}
        shown_url = redact(feed.url)  # what the state keeps for display: never a credential
        if before.url and before.url != shown_url:  # new URL in the config: start afresh
            before = FeedState(feed.id)
        now = utcnow()
        state = dataclasses.replace(before, url=shown_url, last_poll=now)
        try:
            got = self.fetcher.fetch(feed, before.etag, before.last_modified)
            summary = None
            if got.status == 304 or (got.body_hash and got.body_hash == before.body_hash):
                outcome = "not_modified" if got.status == 304 else "unchanged"
            else:
                outcome = "ok"
                summary = self._ingest(feed, got)
        except FetchError as exc:
            if exc.cancelled:
                return before
            return self._failed(feed, state, str(exc), exc.retry_after, "error")
        except Exception as exc:  # the bus or the seen-store: validators stay, retried later
            log.exception("feed %r: cannot ingest", feed.id, extra=extra)
            return self._failed(feed, state, f"ingest failed: {exc}", None, "error")
        unreadable = summary is not None and not (summary.articles or summary.duplicates)
        if summary is not None and unreadable and summary.warnings:
            return self._failed(feed, state, summary.warnings[0], None, "unreadable")
        delay, why = success_delay(
            feed, self.collect, ttl_secs=summary.ttl_secs if summary else None,
            headers=got.headers, now=now,
        )
        metrics.FEEDS_POLLED.labels(outcome).inc()
        if before.consecutive_failures:
            log.info("feed %r: recovered after %d failures", feed.id,
                     before.consecutive_failures, extra=extra)
        log.info("feed %r: %s, %d new, %d duplicates; next poll in %ds (%s)", feed.id, outcome,
                 summary.articles if summary else 0, summary.duplicates if summary else 0,
                 delay, why, extra=extra)
        return dataclasses.replace(
            state,
            final_url=redact(got.final_url),
            etag=got.headers.get("etag", state.etag if got.status == 304 else ""),
            last_modified=got.headers.get(
                "last-modified", state.last_modified if got.status == 304 else ""
            ),
            body_hash=got.body_hash or state.body_hash,
            last_success=now,
            last_status=got.status,
            consecutive_failures=0,
            failing_since=None,
            last_error="",
            next_poll=self._next(now, delay, feed),
            interval_secs=delay,
            articles_total=state.articles_total + (summary.articles if summary else 0),
            entry_ids=tuple(summary.article_ids[:MAX_ENTRY_IDS]) if summary else state.entry_ids,
        )

    def _ingest(self, feed: FeedConfig, got: Fetched):  # noqa: ANN202
        if self.recorder is not None and feed.record:
            self.recorder.save(feed.id, feed.url, got)
        enrich = None
        if feed.full_text:
            enrich = lambda articles: self.full_text.enrich(feed, articles)  # noqa: E731
        return self.collector.ingest(
            FetchedFeed(feed.id, got.body, got.fetched, got.final_url, got.headers,
                        got.final_url, language=feed.language),
            enrich,
        )

    def _failed(
        self, feed: FeedConfig, state: FeedState, error: str, retry_after: float | None,
        outcome: str,
    ) -> FeedState:
        failures = state.consecutive_failures + 1
        delay, why = failure_delay(feed, self.collect, failures, retry_after)
        now = state.last_poll or utcnow()
        error = redact(error)
        metrics.FEEDS_POLLED.labels(outcome).inc()
        if outcome == "state_error":
            metrics.FEED_STATE_ERRORS.inc()
        else:
            metrics.FETCH_ERRORS.inc()
        log.warning("feed %r (%s): %s; failure %d, next try in %ds (%s)", feed.id, redact(feed.url),
                    error, failures, delay, why, extra={"feed_id": feed.id})
        return dataclasses.replace(
            state,
            consecutive_failures=failures,
            failing_since=state.failing_since or now,
            last_error=error[:500],
            last_status=0,
            next_poll=self._next(now, delay, feed, jitter=why != "retry-after"),
            interval_secs=delay,
        )

    @staticmethod
    def _next(now, delay: int, feed: FeedConfig, jitter: bool = True):  # noqa: ANN001, ANN205
        spread = random.uniform(0, jitter_secs(feed)) if jitter else 0.0
        return now + timedelta(seconds=delay + spread)

    def _schedule(self, feed: FeedConfig, state: FeedState, now: datetime) -> None:
        due = state.next_poll
        first = due if due and due > now else now + timedelta(
            seconds=random.uniform(0, jitter_secs(feed))
        )
        self.scheduler.add_job(
            self.poll if self.shard is None else self._poll_owned, "interval", args=[feed],
            id=feed.id, name=f"feed {feed.id}",
            seconds=max(feed.interval_secs, self.collect.max_backoff_secs),  # safety net
            next_run_time=first, max_instances=1, coalesce=True, misfire_grace_time=None,
            replace_existing=True,
        )
        metrics.FEEDS.update(feed.id, bool(state.last_poll), state.consecutive_failures)

    def add_feeds(self, feeds: list[tuple[FeedConfig, FeedState]]) -> None:
        """Poll these feeds from now on, each from its state (replacing a job it has)."""
        now = utcnow()
        running = self.scheduler.running
        if running:
            self.scheduler.pause()  # one wake-up for the lot, not one per job
        try:
            for feed, state in feeds:
                self._schedule(feed, state, now)
        finally:
            if running:
                self.scheduler.resume()

    def remove_feed(self, feed_id: str) -> None:
        """Stop polling ``feed_id`` (a poll in flight finishes)."""
        with contextlib.suppress(JobLookupError):
            self.scheduler.remove_job(feed_id)
        metrics.FEEDS.forget(feed_id)

    def _poll_owned(self, feed: FeedConfig) -> None:
        assert self.shard is not None
        with self.shard.polling(feed.id) as mine:
            if mine:  # else the feed moved to another collect process meanwhile
                self.poll(feed)

    def start(self) -> None:
        now = utcnow()
        metrics.FEEDS.clear()
        if self.shard is None:
            self.add_feeds([(f, self.state.get(f.id)) for f in self.feeds])
        self.scheduler.add_job(
            self.prune_seen, "interval", id=PRUNE_JOB, name="seen-store prune",
            seconds=PRUNE_INTERVAL_SECS, next_run_time=now, max_instances=1, coalesce=True,
            misfire_grace_time=None, replace_existing=True,
        )
        self.scheduler.start()
        if self.shard is not None:  # feeds are added as the group hands partitions over
            self.shard.start(self, self.all_feeds)

    def ready(self) -> tuple[bool, str]:
        if self.shard is not None:
            return self.shard.ready()
        return True, f"{len(self.feeds)} feeds"

    def reconfigure(self, config: Config) -> None:
        """Apply a new feed list in place (the service calls this on reload); a change of
        ``[collect]`` raises, so the stage is rebuilt instead."""
        if config.collect != self.collect:
            raise ValueError("[collect] changed: the collect stage restarts")
        old = {f.id: f for f in self.feeds}
        self.all_feeds = list(config.feeds)
        self.feeds = [f for f in config.feeds if f.enabled]
        if self.shard is not None:
            self.shard.reconfigure(self.all_feeds)
            return
        new = {f.id: f for f in self.feeds}
        for feed_id in old.keys() - new.keys():
            self.remove_feed(feed_id)
        self.add_feeds([(f, self.state.get(f.id)) for f in self.feeds if old.get(f.id) != f])
        log.info("collect: %d feeds (%d added, %d removed, %d changed)", len(new),
                 len(new.keys() - old.keys()), len(old.keys() - new.keys()),
                 sum(1 for i in new.keys() & old.keys() if new[i] != old[i]))

    def prune_seen(self) -> int:
        """Forget expired title/fingerprint keys (URL, GUID and id keys stay for good)."""
        try:
            pruned = self.collector.seen.prune()
        except Exception:  # a busy or broken store must not stop collection
            log.exception("seen-store: prune failed; next try in %ds", PRUNE_INTERVAL_SECS)
            return 0
        if pruned:
            log.info("seen-store: forgot %d expired title/fingerprint keys", pruned)
        return pruned

    def run(self, stop: threading.Event) -> None:
        self.start()
        stop.wait()
        self.fetcher.cancel()  # fetches in flight end within a quarter second
        if self.shard is not None:
            self.shard.close()  # hands every feed over (their last state written) first
        self.scheduler.shutdown(wait=True)

    def drain(self) -> int:
        """Poll every enabled feed once now (per-host limit applies; sharded or not: every
        feed of the config), then return."""
        with Pool(self.collect.max_workers) as pool:
            list(pool.map(self.poll, self.feeds))
        return len(self.feeds)

    def close(self) -> None:
        try:
            if self.shard is not None:
                self.shard.close()
            if self.scheduler.running:
                self.scheduler.shutdown(wait=True)
            self.fetcher.close()
            self.collector.close()
            self.state.close()
        finally:
            if self.lock is not None:
                self.lock.__exit__(None, None, None)
