"""``newswatch check-config [-c FILE | FILE]``: validate a config exactly as ``run`` does."""

from __future__ import annotations

import argparse
import sys

from newswatch.cli.common import SAMPLE, add_config_option, config_path, print_config_error
from newswatch.config import ConfigError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check-config",
        help="validate a config file and exit",
        description="Validate the config as `newswatch run` would before starting: unknown "
        "keys, bad values, broken references between tables, labels the model does not know, "
        "groups not in the gazetteer, user groups whose aliases collide with other groups, "
        "channels that cannot be opened. Every problem is printed "
        "as FILE:LINE: key.path: message, with the closest known name where there is one; "
        "exit 1 if any. The file is -c FILE or FILE, else $NEWSWATCH_CONFIG, else "
        "./newswatch.toml, else the bundled sample.",
    )
    p.add_argument("file", nargs="?", metavar="FILE", help="the config file (same as -c)")
    add_config_option(p)
    p.set_defaults(func=_main)


def _main(args: argparse.Namespace) -> int:
    from newswatch import app

    if args.file and args.config and args.file != args.config:
        print(f"newswatch: check-config: two files given ({args.config} and {args.file})",
              file=sys.stderr)
        return 2
    args.config = args.config or args.file
    path = config_path(args)
    try:
        config = app.load(path)
    except ConfigError as exc:
        print_config_error(exc)
        return 1
    from classifiers.gazetteer import gazetteer_for

    groups = gazetteer_for(config).groups.values()
    yours = sum(1 for g in groups if g.source != "bundled")
    print(
        f"{path or SAMPLE}: ok ({len(config.feeds)} feeds, {len(config.watches)} watches, "
        f"{len(config.channels)} channels, {len(groups)} groups ({yours} yours), "
        f"bus {config.bus_url()}, data_dir {config.service.data_dir})"
    )
    return 0
