"""The model: which version the service uses, since when, and every retrain after feedback
with the figures before and after."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from newswatch.ui.context import UiContext
from newswatch.ui.web import page, route


def model(request: Request) -> Response:
    ctx: UiContext = request.app.state.ctx
    cfg = ctx.config()
    return page(request, "model.html", {
        "info": ctx.model.info(), "history": ctx.retrainer.history(),
        "kind": cfg.classifier.kind, "retrain_on": cfg.ui.retrain,
        "delay": cfg.ui.retrain_delay_secs, "last": ctx.retrainer.last,
    })


routes = [route("/model", model)]
