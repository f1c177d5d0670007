"""The service's HTTP endpoint: ``/healthz``, ``/readyz``, ``/metrics`` and the web UI.

A Starlette app run by uvicorn in a thread of its own. ``/healthz`` (liveness) and ``/readyz``
(readiness) answer JSON with 200 or 503; ``/metrics`` is the Prometheus text format of the
shared registry (``newswatch/metrics.py``). The web UI (``newswatch/ui``), when the process
runs it, is mounted at ``/``; the probes never need a login.

The socket is bound before the thread starts, so a taken port fails ``HttpEndpoint()`` at once
with an ``OSError`` (uvicorn itself would only log it and exit its thread).
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp

log = logging.getLogger("newswatch.service.http")

Probe = Callable[[], tuple[bool, dict[str, Any]]]
GRACE_SECS = 3.0


def _probe_route(path: str, probe: Probe) -> Route:
    def endpoint(request: Request) -> Response:
        try:
            ok, detail = probe()
        except Exception as exc:  # a probe must never kill the endpoint
            ok, detail = False, {"error": f"{type(exc).__name__}: {exc}"}
        body = json.dumps({"ok": ok, **detail}, sort_keys=True, default=str)
        return Response(body, 200 if ok else 503, media_type="application/json",
                        headers={"Cache-Control": "no-store"})

    return Route(path, endpoint, methods=["GET", "HEAD"])


def _metrics(request: Request) -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST,
                    headers={"Cache-Control": "no-store"})


async def _not_found(request: Request, exc: Exception) -> Response:
    return PlainTextResponse("not found: try /healthz, /readyz or /metrics\n", 404)


def build_app(health: Probe, ready: Probe, ui: ASGIApp | None = None) -> Starlette:
    routes: list[Route | Mount] = [
        _probe_route("/healthz", health), _probe_route("/readyz", ready),
        Route("/metrics", _metrics, methods=["GET", "HEAD"]),
    ]
    if ui is not None:
        routes.append(Mount("/", app=ui))
    return Starlette(routes=routes, exception_handlers={404: _not_found})


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio turns on TCP_NODELAY only for sockets that say so, and
    # without it every small response waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


class HttpEndpoint:
    """Serve the probes (and ``ui``) on ``host:port`` (port 0: any free port, see ``address``)."""

    def __init__(self, host: str, port: int, health: Probe, ready: Probe,
                 ui: ASGIApp | None = None):
        self._sock = _bind(host, port)
        bound = self._sock.getsockname()[1]
        self.address = f"[{host}]:{bound}" if ":" in host else f"{host}:{bound}"
        self.app = build_app(health, ready, ui)
        config = uvicorn.Config(
            self.app, log_config=None, access_log=False, lifespan="off", server_header=False,
            timeout_graceful_shutdown=GRACE_SECS, log_level="warning",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._serve, name="http", daemon=True)

    def _serve(self) -> None:
        try:
            asyncio.run(self._server.serve(sockets=[self._sock]))
        except Exception:
            log.exception("http endpoint failed")

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started and self._thread.is_alive():
            if time.monotonic() > deadline:
                log.warning("http endpoint slow to start on %s", self.address)
                break
            time.sleep(0.01)
        log.info("http endpoint on http://%s (/healthz /readyz /metrics)", self.address)

    def close(self) -> None:
        self._server.should_exit = True
        if self._thread.ident is not None:
            self._thread.join(timeout=GRACE_SECS + 2)
        self._sock.close()
