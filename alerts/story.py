"""Story detection: near-duplicate reports (token-set Jaccard on title and summary).

Several outlets writing about one event use many of the same content words. A report joins the
most similar recent story if its title or title+summary token set overlaps it by at least the
threshold; otherwise it starts a new story. Tokens are lower-cased words of 3+ letters minus
stop words, with a crude plural/tense fold so "floods"/"flooded"/"flood" agree.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from newswatch.models import Article

_WORD = re.compile(r"[^\W\d_]{3,}|\d{2,}", re.UNICODE)
_STOP_WORDS = """
    the and for with from that this have has had was were are been into over after before
    about their they them its his her our who what when where which while will would could
    should than then there these those also says said say more most some such only other new
    news report reports reported update updates live latest just not but out off per via"""
STOP = frozenset(_STOP_WORDS.split())


def _fold(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def tokens(text: str) -> frozenset[str]:
    return frozenset(_fold(w) for w in _WORD.findall(text.lower()) if w not in STOP)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    title: frozenset[str]
    full: frozenset[str]

    @classmethod
    def of(cls, article: Article) -> Fingerprint:
        summary = " ".join(article.summary.split()[:60])
        title = tokens(article.title)
        return cls(title, title | tokens(summary))

    def similarity(self, other: Fingerprint) -> float:
        return max(jaccard(self.title, other.title), jaccard(self.full, other.full))

    def encode(self) -> str:
        return " ".join(sorted(self.title)) + "|" + " ".join(sorted(self.full - self.title))

    @classmethod
    def decode(cls, text: str) -> Fingerprint:
        title, _, rest = text.partition("|")
        t = frozenset(title.split())
        return cls(t, t | frozenset(rest.split()))


@dataclass
class StoryIndex:
    """Recent stories in memory with an inverted index for candidate lookup."""

    threshold: float
    window_secs: float
    _stories: dict[str, tuple[list[Fingerprint], float]] = field(default_factory=dict)
    _by_token: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def add(self, story_id: str, fp: Fingerprint, last_seen: float) -> None:
        """Record one more report of ``story_id`` (a story matches if any report does)."""
        members, seen = self._stories.get(story_id, ([], 0.0))
        members.append(fp)
        self._stories[story_id] = (members, max(seen, last_seen))
        for tok in fp.full:
            self._by_token[tok].add(story_id)

    def find(self, fp: Fingerprint, now: float) -> str | None:
        candidates: set[str] = set()
        for tok in fp.full:
            candidates |= self._by_token.get(tok, set())
        best, best_score = None, 0.0
        for sid in sorted(candidates):
            members, last_seen = self._stories[sid]
            if now - last_seen > self.window_secs:
                continue
            score = max(fp.similarity(other) for other in members)
            if score >= self.threshold and score > best_score:
                best, best_score = sid, score
        return best

    def expire(self, now: float) -> None:
        old = [s for s, (_, seen) in self._stories.items() if now - seen > self.window_secs]
        for sid in old:
            members, _ = self._stories.pop(sid)
            for fp in members:
                for tok in fp.full:
                    self._by_token[tok].discard(sid)
