"""Login with the configured password (only when one is configured) and logout."""

from __future__ import annotations

import secrets
import time

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from newswatch.ui.auth import PASSWORD_USER, verify_password
from newswatch.ui.context import UiContext
from newswatch.ui.web import page, post, redirect, route


def login_form(request: Request) -> Response:
    ctx: UiContext = request.app.state.ctx
    if not ctx.config().ui.password_hash_value():
        return redirect("/")
    return page(request, "login.html", {"next": request.query_params.get("next", "/"),
                                        "error": ""})


def login(request: Request, form: FormData) -> Response:
    ctx: UiContext = request.app.state.ctx
    stored = ctx.config().ui.password_hash_value()
    peer = request.client.host if request.client else ""
    throttle = request.app.state.throttle
    target = str(form.get("next") or "/")
    if not stored:
        return redirect("/")
    if throttle.blocked(peer):
        return page(request, "login.html", {"next": target, "error":
                    "Too many failed attempts from your address; wait a few minutes."}, 429)
    if not verify_password(stored, str(form.get("password", ""))):
        throttle.failed(peer)
        time.sleep(0.3)
        return page(request, "login.html", {"next": target, "error": "Wrong password."}, 401)
    throttle.clear(peer)
    request.session.clear()  # a fresh session (and CSRF token) on login
    request.session.update({"user": PASSWORD_USER, "csrf": secrets.token_urlsafe(32)})
    return redirect(target)


def logout(request: Request, form: FormData) -> Response:
    request.session.clear()
    return redirect("/login")


routes = [route("/login", login_form), route("/login", post(login), ["POST"]),
          route("/logout", post(logout), ["POST"])]
