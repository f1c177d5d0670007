"""The service's HTTP endpoint: ``/healthz`` (liveness), ``/readyz`` (readiness), ``/metrics``.

Plain ``http.server`` in a daemon thread: three GET routes do not need a framework. ``/healthz``
and ``/readyz`` answer JSON with 200 or 503; ``/metrics`` is the Prometheus text format of the
shared registry (``newswatch/metrics.py``).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

log = logging.getLogger("newswatch.service.http")

Probe = Callable[[], tuple[bool, dict[str, Any]]]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = self.path.split("?", 1)[0]
        if path == "/metrics":
            self._send(200, generate_latest(REGISTRY), CONTENT_TYPE_LATEST)
        elif path in ("/healthz", "/readyz"):
            probe = self.server.health if path == "/healthz" else self.server.ready
            try:
                ok, detail = probe()
            except Exception as exc:  # a probe must never kill the endpoint
                ok, detail = False, {"error": f"{type(exc).__name__}: {exc}"}
            body = json.dumps({"ok": ok, **detail}, sort_keys=True, default=str).encode()
            self._send(200 if ok else 503, body, "application/json")
        else:
            self._send(404, b"not found: try /healthz, /readyz or /metrics\n", "text/plain")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        log.debug("%s %s", self.address_string(), format % args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    health: Probe
    ready: Probe


class HttpEndpoint:
    """Serve the three routes on ``host:port`` (port 0: any free port, see ``address``)."""

    def __init__(self, host: str, port: int, health: Probe, ready: Probe):
        self._server = _Server((host, port), _Handler)
        self._server.health, self._server.ready = health, ready
        self.address = f"{host}:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.2}, name="http",
            daemon=True,
        )

    def start(self) -> None:
        self._thread.start()
        log.info("http endpoint on http://%s (/healthz /readyz /metrics)", self.address)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
