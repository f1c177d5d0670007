"""Story detection: near-duplicate reports of one event (token-set Jaccard plus marks).

Several outlets writing about one event use many of the same content words. A report joins the
most similar recent story if its title or title+summary token set overlaps one of the story's
reports by at least the threshold *and* its marks (:mod:`alerts.marks`: places, groups, numbers
of dead, dates) conflict neither with that report nor with the story's first report; otherwise it
starts a new story. Tokens are lower-cased words of 3+ letters minus stop words, folded so
"floods"/"flooded"/"flood" agree.

A story is compared through a bounded set of its reports: the first and up to ``members`` - 1
differently worded ones (:class:`StoryIndex`). A war story with 10,000 reports costs what one
with 32 does (``bench/bench_story.py``).
"""

from __future__ import annotations

from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass, field

from alerts.marks import WORD, conflict, fold, match_marks
from newswatch.models import Match

_STOP_WORDS = """
    the and for with from that this have has had was were are been into over after before
    about their they them its his her our who what when where which while will would could
    should than then there these those also says said say more most some such only other new
    news report reports reported update updates live latest just not but out off per via"""
STOP = frozenset(_STOP_WORDS.split())
MARKS_SEP = "\t"


def tokens(text: str) -> frozenset[str]:
    return frozenset(fold(w) for w in WORD.findall(text.lower()) if w not in STOP)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    title: frozenset[str]
    full: frozenset[str]
    marks: frozenset[str] = frozenset()

    @classmethod
    def of(cls, match: Match) -> Fingerprint:
        article = match.article
        summary = " ".join(article.summary.split()[:60])
        title = tokens(article.title)
        return cls(title, title | tokens(summary), match_marks(match, article.title, summary))

    def similarity(self, other: Fingerprint) -> float:
        return max(jaccard(self.title, other.title), jaccard(self.full, other.full))

    def conflict(self, other: Fingerprint) -> str | None:
        """Why the two reports are distinct events whatever their words say, or None."""
        return conflict(self.marks, other.marks, self.full, other.full)

    def encode(self) -> str:
        return (" ".join(sorted(self.title)) + "|" + " ".join(sorted(self.full - self.title))
                + "|" + MARKS_SEP.join(sorted(self.marks)))

    @classmethod
    def decode(cls, text: str) -> Fingerprint:
        title, _, rest = text.partition("|")
        rest, _, marks = rest.partition("|")  # ledgers written before marks have none
        t = frozenset(title.split())
        return cls(t, t | frozenset(rest.split()), frozenset(filter(None, marks.split(MARKS_SEP))))


@dataclass
class _Story:
    first: Fingerprint
    last_seen: float
    # Representatives after the first, least recently matched first (an LRU of wordings).
    recent: OrderedDict[int, Fingerprint] = field(default_factory=OrderedDict)
    counts: Counter = field(default_factory=Counter)  # token -> representatives holding it
    added: int = 0

    def representatives(self) -> list[Fingerprint]:
        return [self.first, *self.recent.values()]


@dataclass
class StoryIndex:
    """Recent stories in memory with an inverted index (token -> stories) for candidates.

    Each story keeps its first report and up to ``members`` - 1 more *representatives*: a report
    worded like one already kept (similarity >= ``novelty``) refreshes that one; a report worded
    differently is kept, pushing out the least recently refreshed. ``members = None`` keeps every
    report (the unbounded reference of ``bench/bench_story.py``). Deterministic in report order,
    so the ledger rebuilds the same index after a restart.
    """

    threshold: float
    window_secs: float
    members: int | None = 32
    novelty: float = 0.75
    _stories: dict[str, _Story] = field(default_factory=dict)
    _by_token: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def _index(self, sid: str, story: _Story, fp: Fingerprint, step: int) -> None:
        for tok in fp.full:
            story.counts[tok] += step
            if story.counts[tok] <= 0:
                del story.counts[tok]
                self._by_token[tok].discard(sid)
            else:
                self._by_token[tok].add(sid)

    def add(self, story_id: str, fp: Fingerprint, last_seen: float) -> None:
        """Record one more report of ``story_id``."""
        story = self._stories.get(story_id)
        if story is None:
            self._stories[story_id] = _Story(fp, last_seen)
            self._index(story_id, self._stories[story_id], fp, +1)
            return
        story.last_seen = max(story.last_seen, last_seen)
        story.added += 1
        if self.members is not None:
            best, score = None, fp.similarity(story.first)
            for key, other in story.recent.items():
                s = fp.similarity(other)
                if s > score:
                    best, score = key, s
            if score >= self.novelty:  # nothing new in its wording: refresh the one it is like
                if best is not None:
                    story.recent.move_to_end(best)
                return
            if len(story.recent) >= self.members - 1:
                if self.members <= 1:
                    return
                _, old = story.recent.popitem(last=False)
                self._index(story_id, story, old, -1)
        story.recent[story.added] = fp
        self._index(story_id, story, fp, +1)

    def find(self, fp: Fingerprint, now: float) -> str | None:
        # Count shared tokens per story: a story whose representatives together share fewer
        # than threshold * |tokens| with this report cannot reach the threshold with any one.
        full, title = Counter(), Counter()
        for tok in fp.full:
            for sid in self._by_token.get(tok, ()):
                full[sid] += 1
                if tok in fp.title:
                    title[sid] += 1
        need_full, need_title = self.threshold * len(fp.full), self.threshold * len(fp.title)
        best, best_score = None, 0.0
        for sid in sorted(full):
            if full[sid] < need_full and title[sid] < need_title:
                continue
            story = self._stories[sid]
            if now - story.last_seen > self.window_secs:
                continue
            if story.first.marks and fp.conflict(story.first):
                continue
            for other in story.representatives():
                score = fp.similarity(other)
                if score >= self.threshold and score > best_score and not fp.conflict(other):
                    best, best_score = sid, score
        return best

    def expire(self, now: float) -> None:
        old = [s for s, st in self._stories.items() if now - st.last_seen > self.window_secs]
        for sid in old:
            story = self._stories.pop(sid)
            for tok in story.counts:
                self._by_token[tok].discard(sid)
