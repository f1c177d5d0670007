"""``newswatch groups [SEARCH]``: the named groups the classifier knows (bundled and the user's).

One block per group: canonical name, kind, home, where it comes from, then its aliases (those
that count only with context marked ``~``). SEARCH is matched, case- and accent-folded, against
the canonical name, every alias, the kind, the region and the home.
"""

from __future__ import annotations

import argparse
import json
import sys

from newswatch.cli.common import add_config_option, config_from_args


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "groups", help="list the named groups the classifier knows (bundled and yours)",
        description="List canonical group names with their aliases, kind and home, from the "
        "bundled gazetteer merged with the config's [[groups]] and [classifier] groups_file. "
        "Aliases marked ~ count only with context (leaders, unit words, places). Exit 1 when "
        "nothing matches SEARCH.",
    )
    p.add_argument("search", nargs="?", default="", metavar="SEARCH",
                   help="part of a name, alias, kind, region or home (case-insensitive)")
    p.add_argument("--json", action="store_true", help="one JSON object per group")
    add_config_option(p)
    p.set_defaults(func=_main)


def _main(args: argparse.Namespace) -> int:
    from classifiers.gazetteer import gazetteer_for
    from classifiers.text import normalise

    config = config_from_args(args, checked=False)  # list groups even if a channel is broken
    try:
        gazetteer = gazetteer_for(config)
    except ValueError as exc:
        print(f"newswatch: {exc}", file=sys.stderr)
        return 2
    needle = normalise(args.search)
    shown = 0
    for info in sorted(gazetteer.groups.values(), key=lambda g: g.name.casefold()):
        rules = gazetteer.rules[info.name]
        fields = (info.name, *info.aliases, info.kind, info.region, *info.homes)
        if needle and not any(needle in normalise(f) for f in fields if f):
            continue
        shown += 1
        ambiguous = {a for a in info.aliases if gazetteer.is_ambiguous(info.name, a)}
        if args.json:
            print(json.dumps({"name": info.name, "aliases": list(info.aliases),
                              "ambiguous_aliases": sorted(ambiguous), "kind": info.kind,
                              "home": info.home, "also_home": list(info.also_home),
                              "region": info.region, "source": info.source,
                              "leaders": sum(map(len, rules.leaders.values())),
                              "context": sum(map(len, rules.context.values()))},
                             ensure_ascii=False))
            continue
        home = info.home or "-"
        if info.also_home:
            home += f" (also {', '.join(info.also_home)})"
        print(f"{info.name}  [{info.kind or '-'}] home: {home}  ({info.source})")
        aliases = [f"~{a}" if a in ambiguous else a for a in info.aliases]
        if aliases:
            print(f"    aliases: {', '.join(aliases)}")
    if not args.json:
        what = f" matching {args.search!r}" if args.search else ""
        print(f"{shown} group(s){what} of {len(gazetteer.groups)}", file=sys.stderr)
    return 0 if shown else 1
