"""The web inbox: a front door served by ``newswatch run`` beside the probes.

``build_ui(config, ...)`` returns the ASGI app and its :class:`UiContext` (start it, close it at
shutdown). Pages work without JavaScript; the only script is ``static/app.js``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from starlette.applications import Starlette

from newswatch.config import Config
from newswatch.ui.context import Hooks, UiContext

__all__ = ["Hooks", "UiContext", "build_ui"]


def build_ui(config: Callable[[], Config], *, bound_host: str,
             config_path: str | Path | None = None,
             hooks: Hooks | None = None) -> tuple[Starlette, UiContext]:
    from newswatch.ui.web import create_app

    ctx = UiContext(config, bound_host=bound_host, config_path=config_path, hooks=hooks)
    return create_app(ctx), ctx
