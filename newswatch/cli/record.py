"""``newswatch record``: fetch the configured feeds once and save each body with its headers
and fetch time, in the layout ``newswatch replay`` reads."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from collectors.record import Recorder, record_once
from collectors.stage import record_dir
from newswatch.cli.common import add_config_option, config_from_args, setup_logging


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "record",
        help="fetch the configured feeds once and save them for replay",
        description="Fetch every enabled feed (or those named with --feed) once, without "
        "conditional GET, and save DIR/<feed id>/<UTC time>.xml|json with a .headers.json "
        "sidecar (final URL, status, headers, fetch time). `newswatch replay DIR` replays "
        "them deterministically. Feeds with `record = true` are also saved by `newswatch run`.",
    )
    add_config_option(p)
    p.add_argument("--out", metavar="DIR", help="where to save (default: [collect] record_dir, "
                   "else <data_dir>/recorded)")
    p.add_argument("--feed", action="append", metavar="ID", help="only this feed (repeatable)")
    p.set_defaults(func=_main)


def _main(args: argparse.Namespace) -> int:
    config = config_from_args(args, checked=False)
    setup_logging("WARNING")
    feeds = [f for f in config.feeds if f.enabled]
    if args.feed:
        known = {f.id: f for f in config.feeds}
        missing = [name for name in args.feed if name not in known]
        if missing:
            print(f"newswatch: no feed with id {', '.join(map(repr, missing))} in the config",
                  file=sys.stderr)
            return 2
        feeds = [known[name] for name in args.feed]
    if not feeds:
        print("newswatch: no feeds to record", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else record_dir(config)
    bar = tqdm(total=len(feeds), unit="feed", desc="record", disable=not sys.stderr.isatty())
    with bar:
        results = record_once(feeds, config.collect, Recorder(out), progress=bar.update)
    failed = 0
    for feed_id, path, error in results:
        if path is None:
            failed += 1
            print(f"feed {feed_id!r}: not recorded: {error}", file=sys.stderr)
    print(f"record: {len(results) - failed} of {len(results)} feeds saved under {out}",
          file=sys.stderr)
    return 1 if failed == len(results) else 0
