"""The pages of the UI; each module lists its ``routes``."""

from newswatch.ui.views import (
    actions,
    charts,
    deliveries,
    feeds,
    inbox,
    login,
    modelpage,
    story,
    watches,
)

ROUTES = [*inbox.routes, *story.routes, *actions.routes, *feeds.routes, *watches.routes,
          *deliveries.routes, *charts.routes, *modelpage.routes, *login.routes]
