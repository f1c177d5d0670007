"""By-hand benchmark of ``newswatch run`` as a whole: one polling round of N local feeds.

    .venv/bin/python bench/bench_service.py [--feeds 1000] [--items 20] [--classifier keywords]

Starts a loopback HTTP server with N generated RSS feeds (``--items`` distinct entries each,
about 1 KB per entry), then ``newswatch run`` (all stages, embedded bus) as a subprocess, and
reports from its /metrics and /proc: the time for the first polling round (fetch + parse +
dedupe + publish of every feed), feeds/s and articles/s, the time until classify and alert have
drained it, resident memory (idle after start, peak) and the SIGTERM shutdown time. The feed
server runs in this process and competes for the same cores, so the figures are a lower bound.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

WORDS = [
    "border", "patrol", "village", "river", "market", "council", "harvest", "bridge", "rail",
    "storm", "school", "clinic", "festival", "ministry", "port", "ferry", "trade", "court",
    "mayor", "union", "factory", "museum", "forest",
]


def feed_body(i: int, items: int) -> bytes:
    entries = []
    for j in range(items):
        w = [WORDS[(i * 7 + j * 3 + k) % len(WORDS)] for k in range(8)]
        title = f"{w[0].title()} {w[1]} report {i}-{j}: {' '.join(w[2:6])}"
        desc = " ".join(w * 12)
        entries.append(
            f"<item><guid>f{i}-e{j}</guid><title>{title}</title>"
            f"<link>https://feeds.example/{i}/{j}</link><description>{desc}</description>"
            f"<pubDate>Mon, 02 Nov 2026 {j % 24:02d}:00:00 GMT</pubDate></item>")
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {i}</title>'
            f"<link>https://feeds.example/{i}</link><description>bench</description>"
            f"{''.join(entries)}</channel></rss>").encode()


def serve(feeds: int, items: int) -> ThreadingHTTPServer:
    bodies = {f"/f{i}.rss": feed_body(i, items) for i in range(feeds)}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802
            body = bodies.get(self.path, b"")
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"feeds: {feeds} x {items} entries, {sum(map(len, bodies.values())) / feeds / 1024:.1f}"
          " KB per feed")
    return server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def metric(port: int, name: str) -> float:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
            text = r.read().decode()
    except OSError:
        return -1
    return sum(s.value for f in text_string_to_metric_families(text) for s in f.samples
               if s.name == name)


def rss_kb(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


MAIN = "import sys\nfrom newswatch.cli import main\nsys.exit(main(sys.argv[1:]))\n"
UNBOUNDED = ("import alerts.story as s\n_init = s.StoryIndex.__init__\n"
             "s.StoryIndex.__init__ = lambda self, *a, **k: "
             "_init(self, *a, **{**k, 'members': None})\n")


def alert_stage_done(ledger: Path, matches: float) -> tuple[int, int] | None:
    """(stories, alerts) once the ledger holds every match and nothing is pending, else None."""
    if not ledger.exists():
        return None
    try:
        with sqlite3.connect(f"file:{ledger}?mode=ro", uri=True, timeout=5) as conn:
            recorded = conn.execute("SELECT COUNT(*) FROM match_routes").fetchone()[0]
            pending = conn.execute(
                "SELECT COUNT(*) FROM deliveries WHERE state='pending'").fetchone()[0]
            if recorded < matches or pending:
                return None
            stories = conn.execute("SELECT COUNT(DISTINCT story_id) FROM match_story").fetchone()
            return stories[0], conn.execute("SELECT COUNT(*) FROM alerts").fetchone()[0]
    except sqlite3.Error:
        return None


def cpu_secs(pid: int) -> float:
    """User + system CPU seconds of the process so far (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--items", type=int, default=20)
    ap.add_argument("--classifier", choices=("keywords", "model"), default="keywords")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--unbounded-stories", action="store_true",
                    help="reference: story grouping compares every report of a story")
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, python "
          f"{platform.python_version()}")
    server = serve(args.feeds, args.items)
    port, http = server.server_address[1], free_port()
    with tempfile.TemporaryDirectory(prefix="bench-service-") as tmp:
        cfg = Path(tmp, "newswatch.toml")
        lines = [f'[service]\ndata_dir = "{tmp}/data"\n', "[collect]\nper_host_concurrency = 8\n",
                 f'[classifier]\nkind = "{args.classifier}"\n',
                 '[[watches]]\nname = "w"\nchannels = ["out"]\n[watches.keywords]\n'
                 'any = ["ferry"]\n', f'[[channels]]\nname = "out"\nurl = "file://{tmp}/a.jsonl"\n']
        lines += [f'[[feeds]]\nid = "f{i}"\nurl = "http://127.0.0.1:{port}/f{i}.rss"\n'
                  "interval_secs = 86400\njitter_secs = 0\n" for i in range(args.feeds)]
        cfg.write_text("\n".join(lines))
        run = ["run", "-c", str(cfg), "--log-level", "WARNING", "--http-listen",
               f"127.0.0.1:{http}"]
        proc = subprocess.Popen(
            [sys.executable, "-c", (UNBOUNDED if args.unbounded_stories else "") + MAIN,
             *run], stdin=subprocess.DEVNULL)
        start = time.monotonic()
        try:
            while metric(http, "newswatch_stage_up") < 3:
                time.sleep(0.05)
            ready, idle = time.monotonic(), rss_kb(proc.pid)
            want, deadline = args.feeds * args.items, start + args.timeout
            polled_at = None
            while time.monotonic() < deadline:
                if polled_at is None and metric(http, "newswatch_feeds_polled_total") >= args.feeds:
                    polled_at = time.monotonic()
                if metric(http, "newswatch_articles_classified_total") >= want:
                    break
                time.sleep(0.1)
            drained = time.monotonic()
            published = metric(http, "newswatch_articles_published_total")
            matches = metric(http, "newswatch_matches_total")
            alerted, ledger = None, Path(tmp, "data", "alerts.db")
            while time.monotonic() < deadline and alerted is None:
                alerted = alert_stage_done(ledger, matches)
                time.sleep(0.2)
            alerted_at = time.monotonic()
            peak = rss_kb(proc.pid, "VmHWM")
            cpu = cpu_secs(proc.pid)
            proc.send_signal(signal.SIGTERM)
            t = time.monotonic()
            code = proc.wait(timeout=120)
            stop_secs = time.monotonic() - t
        finally:
            if proc.poll() is None:
                proc.kill()
        server.shutdown()
    poll_secs = (polled_at or drained) - ready
    print(f"start to all stages up: {ready - start:.2f} s, RSS {idle / 1024:.0f} MB")
    print(f"first round: {args.feeds} feeds in {poll_secs:.1f} s = {args.feeds / poll_secs:.0f} "
          f"feeds/s, {published:.0f} articles = {published / poll_secs:.0f} articles/s")
    print(f"classified everything {drained - ready:.1f} s after start "
          f"({published / (drained - ready):.0f} articles/s end to end)")
    if alerted:
        secs = alerted_at - ready
        print(f"alert stage done {secs:.1f} s after start ({published / secs:.0f} articles/s "
              f"end to end): {matches:.0f} matches, {alerted[0]} stories, {alerted[1]} alerts")
    print(f"service CPU time until then: {cpu:.1f} s ({cpu * 1000 / published:.2f} ms per "
          "article; less sensitive than wall time to other load on the machine)")
    print(f"peak RSS {peak / 1024:.0f} MB; SIGTERM to exit {stop_secs:.2f} s, exit status {code}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
