"""``newswatch alerts list [--all]``, ``alerts mute|unmute``, ``alerts dlq list|retry``: the
delivery ledger."""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from newswatch import storage
from newswatch.cli import rebuild
from newswatch.cli.common import add_config_option, config_from_args
from newswatch.progress import progress

RETRY_CHUNK = 100  # alert ids re-queued per ledger transaction: the alert stage keeps going


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "alerts",
        help="show alerts and their delivery state; manage dead letters",
        description="Read the delivery ledger (<data_dir>/alerts.db): recent alerts with their "
        "state per channel, and the dead-letter store of deliveries that failed for good.",
    )
    asub = p.add_subparsers(dest="alerts_command", metavar="ACTION", required=True)
    ls = asub.add_parser("list", help="recent alerts and their per-channel state")
    add_config_option(ls)
    ls.add_argument("-n", "--limit", type=int, default=20, help="how many (default 20)")
    ls.add_argument("--all", action="store_true",
                    help="also every match under the alert it made or joined, with its "
                    "disposition and reason (grouped, suppressed...), and the recent matches "
                    "that are in no alert (muted, no route, waiting)")
    ls.set_defaults(func=_list)
    mu = asub.add_parser(
        "mute", help="silence a story, watch, feed or route for a while (no args: list mutes)",
        description="Matches covered by a mute are recorded as 'muted' (alerts list --all, "
        "/metrics) and make no message; the running alert stage applies it at once.")
    add_config_option(mu)
    target = mu.add_mutually_exclusive_group()
    for kind in ("story", "watch", "feed", "route"):
        target.add_argument(f"--{kind}", metavar="ID" if kind in ("story", "feed") else "NAME")
    mu.add_argument("--hours", type=float, default=24.0, help="how long (default 24)")
    mu.add_argument("--reason", default="", help="shown beside each muted match")
    mu.set_defaults(func=_mute)
    um = asub.add_parser("unmute", help="end a mute early")
    add_config_option(um)
    um.add_argument("mute_id", metavar="MUTE_ID")
    um.set_defaults(func=_unmute)
    dlq = asub.add_parser("dlq", help="dead-lettered deliveries")
    dsub = dlq.add_subparsers(dest="dlq_command", metavar="ACTION", required=True)
    dl = dsub.add_parser("list", help="list dead-lettered deliveries with their last error")
    add_config_option(dl)
    dl.add_argument("--channel", help="only this channel")
    dl.set_defaults(func=_dlq_list)
    dr = dsub.add_parser(
        "retry",
        help="re-queue dead-lettered deliveries",
        description="Re-queue dead deliveries (the given alert ids, or --all); the running "
        "alert stage sends them within a second or so.",
    )
    add_config_option(dr)
    dr.add_argument("alert_ids", nargs="*", metavar="ALERT_ID")
    dr.add_argument("--channel", help="only this channel")
    dr.add_argument("--all", action="store_true", help="every dead delivery")
    dr.set_defaults(func=_dlq_retry)
    rebuild.register(asub)
    for parser in (ls, dl, dr):
        parser.set_defaults(func=_guarded(parser.get_default("func")))


