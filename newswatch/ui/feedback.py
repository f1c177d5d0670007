"""Feedback actions on one match, from a button in the UI or a one-click link in a message.

``relevant`` confirms the labels the match was flagged with (and those its watch asks for);
``not_relevant`` says no label applies; ``not_raid`` / ``not_group`` deny one label. Each writes
one complete example into the user corpus that ``newswatch train`` reads (through
``classifiers.feedback.record_feedback``) and asks for a background retrain. ``mute`` mutes the
match's story in the ledger: the alert stage records its later matches as muted, never sent.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from newswatch.links import ACTIONS
from newswatch.ui.context import UiContext
from newswatch.ui.index import Row

log = logging.getLogger("newswatch.ui")

DENIES = {"not_raid": ["cross_border_raid"], "not_group": ["armed_group"]}


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str


def _labels(ctx: UiContext, row: Row, action: str) -> tuple[list[str], list[str]]:
    from classifiers.model import LABELS

    if action == "not_relevant":
        return [], list(LABELS)
    if action in DENIES:
        return [], DENIES[action]
    flagged = [lb for lb, score in row.card["labels"] if score >= 0.5]
    names = {name for name, _ in row.watches}
    wanted = [lb for w in ctx.config().watches if w.name in names for lb in w.labels]
    return [lb for lb in LABELS if lb in flagged or lb in wanted], []


def apply(ctx: UiContext, match_id: str, action: str, via: str, user: str) -> Outcome:
    if action not in ACTIONS:
        return Outcome(False, f"unknown action {action!r}")
    ctx.sync()
    row = ctx.index.get(match_id)
    if row is None:
        return Outcome(False, "this match is not in the ledger (any more)")
    now = time.time()
    if action == "mute":
        story = ctx.ledger.story_of(match_id) or row.story_id
        ctx.ledger.mute(story, f"muted by {user} via the web UI ({via})")
        ctx.index.add_feedback(row, action, now, via, user)
        log.info("story %s muted by %s via %s", story, user, via)
        return Outcome(True, "Story muted: its later reports are recorded (see the story page) "
                       "but not sent.")
    last = ctx.index.feedback_of(row.article_id)
    if last and last[0][0] == action:
        return Outcome(True, f"Already recorded: {ACTIONS[action]}.")
    labels, nots = _labels(ctx, row, action)
    if not labels and not nots:
        ctx.index.add_feedback(row, action, now, via, user, "no model label to confirm")
        return Outcome(True, "Recorded as relevant (the match carries no model label, so the "
                       "training corpus is unchanged).")
    from classifiers.feedback import FeedbackError, record_feedback

    try:
        path, entry = record_feedback(ctx.config(), row.article_id, labels, nots,
                                      title=row.title, summary=row.card.get("summary", ""))
    except FeedbackError as exc:
        return Outcome(False, str(exc))
    ctx.index.add_feedback(row, action, now, via, user, f"corpus labels: {entry['labels']}")
    ctx.retrainer.request()
    log.info("feedback %s on article %s by %s via %s", action, row.article_id, user, via)
    return Outcome(True, f"Recorded: {ACTIONS[action]}. The article is now an example in the "
                   f"user corpus with labels {entry['labels'] or 'none'}; the model retrains "
                   "in the background.")
