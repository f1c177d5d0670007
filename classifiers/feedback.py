"""User feedback: ``newswatch label ARTICLE_ID --label X | --not X`` -> the user corpus.

The article text is looked up among the articles on the bus (or given with --title/--summary).
Labels the user did not mention keep the current model's decision, so each entry is a complete
example in the corpus format and ``newswatch train`` can use it as is.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from classifiers.base import LABELS
from newswatch import serde
from newswatch.bus import BusError, open_bus
from newswatch.config import Config
from newswatch.models import Article
from newswatch.stage import ARTICLES


class FeedbackError(ValueError):
    pass


def find_article(config: Config, article_id: str, timeout_secs: float = 1.0) -> Article | None:
    """Scan the articles topic (with a throw-away consumer group) for ``article_id``."""
    url = config.bus_url()
    options = config.bus.kafka.model_dump() if url.startswith("kafka://") else {}
    found = None
    with open_bus(url, **options) as bus:
        consumer = bus.consumer(f"newswatch-label-{uuid.uuid4().hex[:8]}",
                                [config.bus.topic(ARTICLES)])
        try:
            consumer.seek_to_beginning()
            while batch := consumer.poll(max_records=1000, timeout_secs=timeout_secs):
                for record in batch:
                    if record.key == article_id or article_id.encode() in record.value:
                        try:
                            article = serde.loads(record.value, Article)
                        except serde.SerdeError:
                            continue
                        if article.id == article_id:
                            found = article  # keep the latest copy
        finally:
            consumer.close()
    return found


def record_feedback(
    config: Config, article_id: str, labels: Sequence[str], nots: Sequence[str],
    title: str | None = None, summary: str = "",
) -> tuple[Path, dict[str, Any]]:
    from classifiers.analyzer import ModelAnalyzer
    from classifiers.defaults import ensure_predictor, user_corpus_path

    unknown = sorted(lb for lb in {*labels, *nots} if lb not in LABELS)
    if unknown:
        raise FeedbackError(f"unknown label(s) {unknown}; known: {list(LABELS)}")
    if not labels and not nots:
        raise FeedbackError("give at least one --label LABEL or --not LABEL")
    both = set(labels) & set(nots)
    if both:
        raise FeedbackError(f"label(s) {sorted(both)} given with both --label and --not")
    lang = "en"
    if title is None:
        try:
            article = find_article(config, article_id)
        except BusError as exc:
            raise FeedbackError(f"cannot read articles from the bus: {exc}") from None
        if article is None:
            raise FeedbackError(
                f"article {article_id!r} not found on the bus; give its text with --title "
                "(and --summary)"
            )
        title, summary, lang = article.title, article.summary, article.language or "en"
    model, meta = ensure_predictor(config)
    evidence = ModelAnalyzer(model, meta).analyze_texts([f"{title}\n{summary}"])[0]
    final = [lb for lb in LABELS if lb in labels or (evidence.labels[lb] >= 0.5 and lb not in nots)]
    entry = {
        "id": f"user-{article_id}", "title": title, "summary": summary, "labels": final,
        "groups": list(evidence.groups), "lang": lang,
        "feedback": {"label": list(labels), "not": list(nots)},
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    path = user_corpus_path(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry, ensure_ascii=False) + "\n")
        f.flush()
        os.fsync(f.fileno())
    return path, entry
