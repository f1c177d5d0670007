"""One story: every report of it (all outlets, follow-ups, grouped, suppressed or muted ones
with their reason) and the alerts it produced, with their delivery state per channel."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from newswatch.ui.context import UiContext
from newswatch.ui.views.inbox import cards
from newswatch.ui.web import flash, page, post, redirect, route


def story(request: Request) -> Response:
    ctx: UiContext = request.app.state.ctx
    story_id = request.path_params["story_id"]
    ctx.sync()
    rows = ctx.index.rows(ctx.ledger.story_matches(story_id))
    if not rows:
        return page(request, "error.html", {"title": "Not found",
                    "message": "No story with this id in the ledger."}, 404)
    alerts = ctx.ledger.story_alerts(story_id)
    outlets = sorted({r.feed for r in rows} | {o for r in rows for o in r.card.get("also", [])})
    return page(request, "story.html", {
        "story_id": story_id, "rows": rows, "alerts": alerts, "outlets": outlets,
        "deliveries": ctx.ledger.deliveries([a.id for a in alerts]),
        "muted_story": ctx.ledger.muted([story_id]).get(story_id), **cards(ctx, rows),
    })


def unmute(request: Request, form: FormData) -> Response:
    ctx: UiContext = request.app.state.ctx
    story_id = request.path_params["story_id"]
    if ctx.ledger.unmute(story_id):
        flash(request, "Story unmuted: its next reports are alerted again.")
    return redirect(f"/story/{story_id}")


routes = [route("/story/{story_id}", story),
          route("/story/{story_id}/unmute", post(unmute), ["POST"])]
