"""Real-browser test helpers: Debian's Chromium driven by Playwright (never `playwright
install`), a loopback feed server, a ``newswatch run`` subprocess, and screenshots into
``tests/artifacts/ui/``.

Without Chromium the browser tests skip with how to install it, except where
``NEWSWATCH_REQUIRE_BROWSER=1`` (set by ``.ci/run``) turns that into a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from nw_waits import wait_for

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "ui"
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
INSTALL_HINT = ("no Chromium found: install Debian's package (`apt-get install -y chromium`) "
                "or set NEWSWATCH_CHROMIUM=/path/to/chromium; the Python side is "
                "`pip install -e '.[test]'` (never `playwright install`)")


def chromium_path() -> str | None:
    for candidate in (os.environ.get("NEWSWATCH_CHROMIUM"), shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="module")
def browser_context() -> Iterator[Any]:
    exe = chromium_path()
    problem = "" if exe else INSTALL_HINT
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        problem = "playwright is not installed: pip install -e '.[test]'"
    if problem:
        if os.environ.get("NEWSWATCH_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests are required here, but {problem}", pytrace=False)
        pytest.skip(problem)
    profile = tempfile.mkdtemp(prefix="nw-chromium-")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=exe, headless=True, args=FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(20_000)
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


def shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


class _FeedHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        body = self.server.feeds.get(self.path)  # type: ignore[attr-defined]
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args: Any) -> None:
        pass


class FeedServer:
    def __init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _FeedHandler)
        self.server.daemon_threads = True
        self.server.feeds = {}  # type: ignore[attr-defined]
        self.feeds: dict[str, bytes] = self.server.feeds  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FeedServer:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def rss(items: list[tuple[str, str, str]]) -> bytes:
    """(guid, title, description) items dated within the last hours (so the charts show
    them), newest last."""
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=6)
    entries = "".join(
        f"<item><guid>{g}</guid><title>{t}</title><link>https://news.example/{g}</link>"
        f"<description>{d}</description><pubDate>"
        f"{format_datetime(start + timedelta(minutes=i), usegmt=True)}</pubDate></item>"
        for i, (g, t, d) in enumerate(items))
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            "<title>Desk Wire</title><link>https://news.example/</link>"
            f"<description>test feed</description>{entries}</channel></rss>").encode()


class Service:
    """``python -m newswatch run`` with its log in a file."""

    def __init__(self, config: Path, listen: str, log: Path, env: dict[str, str] | None = None):
        self.log_path = log
        self._log = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.port = int(listen.rsplit(":", 1)[1])
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "newswatch", "run", "-c", str(config), "--http-listen", listen],
            stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})}, cwd=config.parent,
        )
        self.base = f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def ready(self, timeout: float = 120.0) -> None:
        def up() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"newswatch exited {self.proc.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.base + "/readyz", timeout=3) as r:
                    return r.status == 200
            except OSError:
                return False

        wait_for(up, timeout, "/readyz")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()
