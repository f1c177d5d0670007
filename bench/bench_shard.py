"""By-hand benchmark of sharded collect: N loopback feeds shared by 1, 2, 4 collect processes.

    .venv/bin/python bench/bench_shard.py [--feeds 10000] [--counts 4,2,1] [--window 60]
        [--entries 5] [--new-percent 10] [--kafka HOST:PORT]

A feed server process listens on 127.0.0.1..127.0.0.8 (one "host" each) and serves N RSS feeds
with ETags: a conditional GET gets a 304, except that ``--new-percent`` of them get a new entry
(the body changes and is parsed, one article is new). ``newswatch run --stage collect``
processes with ``[collect] sharded = true`` share the feeds through a Kafka broker (the Tansu
broker of the tests unless ``--kafka``); intervals are 10 s, so there is always more work than
the processes can do and the rate measured is their capacity. The process count walks through
``--counts`` (extra processes are stopped with SIGTERM, their feeds move with their state; new
ones join); for each count, after the first round and a settling pause, it reports per process
the polls/s over ``--window`` seconds (from /metrics), the share of polls that parsed a new
body, CPU ms per poll and RSS, and the time the group took to hand the partitions over. The
feed server and the broker run on the same machine and take part of its cores.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

REPO = Path(__file__).resolve().parents[1]
HOSTS = 8
WORDS = ["border", "harbour", "council", "storm", "ferry", "convoy", "market", "bridge", "river",
         "village", "school", "minister", "treaty", "depot", "rescue", "train", "station"]


def body(n: int, version: int, entries: int) -> bytes:
    items = []
    for v in range(max(0, version - entries + 1), version + 1):
        words = " ".join(WORDS[(n * 7 + v * 3 + k) % len(WORDS)] for k in range(9))
        items.append(f"<item><title>Feed {n} story {v}: {words}</title>"
                     f"<link>https://f{n}.example/s/{v}</link><guid>f{n}-{v}</guid>"
                     f"<pubDate>Sun, 22 Nov 2026 {v % 24:02d}:00:00 GMT</pubDate>"
                     f"<description>{words} {words} reported on day {v}.</description></item>")
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {n}'
            f"</title><link>https://f{n}.example/</link>{''.join(items)}</channel></rss>").encode()


def serve(port: int, feeds: int, entries: int, new_share: float,
          ready: multiprocessing.synchronize.Event) -> None:
    versions = [entries - 1] * feeds
    lock = threading.Lock()
    rng = random.Random(7)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            n = int(self.path.rsplit("/", 1)[-1].split(".")[0])
            with lock:
                etag = f'"{n}-{versions[n]}"'
                if self.headers.get("If-None-Match") == etag and rng.random() < new_share:
                    versions[n] += 1  # this poll finds a new entry
                    etag = f'"{n}-{versions[n]}"'
                version = versions[n]
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            data = body(n, version, entries)
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    for h in range(HOSTS):
        server = ThreadingHTTPServer((f"127.0.0.{h + 1}", port), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    ready.set()
    threading.Event().wait()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Collector:
    def __init__(self, name: str, cfg: Path, tmp: Path, log_level: str = "WARNING"):
        self.name, self.http = name, free_port()
        env = {**os.environ, "NEWSWATCH_SERVICE__DATA_DIR": str(tmp / name)}
        self.log = open(tmp / f"{name}.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "newswatch", "run", "-c", str(cfg), "--stage", "collect",
             "--log-level", log_level, "--http-listen", f"127.0.0.1:{self.http}"],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)

    def metrics(self) -> dict[str, float]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.http}/metrics", timeout=30) as r:
                text = r.read().decode()
        except OSError:
            return {}
        out: dict[str, float] = {}
        for family in text_string_to_metric_families(text):
            for s in family.samples:
                key = s.name + "".join(f",{v}" for v in s.labels.values())
                out[key] = out.get(key, 0.0) + s.value
        return out

    def polls(self, outcome: str = "") -> float:
        m = self.metrics()
        if outcome:
            return m.get(f"newswatch_feeds_polled_total,{outcome}", 0.0)
        return sum(v for k, v in m.items() if k.startswith("newswatch_feeds_polled_total,"))

    def cpu_secs(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> float:
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=120)
        self.log.close()
        return time.monotonic() - started


def wait_for(check, secs: float, what: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + secs
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out after {secs:g}s waiting for {what}")
        time.sleep(1)


def owned_partitions(procs: list[Collector]) -> float:
    return sum(p.metrics().get("newswatch_collect_partitions", 0.0) for p in procs)


def measure(procs: list[Collector], window: float) -> None:
    first = [(p.polls(), p.polls("ok"), p.cpu_secs()) for p in procs]
    t0 = time.monotonic()
    time.sleep(window)
    took = time.monotonic() - t0
    total = 0.0
    for p, (polls, fresh, cpu) in zip(procs, first, strict=True):
        n, f = p.polls() - polls, p.polls("ok") - fresh
        total += n
        print(f"  {p.name}: {n / took:6.1f} polls/s ({100 * f / max(n, 1):4.1f}% new bodies), "
              f"{1000 * (p.cpu_secs() - cpu) / max(n, 1):5.2f} ms CPU a poll, "
              f"RSS {p.rss_mb():.0f} MB")
    print(f"  all {len(procs)}: {total / took:6.1f} polls/s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--feeds", type=int, default=10_000)
    ap.add_argument("--counts", default="4,2,1")
    ap.add_argument("--window", type=float, default=60.0)
    ap.add_argument("--entries", type=int, default=5)
    ap.add_argument("--new-percent", type=float, default=10.0)
    ap.add_argument("--partitions", type=int, default=24)
    ap.add_argument("--kafka", help="HOST:PORT of a broker (default: start Tansu)")
    ap.add_argument("--logs", type=Path, help="keep the processes' INFO logs in this directory")
    args = ap.parse_args()
    counts = [int(c) for c in args.counts.split(",")]
    print(f"machine: {os.cpu_count()} cores, {platform.machine()}, Python "
          f"{platform.python_version()}; {args.feeds} feeds x {args.entries} entries, "
          f"{args.new_percent:g}% of polls find a new entry")
    broker = None
    if args.kafka is None:
        sys.path.insert(0, str(REPO / "tests"))
        from conftest import TansuBroker

        broker = TansuBroker()
        args.kafka = broker.start()
    port = 18000 + os.getpid() % 20000
    ready = multiprocessing.Event()
    server = multiprocessing.Process(
        target=serve, args=(port, args.feeds, args.entries, args.new_percent / 100, ready),
        daemon=True)
    server.start()
    ready.wait(30)
    procs: list[Collector] = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-shard-") as tmp_name:
            tmp = args.logs or Path(tmp_name)
            tmp.mkdir(parents=True, exist_ok=True)
            cfg = tmp / "newswatch.toml"
            feeds = "".join(
                f'[[feeds]]\nid = "f{n}"\nurl = "http://127.0.0.{n % HOSTS + 1}:{port}/{n}.xml"\n'
                "interval_secs = 10\njitter_secs = 1\n" for n in range(args.feeds))
            cfg.write_text(
                f'[service]\nreload = false\n[bus]\nurl = "kafka://{args.kafka}"\n'
                f'topic_prefix = "bench{uuid.uuid4().hex[:6]}."\n[bus.kafka]\n'
                "session_timeout_ms = 6000\nheartbeat_interval_ms = 1000\n"
                f"[collect]\nsharded = true\nfeed_partitions = {args.partitions}\n"
                f"per_host_concurrency = 4\nmax_workers = 16\n{feeds}")
            for i, count in enumerate(counts):
                # One process at a time, each change settled before the next: the Tansu test
                # broker's group coordinator can hang when a second member leaves during the
                # rebalance the first one caused (Apache Kafka handles that).
                while len(procs) != count:
                    changed = time.monotonic()
                    if len(procs) > count:
                        gone = procs.pop()
                        exit_secs = gone.stop()
                        what = f"{gone.name} (SIGTERM to exit {exit_secs:.1f} s) stopped"
                    else:
                        procs.append(Collector(f"collect-{len(procs) + 1}", cfg, tmp,
                                               "INFO" if args.logs else "WARNING"))
                        what = f"{procs[-1].name} started"
                    joined = [] if what.endswith("stopped") else [procs[-1]]
                    wait_for(lambda j=joined: owned_partitions(procs) == args.partitions and (
                        not j or owned_partitions(j) > 0), 300,
                        "every partition owned, the new process's share too")
                    print(f"{what}: every partition owned again "
                          f"{time.monotonic() - changed:.1f} s later")
                print(f"{count} processes:")
                if i == 0:
                    t = time.monotonic()
                    wait_for(lambda: sum(p.polls() for p in procs) >= args.feeds, 3600,
                             "the first round")
                    print(f"  first round (every body new): {time.monotonic() - t:.0f} s")
                time.sleep(15)  # settle: moved feeds get their first polls
                measure(procs, args.window)
            for p in procs:
                p.stop()
            procs.clear()
    finally:
        for p in procs:
            p.proc.kill()
        server.terminate()
        if broker is not None:
            broker.stop()


if __name__ == "__main__":
    main()
