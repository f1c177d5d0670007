"""Place-name matching: token lookups (what classifiers.geo.matcher does) against an
Aho-Corasick automaton (pyahocorasick) over the same alias table, on the bundled corpus.

    .venv/bin/python bench/bench_geo_matcher.py [--texts 4000]

Both find the raw alias hits (token start, end, candidates); CPU time per text, best of 3,
and the hits compared. Needs ``pip install pyahocorasick`` (not a dependency: token lookups won).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from classifiers.corpus import load_corpus  # noqa: E402
from classifiers.geo.index import default_geography  # noqa: E402
from classifiers.text import folded_tuple, token_tuple  # noqa: E402


def token_hits(geo, text):
    orig, low = token_tuple(text), folded_tuple(text)
    lengths, table, pairs = geo.lengths, geo.table, geo.pairs
    present = {t for t in low if t in lengths}
    out, n, nxt = [], len(low), 0
    for i in [i for i, t in enumerate(low) if t in present and not orig[i][0].islower()]:
        if i < nxt:
            continue
        t = low[i]
        options = lengths[t]
        pair = f"{t} {low[i + 1]}" if options[0] > 1 and i + 1 < n else ""
        for length in options:
            if i + length > n or (length > 1 and pair not in pairs):
                continue
            hit = table.get(" ".join(low[i : i + length]) if length > 1 else t)
            if hit:
                out.append((i, i + length))
                nxt = i + length
                break
    return out


def build_automaton(geo):
    import ahocorasick

    auto = ahocorasick.Automaton()
    for key in geo.table:
        auto.add_word(f" {key} ", key.count(" ") + 1)
    auto.make_automaton()
    return auto


def aho_hits(auto, text):
    orig, low = token_tuple(text), folded_tuple(text)
    joined = " " + " ".join(low) + " "
    found = {}
    for end, length in auto.iter(joined):
        first = joined.count(" ", 0, end + 1) - length - 1  # token index of the alias start
        if orig[first][0].islower():
            continue
        if first not in found or found[first] < length:
            found[first] = length
    out, nxt = [], 0
    for i in sorted(found):
        if i >= nxt:
            out.append((i, i + found[i]))
            nxt = i + found[i]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--texts", type=int, default=4000)
    args = ap.parse_args()
    geo = default_geography()
    t = time.process_time()
    auto = build_automaton(geo)
    print(f"automaton: {len(geo.table):,} aliases built in {time.process_time() - t:.1f}s CPU")
    base = [f"{e.title}\n{e.summary}" for e in load_corpus()[: args.texts]]
    rates = {}
    for name, fn in (("token lookups", lambda x: token_hits(geo, x)),
                     ("aho-corasick", lambda x: aho_hits(auto, x))):
        best = float("inf")
        for rep in range(3):
            texts = [f"{name[0]}{rep} {x}" for x in base]
            for x in texts:  # tokenising is shared with the model; not part of matching
                token_tuple(x), folded_tuple(x)
            t = time.process_time()
            for x in texts:
                fn(x)
            best = min(best, time.process_time() - t)
        rates[name] = best / len(base) * 1e6
        print(f"{name:<14} {rates[name]:6.1f} us/text CPU (best of 3, {len(base)} texts)")
    same = sum(token_hits(geo, x) == aho_hits(auto, x) for x in base)
    print(f"same hits on {same}/{len(base)} texts; token lookups are "
          f"{rates['aho-corasick'] / rates['token lookups']:.2f}x the speed of aho-corasick")
    return 0


if __name__ == "__main__":
    sys.exit(main())
