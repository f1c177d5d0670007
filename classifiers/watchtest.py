"""``newswatch test-watch ARTICLE.json``: which watches match one article, and why (not)."""

from __future__ import annotations

import json
from pathlib import Path

from classifiers.rules import RuleWatch, build_watches
from newswatch.config import Config
from newswatch.models import Article, stable_id

FIELDS = ("title", "summary", "content", "feed_id", "url", "language", "id")


class WatchTestError(ValueError):
    pass


def read_article(path: str) -> Article:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise WatchTestError(f"{path}: cannot read: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise WatchTestError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    if isinstance(doc, dict) and doc.get("type") == "article" and "data" in doc:
        doc = doc["data"]  # a serialised Article from the bus
    if not isinstance(doc, dict) or not isinstance(doc.get("title"), str):
        raise WatchTestError(f"{path}: expected a JSON object with a 'title'")
    unknown = sorted(set(doc) - set(FIELDS) - {"published", "fetched", "authors", "guid",
                                               "tags", "source", "also_seen_in"})
    if unknown:
        raise WatchTestError(f"{path}: unknown field(s) {unknown}; use {list(FIELDS)}")
    return Article(
        id=doc.get("id") or stable_id("test-watch", doc["title"]),
        feed_id=doc.get("feed_id", "test"), url=doc.get("url", ""), title=doc["title"],
        summary=doc.get("summary", ""), content=doc.get("content", ""),
        language=doc.get("language"),
    )


def test_watch(config: Config, path: str) -> tuple[list[str], bool]:
    from classifiers.gazetteer import gazetteer_for
    from classifiers.stage import NoAnalysis, build_analyzer

    article = read_article(path)
    try:
        gazetteer = gazetteer_for(config)
        analyzer = build_analyzer(config, gazetteer)
        labels = None if isinstance(analyzer, NoAnalysis) else analyzer.labels
        watches: list[RuleWatch] = build_watches(config.watches, gazetteer.groups,
                                                 labels if labels is not None else [])
    except ValueError as exc:
        raise WatchTestError(str(exc)) from None
    evidence = analyzer.analyze([article])[0]
    lines = [f"article: {article.title}"]
    if evidence.labels:
        lines.append("labels: " + ", ".join(f"{k} {v:.2f}" for k, v in evidence.labels.items())
                     + "  (0.5 = model threshold)")
    lines.append(f"groups: {', '.join(evidence.groups) or '-'}; "
                 f"candidates: {', '.join(evidence.candidates) or '-'}")
    any_match = False
    for watch in watches:
        match, why_not = watch.check(article, evidence)
        if match is None:
            lines.append(f"[ ] {watch.name}: no match: {why_not}")
            continue
        any_match = True
        lines.append(f"[x] {watch.name}: match, score {match.score:.2f}, severity "
                     f"{match.severity}")
        lines.extend(f"      - {r}" for r in match.reasons)
    if not watches:
        lines.append("no watches configured")
    return lines, any_match
