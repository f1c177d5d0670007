"""Loopback peers for the hostile-feed and fault tests of the real service process: a feed
server with slow-drip, redirecting and password-protected routes, a disk-full switch, and
helpers to read what the process left on disk."""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from svc_peers import HttpPeer

from newswatch.storage import FAULT_ENV


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        peer: HostileFeeds = self.server.peer  # type: ignore[attr-defined]
        path = self.path.split("?", 1)[0]
        with peer.lock:
            peer.hits[path] = peer.hits.get(path, 0) + 1
            peer.queries.append(self.path)
        if path in peer.auth and self.headers.get("Authorization") != peer.auth[path]:
            self._reply(401, b"")
        elif path in peer.drips:
            self._drip(peer)
        elif path in peer.redirects:
            self.send_response(302)
            self.send_header("Location", peer.redirects[path])
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path in peer.feeds:
            self._reply(200, peer.feeds[path])
        else:
            self._reply(404, b"not here")

    def _reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _drip(self, peer: HostileFeeds) -> None:
        """A valid start, then one byte every ``drip_secs``, until the client gives up."""
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", "10000000")
        self.end_headers()
        with peer.lock:
            peer.dripping += 1
        try:
            self.wfile.write(b'<?xml version="1.0"?>')
            self.wfile.flush()
            while not peer.stopped.is_set():
                time.sleep(peer.drip_secs)
                self.wfile.write(b" ")
                self.wfile.flush()
        except OSError:
            pass
        finally:
            with peer.lock:
                peer.dripping -= 1
            self.close_connection = True


class HostileFeeds(HttpPeer):
    """``feeds[path] = body``; ``drips`` paths drip; ``redirects[path] = location``;
    ``auth[path] = "user:password"`` requires that basic auth."""

    handler = _Handler

    def __init__(self, drip_secs: float = 1.0) -> None:
        super().__init__()
        self.drip_secs = drip_secs
        self.feeds: dict[str, bytes] = {}
        self.drips: set[str] = set()
        self.redirects: dict[str, str] = {}
        self.auth: dict[str, str] = {}
        self.hits: dict[str, int] = {}
        self.queries: list[str] = []
        self.dripping = 0
        self.lock = threading.Lock()
        self.stopped = threading.Event()

    def require(self, path: str, user: str, password: str) -> None:
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        self.auth[path] = f"Basic {token}"

    def hit(self, path: str) -> int:
        with self.lock:
            return self.hits.get(path, 0)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        super().__exit__(*exc)


class DiskFull:
    """The test-only disk-full switch of :mod:`newswatch.storage` for a service process."""

    def __init__(self, directory: Path) -> None:
        self.control = directory / "disk-full"

    @property
    def env(self) -> dict[str, str]:
        return {FAULT_ENV: str(self.control)}

    def on(self, *names: str) -> None:
        self.control.write_text("\n".join(names or ("*",)) + "\n")

    def off(self) -> None:
        self.control.unlink(missing_ok=True)


def json_log(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def messages(text: str) -> list[str]:
    return [d.get("msg", "") for d in json_log(text)]
