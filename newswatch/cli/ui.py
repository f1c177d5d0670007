"""``newswatch ui hash-password``: the password hash for ``[ui] password_hash``."""

from __future__ import annotations

import argparse
import getpass
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ui",
        help="web UI helpers (the UI itself is served by `newswatch run`)",
        description="The web inbox is served by `newswatch run` on [service] http_listen. "
        "Bound to anything but loopback it needs a login: put the hash printed by "
        "`newswatch ui hash-password` into [ui] password_hash, best via the environment "
        "(NEWSWATCH_UI__PASSWORD_HASH) or [ui] password_hash_file.",
    )
    usub = p.add_subparsers(dest="ui_command", metavar="ACTION", required=True)
    hp = usub.add_parser("hash-password", help="print the scrypt hash of a password",
                         description="Asks for the password twice (or reads one line from "
                         "stdin with --stdin) and prints its hash; the password is not stored.")
    hp.add_argument("--stdin", action="store_true", help="read the password from stdin")
    hp.set_defaults(func=_hash)


def _hash(args: argparse.Namespace) -> int:
    from newswatch.ui.auth import hash_password

    if args.stdin or not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            print("newswatch: the two passwords differ", file=sys.stderr)
            return 2
    if len(password) < 8:
        print("newswatch: use at least 8 characters", file=sys.stderr)
        return 2
    print(hash_password(password))
    return 0
