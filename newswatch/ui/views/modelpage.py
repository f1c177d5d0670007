"""The model: which version the service uses, since when, and every retrain after feedback
with the figures before and after."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from newswatch.ui.context import UiContext
from newswatch.ui.web import flash, page, post, redirect, route


def model(request: Request) -> Response:
    ctx: UiContext = request.app.state.ctx
    cfg = ctx.config()
    return page(request, "model.html", {
        "info": ctx.model.info(), "history": ctx.retrainer.history(),
        "kind": cfg.classifier.kind, "retrain_on": cfg.ui.retrain,
        "delay": cfg.ui.retrain_delay_secs, "last": ctx.retrainer.last,
    })


def accept(request: Request, form: FormData) -> Response:
    """The last retrain was refused by the F1 safety net: retrain and switch anyway."""
    ctx: UiContext = request.app.state.ctx
    ctx.retrainer.request(accept_drop=True)
    flash(request, "Retraining now; the new model is switched in even if a label's held-out F1 "
          "falls.")
    return redirect("/model")


routes = [route("/model", model), route("/model/accept", post(accept), ["POST"])]
