"""`cosell create --from FILE.json`: the new-deal wizard's write, from a shell.

The file holds a ``DealDraft`` as JSON (the same fields the wizard collects;
``-`` reads standard input). The same service as the wizard checks every rule
of R4–R7 and writes nothing when any fails: each violation is printed with its
field and rule, and the exit code is 4. A warning (R6.7: a MACC customer without
a MACC-eligible solution) refuses the same way until ``--confirm`` says the
user has seen it. ``--check`` only reports.

Catalogue facts in the file (the customer's Managed/Unmanaged tab, MACC and
federal flags, a solution's MACC, incentive and registration kind) are not
taken on the file's word: the service checks them against the catalogue.
"""
from __future__ import annotations

import os
import sys

from cli import common


def register(sub) -> None:
    p = sub.add_parser("create", help="create an outbound deal from a DealDraft JSON file (R4-R7)",
                       description="Create an outbound deal (stage Created, R8.5) from a DealDraft JSON file. "
                                   "Every rule the wizard applies is checked; nothing is written if one fails.")
    p.add_argument("--from", dest="source", required=True, metavar="FILE.json",
                   help="the draft as JSON; - reads standard input")
    p.add_argument("--check", action="store_true",
                   help="only report what the rules say, with the catalogue of --db or COSELL_DATABASE_URL; "
                        "write nothing")
    p.add_argument("--confirm", action="store_true",
                   help="go ahead despite warnings (R6.7: a MACC customer without a MACC-eligible solution)")
    p.add_argument("--json", action="store_true", help="print the created deal as JSON")
    p.set_defaults(handler=handle)


def read_draft(source: str):
    from pydantic import ValidationError

    from model.domain.schemas import DealDraft

    if source == "-":
        text = sys.stdin.read()
    else:
        try:
            with open(source, encoding="utf-8") as fh:
                text = fh.read()
        except OSError as exc:
            raise ValueError(f"cannot read {source}: {exc.strerror}") from None
    try:
        return DealDraft.model_validate_json(text)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(file)'}: {e['msg']}" for e in exc.errors())
        raise ValueError(f"{source} is not a deal draft: {problems}") from None


def _check(args, draft):
    """What creating would say. The catalogue's facts come from the database named by ``--db`` or
    ``COSELL_DATABASE_URL``, opened only to read; with neither, only the draft's own rules (a
    check writes nothing, so it does not create a database to look in)."""
    from model import services as svc
    from model.services.drafts import check_draft
    from model.services.setup import open_store

    database = getattr(args, "db", None) or os.environ.get("COSELL_DATABASE_URL")
    if not database:
        print("note: no --db: checking the draft's own rules; the catalogue's facts (R4.11, R6.5, R7.4) "
              "are checked when the deal is created", file=sys.stderr)
        return svc.draft_violations(draft)
    store = open_store(database, create=False, existing=True)
    try:
        return check_draft(store, draft)
    finally:
        store.dispose()


def handle(args) -> int:
    from model import services as svc
    from model.domain.errors import RuleViolation, refusals

    draft = read_draft(args.source)
    if args.check:
        problems = _check(args, draft)
        for v in problems:
            print(common.safe(str(v)))
        if not problems:
            print("ok: the draft meets every rule")
        return common.EXIT_REFUSED if refusals(problems) or (problems and not args.confirm) else common.EXIT_OK
    ctx = common.context(args)
    try:
        deal = svc.create_deal(ctx, draft, confirm_warnings=args.confirm)
    except RuleViolation as exc:
        print("cosell: the deal was not created:", file=sys.stderr)
        for v in exc.violations:
            print(f"  {common.safe(str(v))}", file=sys.stderr)
        if exc.needs_confirmation:
            print("cosell: to create it anyway, run again with --confirm", file=sys.stderr)
        return common.EXIT_REFUSED
    finally:
        ctx.store.dispose()
    if args.json:
        common.print_json(deal)
    else:
        sale = deal.sale_type.label if deal.sale_type else deal.kind.label
        print(f"created {deal.id}  {common.safe(deal.name)}  ({deal.kind.label}, {sale}) "
              f"in Outbound, stage {deal.stage.value}")
    return common.EXIT_OK
