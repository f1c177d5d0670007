"""Start-up time of the CLI: `newswatch --help` and a one-line `newswatch classify` with a
cached model, against `python -c pass` in the same run (median of N runs each, interleaved).

    .venv/bin/python bench/bench_startup.py [--runs 10] [--config FILE]

The classify run needs a trained model in the configured place (run it once before)."""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time

LINE = "Volunteer units cross the border near Belgorod, the governor says\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--config", help="config for classify (default: newswatch's default)")
    args = parser.parse_args()
    config = ["-c", args.config] if args.config else []
    cases = {
        "python -c pass": ([sys.executable, "-c", "pass"], None),
        "newswatch --help": ([sys.executable, "-m", "newswatch", "--help"], None),
        "newswatch classify (1 line)": ([sys.executable, "-m", "newswatch", "classify",
                                         *config], LINE),
    }
    times: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(args.runs):
        for label, (cmd, stdin) in cases.items():
            started = time.perf_counter()
            res = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=300)
            times[label].append(time.perf_counter() - started)
            if res.returncode != 0:
                sys.exit(f"{label} failed: {res.stderr.strip()[-500:]}")
    base = statistics.median(times["python -c pass"])
    print(f"machine: {os.cpu_count()} cores, {platform.machine()}, Python "
          f"{platform.python_version()}, load {os.getloadavg()[0]:.1f}")
    for label, values in times.items():
        med = statistics.median(values)
        print(f"{label:30s} median {med:6.3f} s (min {min(values):.3f}), "
              f"{med - base:+.3f} s over the interpreter")


if __name__ == "__main__":
    main()
