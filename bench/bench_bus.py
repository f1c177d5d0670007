"""By-hand bus benchmark: publish+flush and consume throughput of each bus.

    .venv/bin/python bench/bench_bus.py                      # sqlite + Kafka (starts Tansu)
    .venv/bin/python bench/bench_bus.py --url kafka://h:9092 --records 100000 --size 2048
    .venv/bin/python bench/bench_bus.py --url sqlite:///tmp/b.db --compression none

Payloads are article-like text (compressible like real news). Kafka runs once per compression
codec. Consume time excludes the group join and commits after every poll, like ``consume()``.
Tansu keeps everything in memory, so its figures are an upper bound for a disk-backed broker.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from newswatch.bus import open_bus  # noqa: E402

TEXT = (
    "the government said on monday that flood waters rose across the region while officials "
    "warned of further storms police reported protests in the capital markets fell as investors "
    "weighed inflation data ministry spokesperson confirmed talks would resume next week"
)
WORDS = TEXT.split()


def payloads(n: int, size: int, seed: int = 7) -> list[bytes]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        text = f'{{"id":"{i:016x}","title":"'
        while len(text) < size - 2:
            text += rng.choice(WORDS) + " "
        out.append((text[: size - 2] + '"}').encode())
    return out


def run(url: str, records: int, size: int, options: dict[str, Any]) -> dict[str, float]:
    data = payloads(records, size)
    mb = records * size / 1e6
    suffix = uuid.uuid4().hex[:8]
    topic, group = f"bench-{suffix}", f"bench-g-{suffix}"
    with open_bus(url, **options) as bus:
        bus.create_topics([topic])
        start = time.perf_counter()
        for i, value in enumerate(data):
            bus.publish(topic, f"article-{i % 1000}", value)
        bus.flush(timeout_secs=300)
        pub = time.perf_counter() - start

        start = time.perf_counter()
        consumer = bus.consumer(group, [topic])
        join = time.perf_counter() - start
        got = 0
        start = time.perf_counter()
        deadline = start + 300
        while got < records and time.perf_counter() < deadline:
            batch = consumer.poll(max_records=500, timeout_secs=1.0)
            if batch:
                consumer.commit(batch)
                got += len(batch)
        con = time.perf_counter() - start
        consumer.close()
    if got != records:
        raise SystemExit(f"{url}: consumed {got} of {records} records")
    return {"pub_rps": records / pub, "pub_mbs": mb / pub, "con_rps": records / con,
            "con_mbs": mb / con, "join": join}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", action="append", help="bus URL (repeatable); default: both")
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--size", type=int, default=1024, help="bytes per record")
    parser.add_argument("--compression", default="none,lz4,zstd", help="Kafka codecs to try")
    args = parser.parse_args()

    broker = None
    tmp = tempfile.TemporaryDirectory(prefix="bench-bus-")
    urls = args.url or [f"sqlite:///{tmp.name}/bus.db", "kafka://"]
    if "kafka://" in urls:
        sys.path.insert(0, str(REPO / "tests"))
        from conftest import TansuBroker  # the same broker the tests use

        broker = TansuBroker()
        urls[urls.index("kafka://")] = f"kafka://{broker.start()}"
    try:
        import crc32c  # noqa: F401

        crc = "C crc32c"
    except ImportError:
        crc = "pure-Python crc32c (pip install crc32c: ~5x faster Kafka)"
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
          f"{platform.release()}, python {platform.python_version()}, kafka-python uses {crc}")
    print(f"records={args.records} size={args.size}B")
    print(f"{'bus':<34} {'codec':<6} {'publish rec/s':>13} {'MB/s':>7} "
          f"{'consume rec/s':>13} {'MB/s':>7} {'join s':>6}")
    try:
        for url in urls:
            codecs = args.compression.split(",") if url.startswith("kafka") else ["-"]
            for codec in codecs:
                options: dict[str, Any] = {}
                if url.startswith("kafka"):
                    options = {"compression_type": None if codec == "none" else codec,
                               "session_timeout_ms": 6000, "heartbeat_interval_ms": 1000}
                r = run(url, args.records, args.size, options)
                print(f"{url:<34} {codec:<6} {r['pub_rps']:>13,.0f} {r['pub_mbs']:>7.1f} "
                      f"{r['con_rps']:>13,.0f} {r['con_mbs']:>7.1f} {r['join']:>6.1f}",
                      flush=True)
    finally:
        if broker is not None:
            broker.stop()
        tmp.cleanup()


if __name__ == "__main__":
    main()
