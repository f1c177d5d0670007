"""Collector benchmark: polling 1,000 feeds from local HTTP servers, and parse throughput.

    .venv/bin/python bench/bench_collect.py [--feeds 1000] [--hosts 8] [--entries 20]
        [--corpus DIR]        # e.g. ../shared/feeds-corpus (never copied into the repo)

Collection: one server process listens on 127.0.0.1..127.0.0.N (loopback only; one "host"
each, so the per-host limit applies as with real publishers) and serves synthetic RSS feeds
with ETags. Round 1 is fresh (download, parse, normalise, dedupe, publish to an embedded bus);
round 2 is all 304s (conditional GET, nothing parsed). Parse: every feed file of DIR through
the collector's parse -> normalise -> language path (fast XML path on, and off) and through
feedparser.parse alone on the same bytes, interleaved file by file; prints entries/s and the
ratio against feedparser alone measured in the same run.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

WORDS = [
    "border", "harbour", "council", "storm", "ferry", "convoy", "market", "bridge", "river",
    "village", "school", "minister", "treaty", "drone", "depot", "fire", "rescue", "train",
    "station", "festival", "budget",
]


def feed_body(n: int, entries: int) -> bytes:
    items = []
    for i in range(entries):
        words = " ".join(WORDS[(n * 7 + i * 3 + k) % len(WORDS)] for k in range(9))
        items.append(
            f"<item><title>Feed {n} story {i}: {words}</title>"
            f"<link>https://f{n}.example/s/{i}?utm_source=rss</link><guid>f{n}-{i}</guid>"
            f"<pubDate>Sun, 22 Nov 2026 {i % 24:02d}:00:00 GMT</pubDate>"
            f"<description>&lt;p&gt;{words} {words} reported on day {i}.&lt;/p&gt;</description>"
            "</item>"
        )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Bench feed {n}</title><link>https://f{n}.example/</link>"
            + "".join(items) + "</channel></rss>").encode()


def serve(hosts: int, port: int, feeds: int, entries: int, ready: multiprocessing.Event) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    bodies = {f"/feed/{n}.xml": feed_body(n, entries) for n in range(feeds)}
    etags = {k: '"' + hashlib.sha1(v).hexdigest()[:16] + '"' for k, v in bodies.items()}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            body = bodies.get(self.path)
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if self.headers.get("If-None-Match") == etags[self.path]:
                self.send_response(304)
                self.send_header("ETag", etags[self.path])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("ETag", etags[self.path])
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    for h in range(hosts):
        httpd = ThreadingHTTPServer((f"127.0.0.{h + 1}", port), Handler)
        httpd.daemon_threads = True
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
    ready.set()
    threading.Event().wait()


def bench_collection(args: argparse.Namespace) -> None:
    from collectors.stage import build_stage
    from newswatch import app
    from newswatch.config import parse_config

    port = 18000 + os.getpid() % 20000
    ready = multiprocessing.Event()
    server = multiprocessing.Process(
        target=serve, args=(args.hosts, port, args.feeds, args.entries, ready), daemon=True
    )
    server.start()
    ready.wait(30)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            feeds = "".join(
                f'[[feeds]]\nid = "f{n}"\nurl = "http://127.0.0.{n % args.hosts + 1}:{port}'
                f'/feed/{n}.xml"\n' for n in range(args.feeds)
            )
            config = parse_config(
                f'[service]\ndata_dir = "{tmp}"\n[collect]\nper_host_concurrency = '
                f"{args.per_host}\nmax_workers = {args.workers}\n{feeds}", "bench", environ={},
            )
            bus = app.make_bus(config)
            stage = build_stage(config, bus)
            for name in ("fresh (200, parse + publish)", "conditional (304)"):
                started = time.perf_counter()
                stage.drain()
                took = time.perf_counter() - started
                states = stage.state.all().values()
                ok = sum(1 for s in states if s.consecutive_failures == 0)
                print(f"collect {name:30s}: {args.feeds} feeds in {took:6.2f} s = "
                      f"{args.feeds / took:7.1f} feeds/s ({ok} ok, "
                      f"{sum(s.articles_total for s in states)} articles total)")
            stage.close()
            bus.close()
    finally:
        server.terminate()
        server.join(10)


def bench_parse(corpus: Path, rounds: int = 3) -> None:
    """Entries/s of the collect path (guards, parse, normalise, language) against feedparser
    alone on the same bytes, interleaved file by file in one run (per-thread CPU time)."""
    import feedparser

    from collectors.base import FetchedFeed
    from collectors.parse import parse_feed
    from collectors.replay import feed_files
    from collectors.text import load_language_model
    from newswatch.models import utcnow

    load_language_model()
    bodies = [(p, p.read_bytes()) for p in feed_files([corpus])]
    # feeds only: files feedparser reads as a feed (the corpus also holds expected-output JSON)
    bodies = [(p, b) for p, b in bodies if feedparser.parse(b).get("version")]
    now = utcnow()
    runs = {
        "feedparser alone (resolve_relative_uris)": lambda p, b: len(feedparser.parse(
            b, sanitize_html=False, resolve_relative_uris=True).entries),
        "feedparser alone (no URI resolution)": lambda p, b: len(feedparser.parse(
            b, sanitize_html=False, resolve_relative_uris=False).entries),
        "newswatch collect path, feedparser": lambda p, b: len(parse_feed(
            FetchedFeed(p.stem, b, now, origin=str(p)), fast=False).articles),
        "newswatch collect path, fast XML": lambda p, b: len(parse_feed(
            FetchedFeed(p.stem, b, now, origin=str(p))).articles),
    }
    best = dict.fromkeys(runs, float("inf"))
    counts = dict.fromkeys(runs, 0)
    for round_ in range(rounds):
        spent = dict.fromkeys(runs, 0.0)
        for path, body in bodies:
            for label, run in runs.items():
                started = time.thread_time()
                found = run(path, body)
                spent[label] += time.thread_time() - started
                counts[label] += found if round_ == 0 else 0
        best = {k: min(best[k], spent[k]) for k in runs}
    readers = [parse_feed(FetchedFeed(p.stem, b, now), detect_language=False).reader
               for p, b in bodies]
    size = sum(len(b) for _, b in bodies)
    entries = counts["feedparser alone (resolve_relative_uris)"]
    print(f"parse: {len(bodies)} feed files, {size / 1e6:.1f} MB, {entries} entries; fast path "
          f"read {readers.count('fast')} files, feedparser {len(readers) - readers.count('fast')}")
    reference = best["feedparser alone (resolve_relative_uris)"]
    strict = best["feedparser alone (no URI resolution)"]
    for label in runs:
        print(f"parse {label:42s}: {best[label]:6.2f} s = {entries / best[label]:6.0f} entries/s "
              f"= {reference / best[label]:4.2f}x feedparser alone "
              f"({strict / best[label]:4.2f}x without URI resolution)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=8)
    parser.add_argument("--entries", type=int, default=20)
    parser.add_argument("--per-host", type=int, default=2)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--corpus", type=Path, help="directory of saved feeds for parse speed")
    parser.add_argument("--parse-only", action="store_true", help="skip the polling benchmark")
    parser.add_argument("--rounds", type=int, default=3, help="parse rounds (best is kept)")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, {platform.machine()}, Python "
          f"{platform.python_version()}")
    if not args.parse_only:
        bench_collection(args)
    if args.corpus:
        bench_parse(args.corpus, args.rounds)


if __name__ == "__main__":
    main()
