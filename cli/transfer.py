"""`cosell import FILE` and `cosell export`: Partner Center referral files in and out.

``import`` takes the API's referral JSON (a list, or ``{"value": [...]}``) all or
nothing: a bad record is named with its field and rule and nothing is written.
Only a referral admin imports (R1.1). ``export`` writes what you may see (R1.3) to
stdout, as referral JSON that imports back unchanged, or as CSV for a
spreadsheet.
"""
from __future__ import annotations

import sys

from cli import common
from model.domain.enums import Tab

_TABS = {t.value: t for t in Tab}


def _utf8(stream):
    """JSON is UTF-8; a terminal or pipe opened with another encoding would fail on 'Å'."""
    encoding = (getattr(stream, "encoding", "") or "").lower().replace("-", "").replace("_", "")
    if encoding != "utf8" and hasattr(stream, "reconfigure"):
        stream.reconfigure(encoding="utf-8")
    return stream


def _import(args) -> int:
    from model.domain.errors import CosellError
    from model.services.transfer import import_file

    ctx = common.context(args)
    try:
        report = import_file(ctx, args.file, location=args.location)
    except CosellError as exc:
        print(f"cosell: cannot import {common.safe(args.file)}: {common.safe(str(exc))}", file=sys.stderr)
        return exc.exit_code
    finally:
        ctx.store.dispose()
    if args.json:
        common.print_json({"created": report.created, "updated": report.updated, "unchanged": report.unchanged,
                           "registrations": report.registrations, "notified": report.notified})
        return common.EXIT_OK
    parts = [f"{report.created} new", f"{report.updated} updated", f"{report.unchanged} unchanged"]
    if report.registrations:
        parts.append(f"{report.registrations} registration updates")
    print(f"imported {report.total} referrals from {common.safe(args.file)}: {', '.join(parts)}")
    if report.notified:
        print(f"queued {report.notified} notifications (R12: new inbound deals, declines, expiries)")
    return common.EXIT_OK


def _export(args) -> int:
    from model.services.transfer_export import export_referrals  # (not .transfer: that loads the import side)

    ctx = common.context(args)
    try:
        if args.output:
            try:
                fh = open(args.output, "w", encoding="utf-8", newline="")
            except OSError as exc:
                print(f"cosell: cannot write {common.safe(args.output)}: {exc.strerror or exc}", file=sys.stderr)
                return common.EXIT_USAGE
            with fh:
                n = export_referrals(ctx, fh, tab=_TABS[args.tab] if args.tab else None, fmt=args.format)
            print(f"exported {n} referrals to {common.safe(args.output)}", file=sys.stderr)
        else:
            out = _utf8(sys.stdout)
            export_referrals(ctx, out, tab=_TABS[args.tab] if args.tab else None, fmt=args.format)
            out.flush()
    finally:
        ctx.store.dispose()
    return common.EXIT_OK


def register(sub) -> None:
    p = sub.add_parser("import", help="import a Partner Center referral JSON file (admins, all or nothing)",
                       description="Import referrals in Partner Center's JSON shape: a list, or an object "
                                   "with a \"value\" (or \"items\", not both) list, as the API or `cosell "
                                   "export` writes. Vocabularies may be API tokens or the labels the pages "
                                   "show. A record whose id is stored is reconciled by the same rules as a "
                                   "user's actions; a record without an id is a create request (a new "
                                   "outbound deal). Customer and solution facts come from the catalogues, "
                                   "never from the file; unknown solutions and mpnId locations are learned "
                                   "from it. A bad record is reported by number, id, name, field and rule, "
                                   "and nothing is written. Referral admins only (R1.1).")
    p.add_argument("file", metavar="FILE", help="the referral JSON file")
    p.add_argument("--location", metavar="LOCATION",
                   help="location for the file's records, overriding their mpnId (R1.2)")
    p.add_argument("--json", action="store_true", help="print the counts as JSON")
    p.set_defaults(handler=_import)

    p = sub.add_parser("export", help="write the deals you may see as referral JSON or CSV",
                       description="Write the deals you may see (R1.3) to stdout: referral JSON "
                                   "({\"value\": [...], \"@odata.count\": N}, one referral a line) that "
                                   "`cosell import` reads back unchanged, or CSV with a header row.")
    p.add_argument("--tab", choices=list(_TABS), help="only one tab (favorites: inbound and outbound favorites)")
    p.add_argument("--format", choices=("json", "csv"), default="json", help="json (default) or csv")
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    p.set_defaults(handler=_export, only_reads=True)
