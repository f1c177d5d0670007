"""Pictures: matches per day per watch and per label over the last weeks, and the places of
recent matches, drawn on the server (see ``newswatch/ui/charts.py``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from newswatch.ui.charts import bar_chart, day_range, line_chart
from newswatch.ui.context import UiContext
from newswatch.ui.web import page, route


def charts(request: Request) -> Response:
    ctx: UiContext = request.app.state.ctx
    try:
        weeks = max(1, min(26, int(request.query_params.get("weeks", "4"))))
    except ValueError:
        weeks = 4
    ctx.sync()
    days = day_range(weeks)
    by_watch = line_chart("Matches per day, per watch", days, ctx.index.per_day(days[0], "watch"))
    by_label = line_chart("Matches per day, per label (flagged by the model)", days,
                          ctx.index.per_day(days[0], "label"))
    places, height = bar_chart(ctx.index.top_places(days[0]))
    return page(request, "charts.html", {"weeks": weeks, "charts": [by_watch, by_label],
                                         "places": places, "places_height": height})


routes = [route("/charts", charts)]
