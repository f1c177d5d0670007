"""By-hand benchmark: what one ``/metrics`` scrape costs as the feed count grows.

    .venv/bin/python bench/bench_metrics.py [--feeds 1000] [--failing-percent 5] [--scrapes 20]

Polls N loopback feeds twice through the real collect stage (``build_stage`` + ``drain``: one
fresh round, one round of 304s; a share of the feeds answer 404 so some are failing), then
renders the process's Prometheus registry as the service's ``/metrics`` does and reports the
number of series, the body size and the CPU time per scrape (``time.process_time``, best of 3
batches). To compare code versions, run the same script with ``PYTHONPATH`` pointing at a
checkout of the other version (the script imports ``newswatch`` from wherever Python finds it).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_collect import serve  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--hosts", type=int, default=8)
    ap.add_argument("--failing-percent", type=float, default=5.0)
    ap.add_argument("--scrapes", type=int, default=20)
    args = ap.parse_args()
    from prometheus_client import REGISTRY, generate_latest

    import newswatch
    from collectors.stage import build_stage
    from newswatch import app
    from newswatch.config import parse_config

    print(f"machine: {os.cpu_count()} cores, {platform.machine()}, Python "
          f"{platform.python_version()}; newswatch from {Path(newswatch.__file__).parent}")
    port = 18000 + os.getpid() % 20000
    ready = multiprocessing.Event()
    server = multiprocessing.Process(target=serve, args=(args.hosts, port, args.feeds, 1, ready),
                                     daemon=True)
    server.start()
    ready.wait(30)
    failing = int(args.feeds * args.failing_percent / 100)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            feeds = "".join(
                f'[[feeds]]\nid = "f{n}"\nurl = "http://127.0.0.{n % args.hosts + 1}:{port}'
                f'/feed/{n if n >= failing else "missing-" + str(n)}.xml"\n'
                for n in range(args.feeds)
            )
            config = parse_config(
                f'[service]\ndata_dir = "{tmp}"\n[collect]\nper_host_concurrency = 4\n'
                f"max_workers = 16\n{feeds}", "bench", environ={},
            )
            bus = app.make_bus(config)
            stage = build_stage(config, bus)
            started = time.perf_counter()
            for _ in range(2):
                stage.drain()
            polled = time.perf_counter() - started
            stage.close()
            bus.close()
    finally:
        server.terminate()
        server.join(10)
    body = generate_latest(REGISTRY)
    series = sum(1 for line in body.decode().splitlines() if line and not line.startswith("#"))
    best = None
    for _ in range(3):
        t = time.process_time()
        for _ in range(args.scrapes):
            generate_latest(REGISTRY)
        per = (time.process_time() - t) / args.scrapes
        best = per if best is None else min(best, per)
    print(f"{args.feeds} feeds ({failing} failing), 2 rounds in {polled:.1f} s: {series} series, "
          f"{len(body) / 1024:.0f} KB a scrape, {best * 1000:.2f} ms CPU a scrape")


if __name__ == "__main__":
    main()