def _guarded(func):  # noqa: ANN001, ANN202
    """A damaged ledger gives a message that says what to do, not a raw DatabaseError."""

    def run(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except sqlite3.DatabaseError as exc:
            from alerts.stage import ledger_path

            path = ledger_path(config_from_args(args))
            try:
                storage.check(path, "the delivery ledger")
                what = f"the delivery ledger {path} cannot be read: {exc}"
            except storage.DamagedDatabase as damage:
                what = str(damage)
            print(f"newswatch: {what}. Stop newswatch, restore it from a backup, or move it "
                  "aside and run `newswatch alerts rebuild`", file=sys.stderr)
            return 1

    return run


def _ledger(args: argparse.Namespace):
    from alerts.ledger import Ledger
    from alerts.stage import ledger_path

    config = config_from_args(args, checked=False)  # inspect even what run would refuse
    path = Path(ledger_path(config))
    if not path.exists():
        print(f"newswatch: no delivery ledger at {path} (no alert has been recorded yet)",
              file=sys.stderr)
        raise SystemExit(1)
    return Ledger(path)


def _when(ts: float | None) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S") if ts else "-"


def _list(args: argparse.Namespace) -> int:
    ledger = _ledger(args)
    alerts = ledger.recent_alerts(args.limit)
    states = ledger.deliveries([a[0] for a in alerts])
    matches = ledger.dispositions([a[0] for a in alerts]) if args.all else {}
    for alert_id, created, route, severity, title, follow_up in alerts:
        extra = f" (follow-up of {follow_up})" if follow_up else ""
        print(f"{alert_id}  {_when(created)}  {severity:<8} {route}  {title[:80]}{extra}")
        for d in states[alert_id]:
            detail = f"attempts={d.attempts}"
            if d.state == "pending" and d.next_attempt:
                detail += f" next={_when(d.next_attempt)}"
            if d.note:
                detail += f" ({d.note})"
            if d.last_error and d.state != "sent":
                detail += f" error: {d.last_error}"
            print(f"    {d.channel:<16} {d.state:<9} {detail}")
        for match_id, _route, watch, disposition, reason, title in matches.get(alert_id, ()):
            print(f"    + {disposition:<10} {watch} {match_id}  {title[:60]}  ({reason})")
    if args.all:
        rest = ledger.unalerted(args.limit)
        print(f"{len(rest)} recent matches in no alert:" if rest else "no match outside alerts")
        for match_id, route, watch, disposition, reason, title, received in rest:
            where = f" route {route}" if route else ""
            print(f"  {_when(received)}  {disposition:<10} {watch}{where} {match_id}  "
                  f"{title[:60]}  ({reason})")
    print(f"{len(alerts)} alerts shown; deliveries: "
          + ", ".join(f"{s}={ledger.count(s)}"
                      for s in ("sent", "pending", "queued", "dead", "unknown")))
    return 0


def _mute(args: argparse.Namespace) -> int:
    ledger, now = _ledger(args), time.time()
    target = next(((k, getattr(args, k)) for k in ("story", "watch", "feed", "route")
                   if getattr(args, k)), None)
    if target is None:
        rows = ledger.mutes(now)
        for mute_id, kind, value, until, reason in rows:
            print(f"{mute_id}  {kind} {value} until {_when(until)}  {reason}")
        print(f"{len(rows)} active mutes")
        return 0
    mute_id = ledger.mute(target[0], target[1], now + args.hours * 3600, now, args.reason)
    print(f"muted {target[0]} {target[1]} until {_when(now + args.hours * 3600)} "
          f"(id {mute_id}; newswatch alerts unmute {mute_id})")
    return 0


def _unmute(args: argparse.Namespace) -> int:
    if not _ledger(args).unmute(args.mute_id):
        print(f"newswatch: no mute {args.mute_id}", file=sys.stderr)
        return 1
    print(f"unmuted {args.mute_id}")
    return 0


def _dlq_list(args: argparse.Namespace) -> int:
    ledger = _ledger(args)
    rows = ledger.dead_letters(args.channel)
    titles = ledger.titles(sorted({d.alert_id for d in rows}))
    for d in rows:
        print(f"{d.alert_id}  {d.channel:<16} attempts={d.attempts}  {_when(d.updated)}  "
              f"{titles.get(d.alert_id, '(alert not in the ledger)')[:80]}")
        print(f"    error: {d.last_error}")
    print(f"{len(rows)} dead-lettered deliveries")
    return 0


def _dlq_retry(args: argparse.Namespace) -> int:
    if not args.alert_ids and not args.all and not args.channel:
        print("newswatch: give ALERT_ID..., --channel or --all", file=sys.stderr)
        return 2
    ledger = _ledger(args)
    dead = {d.alert_id for d in ledger.dead_letters(args.channel)}
    ids = sorted(dead & set(args.alert_ids) if args.alert_ids else dead)
    n = 0
    with progress(total=len(ids), desc="retry", unit="alert") as bar:
        for i in range(0, len(ids), RETRY_CHUNK):  # one short transaction per chunk
            chunk = ids[i : i + RETRY_CHUNK]
            n += ledger.retry_dead(time.time(), chunk, args.channel)
            bar.update(len(chunk))
    print(f"re-queued {n} deliveries")
    return 0
