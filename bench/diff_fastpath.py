"""Compare the fast XML path with feedparser on saved feeds, field by field, and list every
difference (the by-hand companion of tests/collectors/test_fastpath.py).

    .venv/bin/python bench/diff_fastpath.py ../shared/feeds-corpus [MORE PATHS...]

Files are found as `newswatch replay` finds them (extension-less files sniffed by content).
Prints each file with differences, then how many files and entries each reader took and why
the fast path declined the others. Exit status 1 when any difference was found."""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    from collectors.fastcheck import both, differences
    from collectors.replay import feed_files, load_saved

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--language", action="store_true", help="also compare languages")
    args = parser.parse_args()
    files = entries = differing = 0
    readers: collections.Counter[str] = collections.Counter()
    fast_entries = 0
    for path in feed_files(args.paths):
        fast, reference = both(load_saved(path), detect_language=args.language)
        files += 1
        entries += len(reference.articles)
        reader = fast.reader.split(":")[0]
        readers[reader or "rejected or not a feed"] += 1
        fast_entries += len(fast.articles) if fast.reader == "fast" else 0
        found = differences(fast, reference)
        if found:
            differing += 1
            print(f"== {path} ({fast.reader})")
            for line in found:
                print(f"   {line}")
    print(f"{files} files, {entries} articles by feedparser; {differing} files with differences;"
          f" fast path read {readers['fast']} files ({fast_entries} articles)")
    for reader, count in readers.most_common():
        print(f"  {count:5d}  {reader}")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
