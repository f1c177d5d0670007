"""By-hand benchmark of ``newswatch run`` as a whole: a first polling round of N local feeds,
then steady running with new stories arriving, scraped like Prometheus would.

    .venv/bin/python bench/bench_service.py [--feeds 1000] [--items 20] [--classifier keywords]
        [--steady-secs 180] [--new-every-secs 2] [--interval 60] [--scrape-secs 15]

A loopback HTTP server serves N generated RSS feeds (``--items`` entries each, about 1 KB per
entry; ETags, so unchanged feeds answer 304); ``newswatch run`` (all stages, embedded bus) runs
as a subprocess with a watch whose alerts go to a loopback webhook in this process. Reported:

* first round: the time to poll every feed once (fetch + parse + dedupe + publish), feeds/s and
  articles/s, the time until classify and then the alert stage (a watch on "ferry" matches many
  of the first entries; alerts go to a file channel) have drained it, the service's CPU time,
  resident memory;
* steady state (``--steady-secs``): every ``--new-every-secs`` one feed gains a new story that the
  watch matches. Its **fetch-to-alert latency** is the time from the feed server first handing
  out a body containing it to the webhook receiving its alert (p50/p90/p99/max), without the
  wait for the next poll (that is the feed's interval);
* ``/metrics`` scraped every ``--scrape-secs`` throughout: wall time of a scrape;
* the SIGTERM shutdown time.

The feed server and the webhook run in this process and compete for the same cores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
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
SYLLABLES = ["ka", "lo", "mir", "ven", "dra", "sol", "tur", "ein", "pa", "gor", "li", "zan",
             "bre", "osk", "ul", "net", "rav", "im", "que", "dov"]
KEYWORD = "incursion"  # only the steady-state stories carry it


def item(link: str, guid: str, title: str, desc: str, hour: int) -> str:
    return (f"<item><guid>{guid}</guid><title>{title}</title><link>{link}</link>"
            f"<description>{desc}</description>"
            f"<pubDate>Mon, 02 Nov 2026 {hour % 24:02d}:00:00 GMT</pubDate></item>")


def first_items(i: int, items: int) -> list[str]:
    out = []
    for j in range(items):
        w = [WORDS[(i * 7 + j * 3 + k) % len(WORDS)] for k in range(8)]
        out.append(item(f"https://feeds.example/{i}/{j}", f"f{i}-e{j}",
                        f"{w[0].title()} {w[1]} report {i}-{j}: {' '.join(w[2:6])}",
                        " ".join(w * 12), j))
    return out


def pseudo_words(rng: random.Random, n: int) -> list[str]:
    return ["".join(rng.choice(SYLLABLES) for _ in range(3)) for _ in range(n)]


class Feeds:
    """The feeds, new stories added while running, and when each story was first served."""

    def __init__(self, feeds: int, items: int):
        self.lock = threading.Lock()
        self.items = {i: first_items(i, items) for i in range(feeds)}
        self.bodies = {i: self._render(i) for i in range(feeds)}
        self.pending: dict[int, list[str]] = {}  # feed -> new story keys not served yet
        self.added: dict[str, float] = {}
        self.served: dict[str, float] = {}
        self.rng = random.Random(11)

    def _render(self, i: int) -> tuple[bytes, str]:
        body = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {i}</title>'
                f"<link>https://feeds.example/{i}</link><description>bench</description>"
                f"{''.join(self.items[i])}</channel></rss>").encode()
        return body, '"' + hashlib.sha1(body).hexdigest()[:16] + '"'

    def add_story(self) -> None:
        with self.lock:
            i = self.rng.randrange(len(self.items))
            key = f"{i}/x{len(self.added)}"
            w = pseudo_words(self.rng, 8)
            self.items[i].insert(0, item(f"https://feeds.example/{key}", f"f{key}",
                                         f"{KEYWORD.title()} {' '.join(w[:4])}",
                                         f"{' '.join(w[4:])} {KEYWORD} reported.", 23))
            self.bodies[i] = self._render(i)
            self.pending.setdefault(i, []).append(key)
            self.added[key] = time.time()

    def get(self, i: int, if_none_match: str) -> tuple[int, bytes, str]:
        with self.lock:
            body, etag = self.bodies[i]
            if if_none_match == etag:
                return 304, b"", etag
            now = time.time()
            for key in self.pending.pop(i, []):
                self.served.setdefault(key, now)
            return 200, body, etag


def serve(feeds: Feeds) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802
            try:
                i = int(self.path.strip("/f").removesuffix(".rss"))
            except ValueError:
                i = -1
            if i not in feeds.items:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status, body, etag = feeds.get(i, self.headers.get("If-None-Match", ""))
            self.send_response(status)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return start(Handler)


class Alerts:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: dict[str, float] = {}

    def handler(self) -> type[BaseHTTPRequestHandler]:
        alerts = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                now = time.time()
                doc = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                with alerts.lock:
                    for m in doc["alert"]["matches"]:
                        key = m["article"]["url"].removeprefix("https://feeds.example/")
                        alerts.received.setdefault(key, now)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        return Handler


def start(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Scraper:
    """GET /metrics every ``every`` seconds, like Prometheus; keeps the wall time of each."""

    def __init__(self, port: int, every: float):
        self.port, self.every, self.times = port, every, []
        self.stop = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while not self.stop.wait(self.every):
            t = time.perf_counter()
            if scrape(self.port):
                self.times.append(time.perf_counter() - t)


def scrape(port: int) -> str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as r:
            return r.read().decode()
    except OSError:
        return ""


def metric(port: int, name: str) -> float:
    text = scrape(port)
    if not text:
        return -1
    return sum(s.value for f in text_string_to_metric_families(text) for s in f.samples
               if s.name == name)


def rss_kb(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


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
    ap.add_argument("--interval", type=int, default=60)
    ap.add_argument("--steady-secs", type=float, default=180)
    ap.add_argument("--new-every-secs", type=float, default=2.0)
    ap.add_argument("--scrape-secs", type=float, default=15.0)
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--unbounded-stories", action="store_true",
                    help="reference: story grouping compares every report of a story")
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, python "
          f"{platform.python_version()}")
    feeds = Feeds(args.feeds, args.items)
    server, alerts = serve(feeds), Alerts()
    hook = start(alerts.handler())
    size = sum(len(b) for b, _ in feeds.bodies.values()) / args.feeds / 1024
    print(f"feeds: {args.feeds} x {args.items} entries, {size:.1f} KB per feed, polled every "
          f"{args.interval} s")
    port, http = server.server_address[1], free_port()
    with tempfile.TemporaryDirectory(prefix="bench-service-") as tmp:
        cfg = Path(tmp, "newswatch.toml")
        lines = [f'[service]\ndata_dir = "{tmp}/data"\n', "[collect]\nper_host_concurrency = 8\n",
                 f'[classifier]\nkind = "{args.classifier}"\n',
                 '[[watches]]\nname = "w"\nchannels = ["out"]\n[watches.keywords]\n'
                 'any = ["ferry"]\n', f'[[channels]]\nname = "out"\nurl = "file://{tmp}/a.jsonl"\n',
                 f'[[watches]]\nname = "new"\nchannels = ["hook"]\n[watches.keywords]\n'
                 f'any = ["{KEYWORD}"]\n',
                 f'[[channels]]\nname = "hook"\nurl = "http://127.0.0.1:{hook.server_address[1]}'
                 '/hook"\nsecret = "bench-secret"\n']
        lines += [f'[[feeds]]\nid = "f{i}"\nurl = "http://127.0.0.1:{port}/f{i}.rss"\n'
                  f"interval_secs = {args.interval}\n" for i in range(args.feeds)]
        cfg.write_text("\n".join(lines))
        run = ["run", "-c", str(cfg), "--log-level", "WARNING", "--http-listen",
               f"127.0.0.1:{http}"]
        proc = subprocess.Popen(
            [sys.executable, "-c", (UNBOUNDED if args.unbounded_stories else "") + MAIN,
             *run], stdin=subprocess.DEVNULL)
        start_t = time.monotonic()
        try:
            while metric(http, "newswatch_stage_up") < 3:
                time.sleep(0.05)
            ready, idle = time.monotonic(), rss_kb(proc.pid)
            scraper = Scraper(http, args.scrape_secs)
            want, deadline = args.feeds * args.items, start_t + args.timeout
            polled_at = None
            while time.monotonic() < deadline:
                if polled_at is None and metric(http, "newswatch_feeds_polled_total") >= args.feeds:
                    polled_at = time.monotonic()
                if metric(http, "newswatch_articles_classified_total") >= want:
                    break
                time.sleep(0.2)
            drained = time.monotonic()
            published = metric(http, "newswatch_articles_published_total")
            matches = metric(http, "newswatch_matches_total")
            alerted, ledger = None, Path(tmp, "data", "alerts.db")
            while time.monotonic() < deadline and alerted is None:
                alerted = alert_stage_done(ledger, matches)
                time.sleep(0.2)
            alerted_at, cpu = time.monotonic(), cpu_secs(proc.pid)
            steady_end = time.monotonic() + args.steady_secs
            while time.monotonic() < steady_end:
                feeds.add_story()
                time.sleep(args.new_every_secs)
            time.sleep(args.interval + 15)  # the last stories' feeds get polled and alerted
            scraper.stop.set()
            peak = rss_kb(proc.pid, "VmHWM")
            proc.send_signal(signal.SIGTERM)
            t = time.monotonic()
            code = proc.wait(timeout=120)
            stop_secs = time.monotonic() - t
        finally:
            if proc.poll() is None:
                proc.kill()
        server.shutdown()
        hook.shutdown()
    poll_secs = (polled_at or drained) - ready
    print(f"start to all stages up: {ready - start_t:.2f} s, RSS {idle / 1024:.0f} MB")
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
    with alerts.lock, feeds.lock:
        lat = [alerts.received[k] - feeds.served[k] for k in feeds.served if k in alerts.received]
        wait = [feeds.served[k] - feeds.added[k] for k in feeds.served]
        missing = len(feeds.added) - len(lat)
    print(f"steady state: {len(feeds.added)} new stories in {args.steady_secs:.0f} s, "
          f"{len(lat)} alerted ({missing} not alerted by the end)")
    print(f"fetch-to-alert latency: p50 {pct(lat, 0.5):.2f} s, p90 {pct(lat, 0.9):.2f} s, "
          f"p99 {pct(lat, 0.99):.2f} s, max {max(lat, default=float('nan')):.2f} s "
          f"(waiting for the poll before that: p50 {pct(wait, 0.5):.0f} s)")
    st = scraper.times
    print(f"/metrics every {args.scrape_secs:g} s: {len(st)} scrapes, p50 "
          f"{1000 * pct(st, 0.5):.1f} ms, max {1000 * max(st, default=0):.1f} ms")
    print(f"peak RSS {peak / 1024:.0f} MB; SIGTERM to exit {stop_secs:.2f} s, exit status {code}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
