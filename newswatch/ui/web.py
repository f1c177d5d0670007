"""The UI's Starlette app: middleware (security headers, signed-cookie sessions, the login
wall), templates, CSRF-checked forms and the routes of every page.

Every response carries a content security policy without inline script or style and
``frame-ancestors 'none'``; every POST needs the session's CSRF token (and a same-origin
``Origin`` when the browser sends one); sessions live in signed cookies (``SameSite=Lax``,
``HttpOnly``, ``Secure`` behind an https ``public_url``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from newswatch import __version__
from newswatch.config.channels import SECRET_PARAMS
from newswatch.links import ACTIONS
from newswatch.ui.auth import Throttle, decide
from newswatch.ui.context import UiContext

HERE = Path(__file__).parent
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),  # feedback links carry tokens: never leak them
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
PUBLIC = ("/static/", "/login", "/act/")


class SecurityHeaders:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                if not scope["path"].startswith("/static/"):
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers if scope["type"] == "http" else send)


class AuthGate:
    """Decides who the request is (``request.state.user``) or answers for the login wall."""

    def __init__(self, app: ASGIApp, ctx: UiContext):
        self.app, self.ctx = app, ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            return await self.app(scope, receive, send)
        request = Request(scope, receive)
        decision = decide(self.ctx.config(), self.ctx.loopback,
                          request.client.host if request.client else "",
                          {k.lower(): v for k, v in request.headers.items()},
                          request.session.get("user", ""))
        public = scope["path"].startswith(PUBLIC)
        if decision.user or (public and decision.status == 303):
            scope.setdefault("state", {})["user"] = decision.user or "link"
            return await self.app(scope, receive, send)
        if decision.status == 303:
            target = "/login?" + urlencode({"next": _local(str(request.url.path))})
            response: Response = RedirectResponse(target, 303)
        else:
            response = page(request, "error.html", {"title": "Not available",
                                                    "message": decision.reason},
                            decision.status)
        await response(scope, receive, send)


def _local(target: str) -> str:
    """Only same-site paths as redirect targets (no ``//evil``, no scheme)."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _when(ts: float | datetime | None) -> str:
    if ts is None or ts == "":
        return "-"
    if isinstance(ts, int | float):
        ts = datetime.fromtimestamp(ts, UTC)
    return ts.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def mask_url(url: str) -> str:
    """A feed URL safe to show: password and credential-like query values hidden."""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    if parts.username:
        netloc = f"{parts.username}{':***' if parts.password else ''}@{netloc}"
    query = "&".join(f"{k}={'***' if SECRET_PARAMS.search(k) else v}"
                     for k, v in parse_qsl(parts.query, keep_blank_values=True))
    return f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), auto_reload=False,
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.filters["when"] = _when
    env.filters["pct"] = lambda v: f"{float(v) * 100:.0f}%"
    env.filters["mask_url"] = mask_url
    env.globals["ACTIONS"] = ACTIONS
    env.globals["version"] = __version__
    return env


ENV = _env()


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def flash(request: Request, message: str, ok: bool = True) -> None:
    request.session.setdefault("flash", []).append([message, ok])


def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    ctx: UiContext | None = getattr(request.app.state, "ctx", None)
    common = {"request": request, "user": getattr(request.state, "user", ""),
              "csrf": csrf_token(request), "flashes": request.session.pop("flash", []),
              "path": request.url.path}
    if ctx is not None and common["user"]:
        common["model"] = ctx.model.info()
        common["retrain"] = {"state": ctx.retrainer.state, "due_in": ctx.retrainer.due_in(),
                             "error": ctx.retrainer.error}
    html = ENV.get_template(name).render(**common, **context)
    return HTMLResponse(html, status)


def redirect(target: str) -> RedirectResponse:
    return RedirectResponse(_local(target), 303)


async def checked_form(request: Request) -> FormData:
    """The POSTed form, if its CSRF token matches the session's and the origin is ours."""
    origin = request.headers.get("origin")
    if origin and origin != "null":
        host = request.headers.get("host", "")
        if urlsplit(origin).netloc != host:
            raise HTTPException(403, "cross-origin form post refused")
    form = await request.form()
    sent, want = str(form.get("csrf", "")), request.session.get("csrf", "")
    if not want or not hmac.compare_digest(sent.encode(), want.encode()):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")
    return form


Handler = Callable[[Request, FormData], Response]


def post(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """A POST endpoint: CSRF-checked form, then ``handler`` in a worker thread."""

    async def endpoint(request: Request) -> Response:
        form = await checked_form(request)
        return await run_in_threadpool(handler, request, form)

    endpoint.__name__ = handler.__name__
    return endpoint


async def _http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    detail = getattr(exc, "detail", "") or "error"
    if status == 404:
        detail = "No such page here. The inbox is at /; the probes are /healthz, /readyz, /metrics."
    return page(request, "error.html", {"title": f"{status}", "message": detail}, status)


def create_app(ctx: UiContext) -> Starlette:
    from newswatch.ui.views import ROUTES

    cfg = ctx.config()
    session_key = hashlib.sha256(b"newswatch-session\x00" + ctx.secret).hexdigest()
    routes = [*ROUTES, Mount("/static", StaticFiles(directory=HERE / "static"), name="static")]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(SessionMiddleware, secret_key=session_key,
                       session_cookie="newswatch_session",
                       max_age=cfg.ui.session_max_age_secs, same_site="lax",
                       https_only=cfg.ui.public_url.startswith("https://")),
            Middleware(AuthGate, ctx=ctx),
        ],
        exception_handlers={HTTPException: _http_error},
    )
    app.state.ctx = ctx
    app.state.throttle = Throttle()
    return app


def route(path: str, endpoint: Callable[..., Any], methods: list[str] | None = None) -> Route:
    return Route(path, endpoint, methods=methods or ["GET"])
