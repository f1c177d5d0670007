"""How many city names a population cut adds, and how many of them match ordinary news.

    .venv/bin/python bench/bench_geo_cut.py PATH [--cuts 15000 5000]

PATH: JSON lines with ``headline`` and ``short_description`` (e.g. the HuffPost sample in
/work/shared/news-sample, which is US and lifestyle news: nearly every city found there that is
outside the big-city set is a false match such as a surname or a common word). Prints, per cut,
the number of cities, the city matches per 1,000 texts and a sample of the names matched only
at that cut.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from classifiers.geo.index import Geography, build  # noqa: E402
from classifiers.geo.matcher import find  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("path")
    ap.add_argument("--cuts", type=int, nargs="+", default=[15000, 5000])
    args = ap.parse_args()
    rows = [json.loads(x) for x in Path(args.path).read_text("utf-8").splitlines() if x]
    texts = [f"{r.get('headline', '')}\n{r.get('short_description', '')}" for r in rows]
    seen: dict[int, Counter[str]] = {}
    for cut in sorted(args.cuts, reverse=True):
        geo = Geography(build(cut))
        cities = {p.id for p in geo.places if p.kind == "city"}
        found: Counter[str] = Counter()
        for t in texts:
            found.update(m.place.id for m in find(geo, t) if m.place.kind == "city")
        seen[cut] = found
        print(f"cut {cut:>6}: {len(cities):,} cities; {sum(found.values()) * 1000 / len(texts):.1f}"
              f" city matches per 1,000 texts; {len(found)} distinct")
    cuts = sorted(seen, reverse=True)
    for hi, lo in zip(cuts, cuts[1:], strict=False):
        extra = seen[lo] - seen[hi]
        sample = [c for c, _ in extra.most_common(25)]
        print(f"only at {lo}: {sum(extra.values())} matches, e.g. {sample}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
