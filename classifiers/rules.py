"""Watch rules from config: keywords (any/all/none) with case and accent folding."""

from __future__ import annotations

import re
import unicodedata

from classifiers.base import Evidence
from newswatch.config.watches import WatchConfig
from newswatch.models import Article, LabelScore, Match


def fold(text: str) -> str:
    """Lower-case and strip accents, so 'Kursk', 'KURSK' and 'Kúrsk' compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _pattern(term: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(fold(term))}(?!\w)")


class KeywordWatch:
    def __init__(self, config: WatchConfig):
        self.config = config
        self.name = config.name
        kw = config.keywords
        self._any = [(t, _pattern(t)) for t in kw.any]
        self._all = [(t, _pattern(t)) for t in kw.all]
        self._none = [(t, _pattern(t)) for t in kw.none]

    def match(self, article: Article, evidence: Evidence) -> Match | None:
        if not (self._any or self._all):
            return None
        text = fold(article.text)
        if any(p.search(text) for _, p in self._none):
            return None
        if not all(p.search(text) for _, p in self._all):
            return None
        hits = [t for t, p in self._any if p.search(text)]
        if self._any and not hits:
            return None
        reasons = [f"keyword {t!r}" for t in hits] + [f"all-of {t!r}" for t, _ in self._all]
        return Match(
            article=article,
            watch=self.name,
            score=1.0,
            labels=tuple(LabelScore(k, v) for k, v in sorted(evidence.labels.items())),
            groups=evidence.groups,
            candidates=evidence.candidates,
            reasons=tuple(reasons) + evidence.reasons,
            severity=self.config.severity,
            model_version=evidence.model_version,
        )
