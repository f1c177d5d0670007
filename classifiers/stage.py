"""The classify stage: articles topic -> (batched analysis, watches) -> matches topic."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence

from classifiers.base import Analyzer, Evidence, Watch
from newswatch import metrics, serde
from newswatch.bus import Bus, Record, consume
from newswatch.config import Config
from newswatch.models import Article, Match
from newswatch.stage import ARTICLES, MATCHES

log = logging.getLogger("newswatch.classify")


class NoAnalysis:
    """Analyzer for keyword-only setups: no model labels, no groups."""

    def analyze(self, articles: Sequence[Article]) -> list[Evidence]:
        return [Evidence(labels={}) for _ in articles]


class ClassifyStage:
    name = "classify"

    def __init__(
        self,
        bus: Bus,
        articles_topic: str,
        matches_topic: str,
        watches: Sequence[Watch],
        analyzer: Analyzer | None = None,
        group: str = "newswatch-classify",
        batch_size: int = 256,
    ):
        self.bus, self.matches_topic = bus, matches_topic
        self.watches, self.analyzer = list(watches), analyzer or NoAnalysis()
        self.batch_size = batch_size
        self.consumer = bus.consumer(group, [articles_topic])
        self.matched = 0

    def classify(self, articles: Sequence[Article]) -> list[Match]:
        if not articles:
            return []
        started = time.perf_counter()
        matches = []
        for article, evidence in zip(articles, self.analyzer.analyze(articles), strict=True):
            for watch in self.watches:
                match = watch.match(article, evidence)
                if match is not None:
                    matches.append(match)
                    flagged = [lb for lb, s in evidence.labels.items() if s >= 0.5] or ["none"]
                    for label in flagged:
                        metrics.MATCHES.labels(watch=watch.name, label=label).inc()
                    log.debug("match %s", watch.name, extra={"article_id": article.id})
        metrics.CLASSIFY_BATCH_SECONDS.observe(time.perf_counter() - started)
        metrics.CLASSIFY_BATCH_SIZE.observe(len(articles))
        metrics.ARTICLES_CLASSIFIED.inc(len(articles))
        return matches

    def _handle(self, batch: list[Record]) -> None:
        articles = []
        for record in batch:
            try:
                articles.append(serde.loads(record.value, Article))
            except serde.SerdeError as exc:
                log.error(
                    "skipping undecodable article at %s@%d: %s", record.topic, record.offset, exc
                )
        for match in self.classify(articles):
            self.bus.publish(self.matches_topic, match.article.id, serde.dumps(match))
            self.matched += 1
        self.bus.flush()  # matches are durable before the articles are committed

    def run(self, stop: threading.Event) -> None:
        consume(self.consumer, self._handle, stop, batch_size=self.batch_size)

    def drain(self) -> int:
        return consume(
            self.consumer,
            self._handle,
            threading.Event(),
            batch_size=self.batch_size,
            poll_timeout_secs=0.2,
            until_idle=True,
        )

    def close(self) -> None:
        self.consumer.close()


def build_analyzer(config: Config) -> Analyzer:
    """The configured analyzer: the model (built on first use) or none for keyword setups."""
    if config.classifier.kind == "keywords":
        return NoAnalysis()
    from classifiers.analyzer import ModelAnalyzer
    from classifiers.defaults import ensure_model

    model, meta = ensure_model(config)
    return ModelAnalyzer(model, meta)


def build_stage(config: Config, bus: Bus) -> ClassifyStage:
    from classifiers.gazetteer import gazetteer_for
    from classifiers.rules import build_watches

    analyzer = build_analyzer(config)
    watches = build_watches(
        config.watches,
        known_groups=gazetteer_for(config).groups,
        known_labels=[] if isinstance(analyzer, NoAnalysis) else getattr(analyzer, "labels", None),
    )
    return ClassifyStage(
        bus, config.bus.topic(ARTICLES), config.bus.topic(MATCHES), watches, analyzer,
        group=config.bus.group("classify"), batch_size=config.classifier.batch_size,
    )
