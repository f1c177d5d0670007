"""The classify stage: articles topic -> (batched analysis, watches) -> matches topic.

Between batches the stage picks up a retrained model and an edited user groups file (see
:mod:`classifiers.hotswap`); ``[[groups]]`` and ``[classifier]`` edits rebuild it (hot reload).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

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
        self.refresher: Any = None  # classifiers.hotswap.Refresher, set by build_stage

    def _refresh(self) -> None:
        if self.refresher is not None:
            self.refresher.check()

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
        self._refresh()
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
        consume(self.consumer, self._handle, stop, batch_size=self.batch_size,
                on_idle=self._refresh)

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


def build_analyzer(config: Config, gazetteer: Any = None) -> Analyzer:
    """The configured analyzer: the model (built on first use) with the bundled and the user's
    groups, or none for keyword setups."""
    if config.classifier.kind == "keywords":
        return NoAnalysis()
    from classifiers.analyzer import ModelAnalyzer
    from classifiers.defaults import ensure_predictor
    from classifiers.gazetteer import gazetteer_for

    model, meta = ensure_predictor(config)
    return ModelAnalyzer(model, meta, gazetteer=gazetteer or gazetteer_for(config))


def build_stage(config: Config, bus: Bus) -> ClassifyStage:
    from classifiers.defaults import model_dir
    from classifiers.gazetteer import gazetteer_for
    from classifiers.hotswap import Refresher
    from classifiers.rules import build_watches
    from classifiers.usergroups import groups_file

    gazetteer = gazetteer_for(config)  # GroupsError names every bad or colliding alias
    analyzer = build_analyzer(config, gazetteer)

    def watches_for(gaz: Any, labels: list[str]) -> list[Watch]:
        return list(build_watches(config.watches, known_groups=gaz.groups, known_labels=labels))

    keywords_only = isinstance(analyzer, NoAnalysis)
    stage = ClassifyStage(
        bus, config.bus.topic(ARTICLES), config.bus.topic(MATCHES),
        watches_for(gazetteer, [] if keywords_only else getattr(analyzer, "labels", [])),
        analyzer, group=config.bus.group("classify"), batch_size=config.classifier.batch_size,
    )
    stage.refresher = Refresher(
        stage, None if keywords_only else model_dir(config), groups_file(config),
        lambda: gazetteer_for(config), watches_for,
        check_secs=config.service.reload_check_secs,
    )
    return stage
