"""Real loopback peers for the service tests: a feed server, a webhook receiver that checks the
HMAC signature, an SMTP server (aiosmtpd), and a ``newswatch run`` subprocess wrapper."""

from __future__ import annotations

import email
import json
import os
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Sequence
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from nw_waits import free_port, wait_for

from alerts.webhook import verify as verify_signature


class _Server(ThreadingHTTPServer):
    daemon_threads = True


class HttpPeer:
    """An http.server on 127.0.0.1 in a thread; subclasses set ``handler``."""

    handler: type[BaseHTTPRequestHandler]

    def __init__(self) -> None:
        self.server = _Server(("127.0.0.1", 0), self.handler)
        self.server.peer = self  # type: ignore[attr-defined]
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> HttpPeer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class _FeedHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        peer: FeedServer = self.server.peer  # type: ignore[attr-defined]
        body = peer.feeds.get(self.path)
        peer.hits[self.path] = peer.hits.get(self.path, 0) + 1
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


class FeedServer(HttpPeer):
    handler = _FeedHandler

    def __init__(self) -> None:
        super().__init__()
        self.feeds: dict[str, bytes] = {}
        self.hits: dict[str, int] = {}

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def rss(title: str, items: Sequence[tuple[str, str, str]]) -> bytes:
    """``items``: (guid, title, description). Dates fixed so runs are deterministic."""
    entries = "".join(
        f"<item><guid>{guid}</guid><title>{t}</title><link>https://news.example/{guid}</link>"
        f"<description>{d}</description><pubDate>Mon, 02 Nov 2026 08:{i % 60:02d}:00 GMT"
        "</pubDate></item>"
        for i, (guid, t, d) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://news.example/</link><description>test</description>"
        f"{entries}</channel></rss>"
    ).encode()


class _HookHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        peer: WebhookReceiver = self.server.peer  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        ok = peer.verify(self.headers.get("X-Newswatch-Signature", ""), body)
        with peer.lock:
            if ok:
                peer.received.append((dict(self.headers), json.loads(body)))
            else:
                peer.bad_signatures += 1
        self.send_response(200 if ok else 401)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


class WebhookReceiver(HttpPeer):
    """Accepts POSTs whose ``X-Newswatch-Signature: t=..,v1=hex(HMAC(secret, "t." + body))``
    verifies; records them (401 otherwise)."""

    handler = _HookHandler

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret
        self.lock = threading.Lock()
        self.received: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.bad_signatures = 0

    def verify(self, header: str, body: bytes) -> bool:
        return verify_signature(self.secret, header, body)

    def keys(self) -> list[str]:
        with self.lock:
            return [h.get("Idempotency-Key", "") for h, _ in self.received]


class _SmtpHandler:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        msg = email.message_from_bytes(envelope.original_content or envelope.content,
                                       policy=default_policy)
        self.messages.append(msg)  # type: ignore[arg-type]
        return "250 OK"


class SmtpSink:
    """aiosmtpd on 127.0.0.1, collecting every message it accepts."""

    def __init__(self) -> None:
        self.handler = _SmtpHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        return list(self.handler.messages)

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


class NewswatchProcess:
    """``python -m newswatch run ...`` with its log in a file and its HTTP port known."""

    def __init__(self, config: Path, *args: str, log: Path, env: dict[str, str] | None = None):
        self.http_port = free_port()
        self.log_path = log
        cmd = [sys.executable, "-m", "newswatch", "run", "-c", str(config),
               "--http-listen", f"127.0.0.1:{self.http_port}", *args]
        self._log = open(log, "wb")  # noqa: SIM115 - closed in wait()
        self.proc = subprocess.Popen(
            cmd, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})}, cwd=config.parent,
        )

    def get(self, path: str) -> tuple[int, str]:
        url = f"http://127.0.0.1:{self.http_port}{path}"
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()
        except OSError:
            return 0, ""

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 90.0) -> dict[str, Any]:
        def ready() -> dict[str, Any] | None:
            if self.proc.poll() is not None:
                raise AssertionError(f"newswatch exited {self.proc.returncode}:\n{self.log()}")
            status, body = self.get("/readyz")
            return json.loads(body) if status == 200 else None

        return wait_for(ready, timeout, f"/readyz on port {self.http_port}")

    def samples(self, name: str) -> list[tuple[dict[str, str], float]]:
        """Every sample of metric ``name`` on /metrics as (labels, value)."""
        from prometheus_client.parser import text_string_to_metric_families

        status, text = self.get("/metrics")
        assert status == 200, f"/metrics answered {status}"
        return [(dict(s.labels), s.value) for family in text_string_to_metric_families(text)
                for s in family.samples if s.name == name]

    def metric(self, name: str, **labels: str) -> float:
        """Sum of the samples of ``name`` whose labels include ``labels`` (0 if none)."""
        return sum(v for lbl, v in self.samples(name) if labels.items() <= lbl.items())

    def signal(self, sig: int = signal.SIGTERM) -> None:
        self.proc.send_signal(sig)

    def wait(self, timeout: float = 60.0) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            self._log.close()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self._log.close()
