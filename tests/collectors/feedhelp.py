"""Helpers for the collector tests: a real HTTP server on 127.0.0.1, fixture paths.

``feed_server`` serves routes set by the test: ``server.route("/path", handler)`` where
``handler(request) -> Response``. It records every request and the highest number of
requests in flight at once (per-host limit tests)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"


@dataclass
class Request:
    path: str
    headers: dict[str, str]


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Callable[[Request], Response]] = {}
        self.requests: list[Request] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                req = Request(self.path, {k.lower(): v for k, v in self.headers.items()})
                with server.lock:
                    server.requests.append(req)
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    handler = server.routes.get(self.path.split("?")[0])
                    resp = handler(req) if handler else Response(404, b"not found")
                    if resp.delay:
                        time.sleep(resp.delay)
                    self.send_response(resp.status)
                    for k, v in resp.headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(resp.body)))
                    self.end_headers()
                    self.wfile.write(resp.body)
                finally:
                    with server.lock:
                        server.in_flight -= 1

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, handler: Callable[[Request], Response]) -> None:
        self.routes[path] = handler

    def hits(self, path: str) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.path.split("?")[0] == path]


def rss(title: str, items: list[tuple[str, str, str]], ttl: int | None = None) -> bytes:
    """A small RSS 2.0 body: items are (guid, link, title)."""
    parts = [f"<item><guid>{g}</guid><link>{link}</link><title>{t}</title>"
             f"<description>About {t}.</description>"
             "<pubDate>Sun, 22 Nov 2026 10:00:00 GMT</pubDate></item>" for g, link, t in items]
    ttl_xml = f"<ttl>{ttl}</ttl>" if ttl else ""
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{title}</title><link>https://example.test/</link>{ttl_xml}"
            + "".join(parts) + "</channel></rss>").encode()


def read_articles(bus_url: str, topic: str) -> list:  # noqa: ANN001
    """Every Article on ``topic`` (a fresh consumer group), in log order."""
    import uuid

    from newswatch import serde
    from newswatch.bus import open_bus
    from newswatch.models import Article

    out = []
    with open_bus(bus_url) as bus, bus.consumer(f"read-{uuid.uuid4().hex[:8]}", [topic]) as c:
        while True:
            batch = c.poll(max_records=500, timeout_secs=0.5)
            if not batch:
                return out
            out.extend(serde.loads(r.value, Article) for r in batch)
