"""Feedback: the buttons on every match, and the one-click links of emails and chat messages.

A link (``/act/<token>``) is signed and expires; opening it (GET) only shows what it would do
and a confirmation button, so mail scanners that follow links change nothing. The POST from
that page (with its CSRF token) applies the action.
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from newswatch.links import ACTIONS, LinkError
from newswatch.ui import feedback
from newswatch.ui.context import UiContext
from newswatch.ui.web import flash, page, post, redirect, route


def act_on_match(request: Request, form: FormData) -> Response:
    ctx: UiContext = request.app.state.ctx
    match_id = request.path_params["match_id"]
    outcome = feedback.apply(ctx, match_id, str(form.get("action", "")), "page",
                             request.state.user)
    flash(request, outcome.message, outcome.ok)
    return redirect(str(form.get("next") or f"/match/{match_id}"))


def _verify(request: Request) -> tuple[str, str] | Response:
    ctx: UiContext = request.app.state.ctx
    try:
        return ctx.links().verify(request.path_params["token"])
    except LinkError as exc:
        return page(request, "error.html", {"title": "Link not valid", "message":
                    f"{str(exc).capitalize()}. Nothing was changed. Open the match in newswatch "
                    "and give the feedback there."}, 400)


def confirm(request: Request) -> Response:
    ctx: UiContext = request.app.state.ctx
    verified = _verify(request)
    if isinstance(verified, Response):
        return verified
    action, match_id = verified
    ctx.sync()
    return page(request, "confirm.html", {"action": action, "label": ACTIONS[action],
                                          "row": ctx.index.get(match_id), "done": None})


def apply_link(request: Request, form: FormData) -> Response:
    ctx: UiContext = request.app.state.ctx
    verified = _verify(request)
    if isinstance(verified, Response):
        return verified
    action, match_id = verified
    user = request.state.user if request.state.user != "link" else "feedback link"
    outcome = feedback.apply(ctx, match_id, action, "link", user)
    return page(request, "confirm.html", {"action": action, "label": ACTIONS[action],
                                          "row": ctx.index.get(match_id), "done": outcome},
                200 if outcome.ok else 400)


routes = [route("/match/{match_id}/feedback", post(act_on_match), ["POST"]),
          route("/act/{token}", confirm), route("/act/{token}", post(apply_link), ["POST"])]
