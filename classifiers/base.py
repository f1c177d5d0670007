"""Interfaces of the classify stage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from newswatch.models import Article, Match, Place

# The labels the classifier learns (model columns, corpus labels, watch ``labels`` keys).
LABELS = ("cross_border_raid", "armed_group")


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the models found in one article, shared by every watch that looks at it."""

    labels: dict[str, float]
    groups: tuple[str, ...] = ()
    candidates: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    model_version: str = ""
    places: tuple[Place, ...] = ()


class Analyzer(Protocol):
    """Batch analysis of articles (a model, a gazetteer or both)."""

    def analyze(self, articles: Sequence[Article]) -> list[Evidence]: ...


class Watch(Protocol):
    name: str

    def match(self, article: Article, evidence: Evidence) -> Match | None: ...
