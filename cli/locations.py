"""`cosell locations list | add MPNID NAME | rename MPNID NAME`: program locations (R1.2), admins only.

A Partner Center referral names its location by ``mpnId``; an import makes an unknown mpnId a
location of its own, named after the mpnId, until an admin renames it here. Renaming renames
the location on its deals too (one transaction, a history event on each); it is the same
location, so it is not a change of a deal's location (R1.2). ``list`` shows the locations deals
and users carry without an mpnId too (made in cosell, not imported), with ``-`` for the mpnId.
"""
from __future__ import annotations

from cli import common
from model.services import locations

_NO_MPN = "-"  # a location deals or users carry that no mpnId names yet


def _list(args) -> int:
    ctx = common.context(args)
    try:
        rows = locations.list_locations(ctx)
    finally:
        ctx.store.dispose()
    if args.json:
        common.print_json(rows)
        return common.EXIT_OK
    common.print_table(["MPNID", "NAME", "CREATED", "BY"], [
        [r["mpn_id"] or _NO_MPN, r["name"], f"{r['created_at']:%Y-%m-%d %H:%M}" if r["created_at"] else "",
         r["created_by"] or ""] for r in rows])
    if any(r["mpn_id"] is None for r in rows):
        print(f"a location without an mpnId ({_NO_MPN}) is one deals or users made here carry; "
              "`cosell locations add MPNID NAME` gives it one, so Partner Center's referrals for it land there")
    return common.EXIT_OK


def _add(args) -> int:
    ctx = common.context(args)
    try:
        row = locations.add_location(ctx, args.mpn_id, args.name)
    finally:
        ctx.store.dispose()
    print(f"added location {common.safe(row['name'])} (mpnId {common.safe(row['mpn_id'])})")
    return common.EXIT_OK


def _rename(args) -> int:
    ctx = common.context(args)
    try:
        row = locations.rename_location(ctx, args.mpn_id, args.name)
    finally:
        ctx.store.dispose()
    print(f"location mpnId {common.safe(row['mpn_id'])} is now {common.safe(row['name'])} "
          f"({row['deals']} deals renamed)")
    return common.EXIT_OK


def register(sub) -> None:
    p = sub.add_parser("locations", help="program locations by Partner Center mpnId (admins)",
                       description="List, add and rename program locations (R1.2). Admins only (R1.1).")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    q = verbs.add_parser("list", help="every location: by mpnId, and those deals or users carry without one")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.set_defaults(handler=_list, only_reads=True)
    q = verbs.add_parser("add", help="a location for an mpnId")
    q.add_argument("mpn_id", metavar="MPNID")
    q.add_argument("name", metavar="NAME")
    q.set_defaults(handler=_add)
    q = verbs.add_parser("rename", help="give a location a new name (on its deals too)")
    q.add_argument("mpn_id", metavar="MPNID")
    q.add_argument("name", metavar="NAME")
    q.set_defaults(handler=_rename)
