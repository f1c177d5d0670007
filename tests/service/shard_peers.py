"""A loopback feed server for the sharded-collect tests: serves RSS feeds with ETag and
Last-Modified (304 on a matching conditional GET), answers 500 for failing feeds, holds every
response briefly so that two overlapping polls of one feed would show, and records every request
(feed, the polling process from its User-Agent, start, end, conditional headers, status)."""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from svc_peers import HttpPeer, rss

LAST_MODIFIED = "Mon, 02 Nov 2026 08:00:00 GMT"


@dataclass
class Hit:
    feed: str
    process: str
    start: float
    end: float
    if_none_match: str
    if_modified_since: str
    status: int


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802
        peer: ShardFeedServer = self.server.peer  # type: ignore[attr-defined]
        start = time.time()
        feed = self.path.strip("/").removesuffix(".rss")
        inm = self.headers.get("If-None-Match", "")
        ims = self.headers.get("If-Modified-Since", "")
        with peer.lock:
            body = peer.bodies.get(feed)
            failing = feed in peer.failing
        time.sleep(peer.hold_secs)
        if body is None or failing:
            status, payload, extra = (500 if failing else 404), b"", {}
        else:
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            extra = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
            status, payload = (304, b"") if inm == etag else (200, body)
        self.send_response(status)
        for name, value in extra.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        try:
            self.wfile.write(payload)
        except OSError:  # the polling process was killed meanwhile
            status = 0
        ua = self.headers.get("User-Agent", "")
        with peer.lock:
            peer.hits.append(Hit(feed, ua, start, time.time(), inm, ims, status))

    def log_message(self, *args: Any) -> None:
        pass


class ShardFeedServer(HttpPeer):
    handler = _Handler

    def __init__(self, hold_secs: float = 0.3) -> None:
        super().__init__()
        self.hold_secs = hold_secs
        self.lock = threading.Lock()
        self.bodies: dict[str, bytes] = {}
        self.failing: set[str] = set()
        self.hits: list[Hit] = []

    def url(self, feed: str) -> str:
        return f"http://127.0.0.1:{self.port}/{feed}.rss"

    def add(self, feed: str, entries: int, failing: bool = False) -> None:
        items = [(f"{feed}-e{j}", f"{feed} story {j}: harbour works resume",
                  f"Entry {j} of feed {feed}.") for j in range(entries)]
        with self.lock:
            self.bodies[feed] = rss(f"Feed {feed}", items)
            if failing:
                self.failing.add(feed)

    def log(self) -> list[Hit]:
        with self.lock:
            return list(self.hits)

    def etag(self, feed: str) -> str:
        with self.lock:
            return '"' + hashlib.sha256(self.bodies[feed]).hexdigest()[:16] + '"'
