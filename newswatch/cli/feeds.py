"""``newswatch feeds``: feed status; ``newswatch feeds import FILE.opml``: add subscriptions."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from collectors.opml import OpmlError, feeds_toml, read_opml
from collectors.shard import read_states
from collectors.stage import FEEDS, state_path
from collectors.state import FeedState, FeedStateStore
from newswatch.bus import BusError
from newswatch.cli.common import DEFAULT_CONFIG, add_config_option, config_from_args
from newswatch.config import Config, ConfigError, parse_config
from newswatch.progress import progress
from newswatch.redact import redact

_EPOCH = datetime.fromtimestamp(0, UTC)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "feeds",
        help="list feeds with their health, or import an OPML file",
        description="Without an action: one line per configured feed with its status (ok, "
        "failing since, last error, next poll). `feeds import FILE.opml` appends the OPML's "
        "subscriptions as [[feeds]] to the config file, leaving the rest of the file as it is.",
    )
    add_config_option(p)
    p.add_argument("--json", action="store_true", help="print the status as JSON lines")
    p.set_defaults(func=_list)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    imp = actions.add_parser("import", help="append the feeds of an OPML file to the config")
    imp.add_argument("opml", metavar="FILE.opml")
    imp.add_argument(  # SUPPRESS: a -c given before `import` is kept
        "-c", "--config", metavar="FILE", default=argparse.SUPPRESS,
        help=f"config file to add to (default: $NEWSWATCH_CONFIG, else ./{DEFAULT_CONFIG})",
    )
    imp.add_argument("--dry-run", action="store_true", help="print what would be added")
    imp.set_defaults(func=_import)


def _when(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%SZ") if value else "-"  # type: ignore[attr-defined]


def _list(args: argparse.Namespace) -> int:
    config = config_from_args(args, checked=False)
    store = FeedStateStore(state_path(config))
    try:
        states = store.all()
    finally:
        store.close()
    if config.collect.sharded:
        states = _with_shared(config, states)
    rows = []
    for feed in config.feeds:
        st = states.get(feed.id, FeedState(feed.id))
        status = "disabled" if not feed.enabled else st.status
        if args.json:
            print(json.dumps({
                "id": feed.id, "url": redact(feed.url), "status": status,
                "last_success": _when(st.last_success), "failures": st.consecutive_failures,
                "failing_since": _when(st.failing_since), "last_error": redact(st.last_error),
                "next_poll": _when(st.next_poll), "final_url": redact(st.final_url),
                "articles": st.articles_total,
            }))
            continue
        if st.consecutive_failures:
            status = f"failing since {_when(st.failing_since)} ({st.consecutive_failures}x)"
        rows.append((feed.id, status, _when(st.last_success), _when(st.next_poll),
                     str(st.articles_total), redact(st.last_error)[:80]))
    if not args.json:
        if not rows:
            print("no feeds configured", file=sys.stderr)
            return 0
        head = ("FEED", "STATUS", "LAST SUCCESS", "NEXT POLL", "ARTICLES", "LAST ERROR")
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
        for row in [head, *rows]:
            print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return 0


def _with_shared(config: Config, local: dict[str, FeedState]) -> dict[str, FeedState]:
    """Sharded collect: every process's feeds, from the shared table (newest copy wins)."""
    from newswatch.app import make_bus

    try:
        with make_bus(config) as bus:
            shared = read_states(bus, config.bus.topic(FEEDS))
    except BusError as exc:
        print(f"newswatch: cannot read the shared feed state ({exc}); showing this host's copy",
              file=sys.stderr)
        return local
    out = dict(local)
    for feed_id, state in shared.items():
        mine = out.get(feed_id)
        if mine is None or (state.last_poll or _EPOCH) >= (mine.last_poll or _EPOCH):
            out[feed_id] = state
    return out


def _config_path(args: argparse.Namespace) -> Path | None:
    path = args.config or os.environ.get("NEWSWATCH_CONFIG")
    if path:
        return Path(path)
    return Path(DEFAULT_CONFIG) if Path(DEFAULT_CONFIG).exists() else None


def _invalid(text: str, path: Path) -> ConfigError | None:
    """The error if ``text`` would not load: never write a config that would not load."""
    try:
        parse_config(text, str(path))
    except ConfigError as exc:
        return exc
    return None


def _import(args: argparse.Namespace) -> int:
    path = _config_path(args)
    if path is None:
        print(f"newswatch: no config file to import into: pass --config FILE or create "
              f"./{DEFAULT_CONFIG}", file=sys.stderr)
        return 2
    text = path.read_text("utf-8") if path.exists() else ""
    try:
        config = parse_config(text, str(path))
        outlines = read_opml(Path(args.opml).read_bytes(), args.opml)
    except (ConfigError, OpmlError) as exc:
        print(f"newswatch: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"newswatch: {args.opml}: {exc.strerror}", file=sys.stderr)
        return 2
    with progress(outlines, desc="import", unit="feed") as bar:
        block, added, skipped = feeds_toml(
            bar, {f.id for f in config.feeds}, {f.url for f in config.feeds}  # type: ignore[arg-type]
        )
        if not added:
            bar.close()
            print(f"{args.opml}: nothing to add ({len(skipped)} feeds already configured)")
            return 0
        new_text = text + ("" if not text or text.endswith("\n") else "\n")
        new_text += f"\n# Imported from {Path(args.opml).name}\n{block}"
        bar.set_postfix_str("checking the config")  # the slow part for large OPML files
        error = _invalid(new_text, path)
    if error:
        print(f"newswatch: the imported feeds would make the config invalid:\n{error}",
              file=sys.stderr)
        return 1
    if args.dry_run:
        print(block, end="")
    else:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(new_text, "utf-8")
        os.replace(tmp, path)
    print(f"{args.opml}: {'would add' if args.dry_run else 'added'} {len(added)} feeds to "
          f"{path} ({len(skipped)} already configured)")
    return 0
