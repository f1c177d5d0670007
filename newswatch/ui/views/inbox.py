"""The inbox (recent matches, newest first, filtered, searched, paged by cursor) and the page of
one match (everything about it, its score under the current model, its feedback history)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from newswatch.config.routing import SEVERITIES
from newswatch.ui.context import UiContext
from newswatch.ui.index import Filters, Row
from newswatch.ui.web import page, route

FEEDBACK_STATES = {"none": "no feedback yet", "relevant": "marked relevant",
                   "not_relevant": "marked not relevant", "not_raid": "marked not a raid",
                   "not_group": "marked not an armed group", "mute": "story muted"}


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def cards(ctx: UiContext, rows: list[Row]) -> dict:
    """What the card template needs beside the rows: the fate of each row's matches on each
    route (keyed by the row's first match id) and which stories are muted."""
    members = ctx.index.members([r.seq for r in rows])
    fates = ctx.ledger.fates([mid for ids in members.values() for mid in ids])
    per_row = {r.match_id: [f for mid in members[r.seq] for f in fates.get(mid, [])]
               for r in rows}
    return {"fates": per_row, "muted": ctx.ledger.muted(sorted({r.story_id for r in rows}))}


def inbox(request: Request) -> Response:
    ctx: UiContext = request.app.state.ctx
    cfg = ctx.config()
    f = Filters.from_params(request.query_params)
    before = _int(request.query_params.get("before"))
    after = _int(request.query_params.get("after"))
    ctx.sync()
    rows, more = ctx.index.page(f, before, after, cfg.ui.page_size)
    total, capped = ctx.index.count(f)
    facets = ctx.facets()
    watches = sorted({w.name for w in cfg.watches} | {v for v, _, _ in facets["watch"]})
    feeds = {fc.id: fc.title or fc.id for fc in cfg.feeds}
    feeds.update({v: name for v, name, _ in facets["feed"]})
    choices = {
        "watch": [(w, w) for w in watches],
        "label": [(lb, lb) for lb in ctx.labels()],
        "group": [(v, f"{v} ({n})") for v, _, n in facets["group"]],
        "place": [(v, f"{name} ({n})") for v, name, n in facets["place"]],
        "feed": sorted(feeds.items(), key=lambda kv: kv[1].lower()),
        "severity": [(s, s) for s in SEVERITIES],
        "feedback": list(FEEDBACK_STATES.items()),
    }
    newer = older = None
    if rows:
        older = rows[-1].seq if (more or after is not None) else None
        newer = rows[0].seq if (before is not None or (after is not None and more)) else None
    return page(request, "inbox.html", {
        "rows": rows, "filters": f, "choices": choices, "total": total, "capped": capped,
        "older": older, "newer": newer, "params": f.params(), "paged": before or after,
        **cards(ctx, rows),
    })


def match(request: Request) -> Response:
    ctx: UiContext = request.app.state.ctx
    match_id = request.path_params["match_id"]
    ctx.sync()
    row = ctx.index.get(match_id)
    if row is None:
        return page(request, "error.html", {"title": "Not found", "message":
                    "No match with this id in the ledger."}, 404)
    now = ctx.model.scores(f"{row.title}\n{row.card.get('summary', '')}")
    return page(request, "match.html", {
        "row": row, "current": now, "history": ctx.index.feedback_of(row.article_id),
        "others": [r for r in ctx.index.rows(ctx.ledger.story_matches(row.story_id))
                   if r.match_id != row.match_id][:20],
        **cards(ctx, [row]),
    })


routes = [route("/", inbox), route("/match/{match_id}", match)]
