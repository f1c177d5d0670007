"""By-hand web UI benchmark: inbox pages over a ledger of 100,000 matches.

    .venv/bin/python bench/bench_ui.py                    # 100,000 matches, 30 requests each
    .venv/bin/python bench/bench_ui.py --matches 20000 --requests 50

Builds a delivery ledger (match_routes with serialised matches, their dispositions, one alert
and one delivery per match: what the alert stage writes), fills the UI's side index from it
(timed), then serves the UI on the real HTTP endpoint (uvicorn, loopback) and times whole
requests with a keep-alive client: the inbox's first page of 50, a deep page, filters,
searches, a match and a story page. ``/healthz`` in the same run is the reference.
Target: the inbox page of 50 in under 100 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402

from alerts.ledger import Ledger  # noqa: E402
from newswatch import serde  # noqa: E402
from newswatch.config import parse_config  # noqa: E402
from newswatch.models import Article, LabelScore, Match, Place, Source, stable_id  # noqa: E402
from newswatch.service.http import HttpEndpoint  # noqa: E402
from newswatch.ui import build_ui  # noqa: E402

WORDS = [
    "border", "raid", "incursion", "village", "shelling", "convoy", "militia", "legion", "drone",
    "depot", "checkpoint", "river", "crossing", "governor", "report", "fighters", "attack",
    "police", "post", "frontier", "region", "ministry", "statement", "night", "dawn", "troops",
    "patrol", "bridge", "fuel", "ambush", "rebels", "volunteers", "district", "customs",
    "guards", "artillery", "evacuation", "curfew", "harbour",
]
WATCHES = ["raids", "groups", "legions", "frontier", "quiet"]
GROUPS = [f"Group {chr(65 + i)}" for i in range(20)]
PLACES = [Place(f"XX-{i:02d}", f"Province {i}", "region", "XX") for i in range(15)]


def build_ledger(path: Path, n: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    ledger = Ledger(path)
    start = datetime(2031, 1, 1, tzinfo=UTC)
    with ledger.transaction() as conn:
        for i in range(n):
            feed = f"feed-{i % 50}"
            title = " ".join(rng.choice(WORDS) for _ in range(9)).capitalize()
            published = start + timedelta(minutes=i)
            article = Article(
                id=stable_id("bench", str(i)), feed_id=feed, url=f"https://{feed}.example/{i}",
                title=title, summary=" ".join(rng.choice(WORDS) for _ in range(30)),
                published=published, source=Source(feed_id=feed, feed_title=f"Feed {i % 50}"))
            raid, group = rng.random(), rng.random()
            m = Match(
                article=article, watch=rng.choice(WATCHES), score=0.9,
                labels=(LabelScore("cross_border_raid", raid), LabelScore("armed_group", group)),
                groups=tuple(rng.sample(GROUPS, rng.choice((0, 0, 1, 2)))),
                places=tuple(rng.sample(PLACES, rng.choice((0, 1, 1, 2)))),
                reasons=(f"label cross_border_raid {raid:.2f} >= 0.5",),
                severity=rng.choice(("normal", "normal", "high", "critical")),
                matched_at=published)
            story, alert = stable_id("story", str(i // 3)), stable_id("alert", str(i))
            ts = published.timestamp()
            conn.execute(
                "INSERT INTO match_routes(match_id, route, story_id, group_id, alert_id, state, "
                "received, data) VALUES (?, ?, ?, ?, ?, 'alerted', ?, ?)",
                (m.id, f"watch-{m.watch}", story, story, alert, ts, serde.dumps(m)))
            conn.execute(
                "INSERT INTO dispositions(match_id, route, watch, article_id, feed_id, title, url, "
                "story_id, alert_id, disposition, reason, received, updated) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'alerted', '', ?, ?)",
                (m.id, f"watch-{m.watch}", m.watch, article.id, feed, title, article.url, story,
                 alert, ts, ts))
            conn.execute(
                "INSERT INTO alerts(id, route, story_id, follow_up_of, severity, created, title, "
                "data) VALUES (?, ?, ?, '', ?, ?, ?, x'')",
                (alert, f"watch-{m.watch}", story, m.severity, ts, title))
            conn.execute(
                "INSERT INTO deliveries(alert_id, channel, state, attempts, updated, sent_at) "
                "VALUES (?, 'mail', 'sent', 1, ?, ?)", (alert, ts, ts))
    ledger.close()


def timed(client: httpx.Client, url: str, n: int) -> list[float]:
    client.get(url).raise_for_status()  # warm-up
    out = []
    for _ in range(n):
        t = time.perf_counter()
        r = client.get(url)
        out.append((time.perf_counter() - t) * 1000)
        r.raise_for_status()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--matches", type=int, default=100_000)
    ap.add_argument("--requests", type=int, default=30)
    ap.add_argument("--keep", metavar="DIR", help="build the ledger and index here once and "
                    "reuse them on later runs (default: a temporary directory)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ui-") as tmp:
        data = Path(args.keep or tmp)
        data.mkdir(parents=True, exist_ok=True)
        config = parse_config(f'[service]\ndata_dir = "{data}"\n[classifier]\nkind = "keywords"'
                              '\n[ui]\nretrain = false', "bench", environ={})
        if not (data / "alerts.db").exists():
            t = time.perf_counter()
            build_ledger(data / "alerts.db", args.matches)
            print(f"ledger: {args.matches:,} matches written in {time.perf_counter() - t:.1f}s")
        app, ctx = build_ui(lambda: config, bound_host="127.0.0.1")
        t, cpu, n = time.perf_counter(), time.process_time(), 0
        while added := ctx.index.sync(ctx.ledger, limit=5000):
            n += added
        secs = time.perf_counter() - t
        size = os.path.getsize(data / "ui.db") / 1e6
        print(f"side index: {n:,} new matches in {secs:.1f}s ({time.process_time() - cpu:.1f}s "
              f"CPU); ui.db {size:.0f} MB")
        endpoint = HttpEndpoint("127.0.0.1", 0, lambda: (True, {}), lambda: (True, {}), app)
        endpoint.start()
        ctx.facets()
        base = f"http://{endpoint.address}"
        some = ctx.index.page(ctx_filters(), None, None, 1)[0][0]
        deep = ctx.index.page(ctx_filters(), None, None, 50)[0][0].seq - args.matches + 200
        cases = [
            ("/healthz (reference)", "/healthz"),
            ("inbox, newest 50", "/"),
            ("inbox, deep page", f"/?before={max(deep, 60)}"),
            ("filter: label", "/?label=cross_border_raid"),
            ("filter: place (contains)", "/?place=XX"),
            ("filter: watch+severity+group", "/?watch=legions&severity=critical&group=Group+C"),
            ("search: common word", "/?q=border"),
            ("search: two words + filter", "/?q=fuel+ambush&label=armed_group"),
            ("search: rare (no hit)", "/?q=zzzyx"),
            ("match page", f"/match/{some.match_id}"),
            ("story page", f"/story/{some.story_id}"),
        ]
        print(f"\n{platform.node()} ({os.cpu_count()} cores), Python {platform.python_version()}, "
              f"{args.requests} requests each, keep-alive client on loopback")
        print(f"{'request':<32}{'median ms':>10}{'p90 ms':>9}{'x healthz':>11}")
        ref = None
        with httpx.Client(base_url=base, timeout=60) as client:
            for name, url in cases:
                times = sorted(timed(client, url, args.requests))
                med, p90 = statistics.median(times), times[int(len(times) * 0.9) - 1]
                ref = ref or med
                print(f"{name:<32}{med:>10.1f}{p90:>9.1f}{med / ref:>11.1f}")
        endpoint.close()
        ctx.close()
    return 0


def ctx_filters():  # noqa: ANN201
    from newswatch.ui.index import Filters

    return Filters()


if __name__ == "__main__":
    sys.exit(main())
