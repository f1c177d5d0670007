"""By-hand benchmark of story grouping as one story grows: cost per match, bounded vs unbounded.

    .venv/bin/python bench/bench_story.py [--reports 10000] [--step 1000] [--stories 200]

Builds ``--stories`` unrelated background stories, then feeds ``--reports`` reports of one big
story (varied wording of one event, as many outlets write it) through ``StoryIndex.find`` +
``add``, the alert stage's per-match story work. Prints the mean cost per match in each step of
``--step`` reports for the shipped index (the first and 31 latest reports of each story compared)
and for the unbounded reference (every report compared), measured in the same run, and whether
both put every report in the big story.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import time
from dataclasses import replace

from alerts.story import Fingerprint, StoryIndex
from newswatch.models import Article, Match

VERBS = ["shelled", "struck", "hit", "attacked", "bombarded", "targeted"]
PLACES = ["the border town", "villages near the frontier", "the district centre", "a checkpoint"]
EXTRA = ["overnight", "on Tuesday", "again", "officials said", "residents reported", "for hours",
         "with drones", "with artillery", "after a lull", "local media said"]
FILLER = ("market", "harbour", "council", "festival", "school", "bridge", "rail", "ferry", "court",
          "museum", "forest", "clinic", "union", "factory", "mayor", "harvest")


def match(i: int, title: str, summary: str) -> Match:
    article = Article(id=f"a{i}", feed_id=f"f{i % 97}", url=f"https://x.test/{i}", title=title,
                      summary=summary)
    return Match(article=article, watch="w", score=1.0)


def big_story(rng: random.Random, i: int) -> Fingerprint:
    title = (f"Forces {rng.choice(VERBS)} {rng.choice(PLACES)} of Kelmor in the Valdorian "
             f"offensive {rng.choice(EXTRA)}")
    summary = " ".join(rng.sample(EXTRA, 3)) + " as the Valdorian offensive on Kelmor went on."
    return Fingerprint.of(match(i, title, summary))


def background(rng: random.Random, i: int) -> Fingerprint:
    words = rng.sample(FILLER, 6)
    return Fingerprint.of(match(i, f"{words[0].title()} {' '.join(words[1:])} report {i}",
                                " ".join(rng.sample(FILLER, 8))))


def run(members: int | None, reports: int, step: int, stories: int) -> tuple[list[float], int]:
    rng = random.Random(7)
    index = StoryIndex(0.45, 86400, members=members)
    for i in range(stories):
        index.add(f"bg{i}", background(rng, i), 0)
    fps = [big_story(rng, i) for i in range(reports)]
    index.add("big", fps[0], 0)
    costs, joined = [], 1
    for start in range(1, reports, step):
        chunk = fps[start : start + step]
        t = time.perf_counter()
        for fp in chunk:
            sid = index.find(fp, 1.0) or f"new{start}"
            index.add(sid, replace(fp), 1.0)
            joined += sid == "big"
        costs.append((time.perf_counter() - t) / len(chunk) * 1e3)
    return costs, joined


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reports", type=int, default=10_000)
    ap.add_argument("--step", type=int, default=1000)
    ap.add_argument("--stories", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=1,
                    help="run the bounded index this many times and keep each step's fastest")
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, python "
          f"{platform.python_version()}")
    runs = [run(32, args.reports, args.step, args.stories) for _ in range(args.repeat)]
    bounded, b_joined = [min(c) for c in zip(*(r[0] for r in runs), strict=True)], runs[0][1]
    full, f_joined = run(None, args.reports, args.step, args.stories)
    print(f"{'reports in story':>16} {'bounded ms/match':>17} {'unbounded ms/match':>19} "
          f"{'ratio':>6}")
    for k, (b, f) in enumerate(zip(bounded, full, strict=True)):
        print(f"{min((k + 1) * args.step, args.reports):>16} {b:>17.3f} {f:>19.3f} {f / b:>6.1f}")
    print(f"bounded: last step / first step = {bounded[-1] / bounded[0]:.2f}; "
          f"unbounded: {full[-1] / full[0]:.2f}")
    print(f"reports joining the big story: bounded {b_joined}, unbounded {f_joined} "
          f"of {args.reports}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
