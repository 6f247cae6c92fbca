"""`cosell sync`: keep the working copy in step with Partner Center (pull, then push).

    cosell sync                     pull, then push every queued change
    cosell sync --pull | --push     one half
    cosell sync --status [--json]   the deals not in step, from the local database only
    cosell sync --resolve ID --keep-mine | --take-theirs

Exit codes: 0 all in step; 2 usage, or sign-in needed (`cosell login` or COSELL_PC_TOKEN);
4 Partner Center refused a change; 5 a conflict needs a decision; 6 Partner Center
unreachable (changes stay queued). Made for cron: no prompt, one line per problem.
"""
from __future__ import annotations

import argparse
import sys

from cli import common


def _status(args) -> int:
    from model.services.sync import load_settings, sync_status, sync_summary

    settings = load_settings()  # a broken config.toml is refused before the database is opened
    ctx = common.context(args)
    try:
        deals = sync_status(ctx)
        summary = sync_summary(ctx, settings)
    finally:
        ctx.store.dispose()
    if args.json:
        common.print_json([{"id": d.deal_id, "name": d.name, "state": d.state, "reason": d.reason} for d in deals])
        return common.EXIT_OK
    last = f"{summary.last_pull_at:%Y-%m-%d %H:%M} UTC" if summary.last_pull_at else "never"
    if not deals:
        print(f"every deal is in step with Partner Center (last pull: {last})")
        return common.EXIT_OK
    common.print_table(["id", "state", "name", "reason"], [[d.deal_id, d.state, d.name, d.reason] for d in deals])
    print(f"{summary.pending} pending, {summary.failed} failed, {summary.conflicts} in conflict (last pull: {last})")
    return common.EXIT_OK


def _resolve(args) -> int:
    from model.services.sync import resolve

    if args.keep_mine == args.take_theirs:
        print("cosell: sync --resolve needs exactly one of --keep-mine or --take-theirs", file=sys.stderr)
        return common.EXIT_USAGE
    ctx = common.context(args)
    try:
        left = resolve(ctx, args.resolve, keep_mine=args.keep_mine)
    finally:
        ctx.store.dispose()
    if args.keep_mine:
        print(f"kept your version of {common.safe(args.resolve)}: the next `cosell sync` pushes it to Partner Center")
    else:
        print(f"took Partner Center's version of {common.safe(args.resolve)}"
              + (f"; still {left.state}: {common.safe(left.reason)}" if left else "; it is in step"))
    return common.EXIT_OK


def _sync(args) -> int:
    from model.services.sync import client_for, load_settings, sync_now

    if args.resolve is not None:
        return _resolve(args)
    if args.keep_mine or args.take_theirs:
        print("cosell: --keep-mine and --take-theirs go with --resolve ID", file=sys.stderr)
        return common.EXIT_USAGE
    if args.status:
        return _status(args)
    if args.json:
        print("cosell: --json goes with --status", file=sys.stderr)
        return common.EXIT_USAGE
    client = client_for(load_settings())  # sign-in first: with none, nothing is opened or changed
    try:
        ctx = common.context(args)
        try:
            report = sync_now(ctx, pull=not args.push, push=not args.pull, client=client)
        finally:
            ctx.store.dispose()
    finally:
        client.close()
    parts = []
    if not args.push:
        parts.append(f"pulled {report.pulled} referrals ({report.created} new, {report.updated} updated, "
                     f"{report.unchanged} unchanged)")
    if not args.pull:
        parts.append(f"pushed {report.pushed} changes" + (f" ({len(report.created_remote)} new deals created in "
                                                           "Partner Center)" if report.created_remote else ""))
    print("; ".join(parts))
    for old, new in report.created_remote:
        if old != new:
            print(f"deal {old} is {new} in Partner Center (its id everywhere now)")
    for deal_id, why in report.refused:
        print(f"cosell: referral {common.safe(deal_id)} not taken: {common.safe(why)}", file=sys.stderr)
    for deal_id, name, why in report.failed:
        print(f"cosell: {deal_id} {common.safe(name)!s}: push failed: {common.safe(why)}", file=sys.stderr)
    for deal_id, name in dict.fromkeys(report.conflicts):
        print(f"cosell: {deal_id} {common.safe(name)}: in conflict with Partner Center; settle it with "
              f"`cosell sync --resolve {deal_id} --keep-mine` or `--take-theirs`", file=sys.stderr)
    return report.exit_code


def register(sub) -> None:
    p = sub.add_parser("sync", help="pull from and push to Partner Center (exit 5 conflict, 6 unreachable)",
                       description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    half = p.add_mutually_exclusive_group()
    half.add_argument("--pull", action="store_true", help="only pull Partner Center's changes")
    half.add_argument("--push", action="store_true", help="only push the queued local changes")
    half.add_argument("--status", action="store_true",
                      help="list the deals not in step (pending, failed, conflict) from the local database")
    half.add_argument("--resolve", metavar="ID", help="settle a conflict (with --keep-mine or --take-theirs)")
    p.add_argument("--json", action="store_true", help="with --status: print JSON")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--keep-mine", action="store_true", help="with --resolve: push this deal as it is here")
    which.add_argument("--take-theirs", action="store_true", help="with --resolve: take Partner Center's version")
    p.set_defaults(handler=_sync)
