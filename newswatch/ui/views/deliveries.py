"""Deliveries: state counts and last error per channel, recent alerts with their state on each
channel, and the dead letters with a retry button."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from newswatch.ui.context import UiContext
from newswatch.ui.web import flash, page, post, redirect, route

STATES = ("sent", "pending", "queued", "dead", "digested", "merged")


def deliveries(request: Request) -> Response:
    ctx: UiContext = request.app.state.ctx
    cfg = ctx.config()
    counts = ctx.ledger.channel_states()
    names = [c.name for c in cfg.channels] + sorted(set(counts) - {c.name for c in cfg.channels})
    masked = {c.name: c.masked_url() for c in cfg.channels}
    alerts = ctx.ledger.recent_alerts(50)
    return page(request, "deliveries.html", {
        "channels": names, "counts": counts, "masked": masked, "states": STATES,
        "errors": ctx.ledger.last_errors(), "alerts": alerts,
        "per_alert": ctx.ledger.deliveries([a.id for a in alerts]),
        "dead": ctx.ledger.dead_letters()[:200],
    })


def retry(request: Request, form: FormData) -> Response:
    ctx: UiContext = request.app.state.ctx
    alert_id = str(form.get("alert_id", "")) or None
    channel = str(form.get("channel", "")) or None
    n = ctx.ledger.retry([alert_id] if alert_id else None, channel)
    flash(request, f"Re-queued {n} dead deliver{'y' if n == 1 else 'ies'}; the alert stage "
          "sends them within a second or so.")
    return redirect("/deliveries")


routes = [route("/deliveries", deliveries), route("/deliveries/retry", post(retry), ["POST"])]
