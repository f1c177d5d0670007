"""Classify-stage throughput through the bus (articles/s, batched) and latency per batch.

    .venv/bin/python bench/bench_classify.py [--articles 20000] [--batch 256] [--bus URL]
        [--model DIR] [--content-chars N]

Articles are made from the bundled corpus (``--positives`` of them from positive examples,
default 5%; titles + summaries, made distinct), published to a fresh
embedded bus (or ``--bus kafka://host:port``), then one classify stage drains them with the
model analyzer and two label watches. Prints model-only throughput too (after a warm-up batch,
wall clock and per CPU-second: the latter is steadier on a shared machine), for comparison.
``--content-chars N`` gives each article a body of N characters (other corpus examples joined:
the gazetteer reads all of it, the model its first 2,000 characters), to check that long
contents cost time in proportion to their length.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from classifiers.analyzer import ModelAnalyzer, load_analyzer  # noqa: E402
from classifiers.corpus import load_corpus  # noqa: E402
from classifiers.rules import build_watches  # noqa: E402
from classifiers.stage import ClassifyStage  # noqa: E402
from newswatch import serde  # noqa: E402
from newswatch.bus import open_bus  # noqa: E402
from newswatch.config.watches import WatchConfig  # noqa: E402
from newswatch.models import Article  # noqa: E402


class TimedAnalyzer:
    def __init__(self, inner: ModelAnalyzer):
        self.inner, self.labels, self.batches = inner, inner.labels, []

    def analyze(self, articles):
        t = time.perf_counter()
        out = self.inner.analyze(articles)
        self.batches.append((len(articles), time.perf_counter() - t))
        return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=20000)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--bus", default="")
    ap.add_argument("--model", default="")
    ap.add_argument("--content-chars", type=int, default=0,
                    help="body length per article (default: none, title + summary only)")
    ap.add_argument("--positives", type=float, default=0.05,
                    help="share of articles taken from positive examples (real feeds: ~1%%)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="nw-bench-") as tmp:
        if args.model:
            analyzer = load_analyzer(args.model)
        else:
            from newswatch.config import Config
            from newswatch.config.service import ServiceConfig

            try:  # what the classify stage loads (older code: the estimator)
                from classifiers.defaults import ensure_predictor as ensure
            except ImportError:
                from classifiers.defaults import ensure_model as ensure
            config = Config(service=ServiceConfig(data_dir=tmp))
            analyzer = ModelAnalyzer(*ensure(config))
            print(f"model: {type(analyzer.model).__name__}")
        corpus = load_corpus()
        pos = [e for e in corpus if e.labels]
        neg = [e for e in corpus if not e.labels]
        every = max(1, round(1 / args.positives)) if args.positives > 0 else 0
        articles = []
        for i in range(args.articles):
            ex = pos[i % len(pos)] if every and i % every == 0 else neg[i % len(neg)]
            # A serial number keeps texts distinct (no help from the per-text caches).
            content = ""
            while len(content) < args.content_chars:
                other = corpus[(i * 7919 + len(content)) % len(corpus)]
                content += f"{other.title}. {other.summary} "
            articles.append(Article(id=f"b{i}", feed_id="bench", url=f"https://bench.example/{i}",
                                    title=ex.title, summary=f"{ex.summary} ({i})",
                                    content=content[: args.content_chars]))
        # Warm up on other texts first: one-time loads (gazetteer, geography) are not throughput.
        analyzer.analyze([Article(id=f"w{i}", feed_id="bench", url=f"https://bench.example/w{i}",
                                  title=f"warm-up {a.title}", summary=a.summary)
                          for i, a in enumerate(articles[: args.batch])])
        t, cpu = time.perf_counter(), time.process_time()
        for k in range(0, len(articles), args.batch):
            analyzer.analyze(articles[k : k + args.batch])
        model_rate = len(articles) / (time.perf_counter() - t)
        model_cpu_rate = len(articles) / (time.process_time() - cpu)

        url = args.bus or f"sqlite:///{tmp}/bench.db"
        options = {"session_timeout_ms": 6000, "heartbeat_interval_ms": 1000} if "kafka" in url \
            else {}
        prefix = f"bench{os.getpid()}{int(time.time())}-"
        with open_bus(url, **options) as bus:
            bus.create_topics([prefix + "articles", prefix + "matches"])
            for a in articles:
                bus.publish(prefix + "articles", a.id, serde.dumps(a))
            bus.flush()
            watches = build_watches(
                [WatchConfig(name="raids", labels={"cross_border_raid": 0.5}),
                 WatchConfig(name="groups", labels={"armed_group": 0.5})],
                known_labels=analyzer.labels,
            )
            timed = TimedAnalyzer(analyzer)
            stage = ClassifyStage(bus, prefix + "articles", prefix + "matches", watches, timed,
                                  group=prefix + "g", batch_size=args.batch)
            t = time.perf_counter()
            handled = stage.drain()
            elapsed = time.perf_counter() - t
            stage.close()
        lat = sorted(s for _, s in timed.batches)
        scheme = url.split(":")[0]
        print(f"machine: {os.cpu_count()} cpus, python {sys.version.split()[0]}; bus {scheme}")
        print(f"model only:      {model_rate:,.0f} articles/s (batch {args.batch}); "
              f"{model_cpu_rate:,.0f} articles per CPU-second")
        print(f"stage via bus:   {handled / elapsed:,.0f} articles/s ({handled} articles, "
              f"{stage.matched} matches, {elapsed:.2f}s incl. decode/publish/commit)")
        print(f"batch latency:   p50 {statistics.median(lat) * 1000:.1f} ms, "
              f"p95 {lat[int(len(lat) * 0.95) - 1] * 1000:.1f} ms, max {lat[-1] * 1000:.1f} ms "
              f"({len(lat)} batches of <= {args.batch})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
