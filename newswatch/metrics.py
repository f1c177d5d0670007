"""Prometheus metrics shared by every stage (exposed on /metrics by the service).

Stages increment these directly. Label values are outcomes, watch names, label names and channel
names from config, never article ids, and never feed ids: with 10,000 feeds per-feed series made
a scrape cost grow with the feed list. Per-feed health is in ``newswatch feeds`` (and the
feed-health alerts); here there are counts by status and the few worst feeds only.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from newswatch.feedboard import FeedBoard

FEEDS_POLLED = Counter("newswatch_feeds_polled_total", "Feed polls by outcome", ["outcome"])
FETCH_ERRORS = Counter("newswatch_fetch_errors_total", "Failed feed polls")
ARTICLES_PUBLISHED = Counter("newswatch_articles_published_total", "New articles")
ARTICLES_DUPLICATE = Counter("newswatch_articles_duplicate_total", "Duplicates")
FEED_WARNINGS = Counter("newswatch_feed_warnings_total", "Parse warnings")
FEED_STATE_ERRORS = Counter(
    "newswatch_feed_state_errors_total", "Polls whose feed state could not be saved"
)
POLL_SECONDS = Histogram(
    "newswatch_feed_poll_seconds", "Time to fetch, parse and publish one feed",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
POLL_LATENESS = Histogram(
    "newswatch_feed_poll_lateness_seconds",
    "How long after its planned time a feed was polled (grows when collect falls behind)",
    buckets=(0.1, 1, 5, 15, 30, 60, 120, 300, 900, 3600),
)
FEEDS = FeedBoard()  # newswatch_feeds{status} and newswatch_feed_consecutive_failures{feed}
COLLECT_PARTITIONS = Gauge(
    "newswatch_collect_partitions", "Partitions of the feeds topic this collect process owns"
)
COLLECT_FEEDS = Gauge("newswatch_collect_feeds", "Feeds this collect process polls now")

CLASSIFY_BATCH_SECONDS = Histogram(
    "newswatch_classify_batch_seconds", "Time to classify one batch",
    buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
CLASSIFY_BATCH_SIZE = Histogram(
    "newswatch_classify_batch_size", "Articles per classify batch",
    buckets=(1, 8, 32, 64, 128, 256, 512, 1024),
)
ARTICLES_CLASSIFIED = Counter("newswatch_articles_classified_total", "Articles classified")
MATCHES = Counter("newswatch_matches_total", "Matches", ["watch", "label"])

ALERTS_SENT = Counter("newswatch_alerts_sent_total", "Alerts delivered", ["channel"])
ALERTS_FAILED = Counter("newswatch_alerts_failed_total", "Failed delivery attempts", ["channel"])
ALERTS_DEAD = Counter("newswatch_alerts_dead_lettered_total", "Alerts dead-lettered", ["channel"])
ALERTS_REDRIVEN = Counter(
    "newswatch_alerts_redriven_total", "Dead letters re-queued when the channel answered again",
    ["channel"],
)
CHANNEL_PROBES = Counter(
    "newswatch_channel_probes_total", "Dead letters re-sent to probe a channel", ["channel"]
)
CHANNEL_UP = Gauge(
    "newswatch_channel_up", "1 after a confirmed delivery, 0 after a retryable failure",
    ["channel"],
)
# What became of each (match, route): alerted | follow_up (own message) | grouped | suppressed |
# muted | no_route; and each alert on a channel that was not sent at once: quiet_hours |
# rate_limited | digested | merged.
ALERT_MATCHES = Counter("newswatch_alert_matches_total", "Matches by disposition",
                        ["disposition"])
ALERT_DEFERRED = Counter("newswatch_alert_deliveries_deferred_total",
                         "Alert deliveries not sent at once, by reason", ["reason", "channel"])

CONSUMER_LAG = Gauge("newswatch_consumer_lag", "Records behind the log end", ["group", "topic"])

# Service (newswatch/service/): stage supervision and config reloads.
STAGE_UP = Gauge("newswatch_stage_up", "1 while the stage runs, 0 while down", ["stage"])
STAGE_RESTARTS = Counter("newswatch_stage_restarts_total", "Stage restarts", ["stage", "reason"])
CONFIG_RELOADS = Counter("newswatch_config_reloads_total", "Config reloads", ["outcome"])
BUS_UP = Gauge("newswatch_bus_up", "1 if the last bus probe succeeded")
