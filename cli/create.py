"""`cosell create --from FILE.json`: the new-deal wizard's write, from a shell.

The file holds a ``DealDraft`` as JSON (the same fields the wizard collects;
``-`` reads standard input). The same service as the wizard checks every rule
of R4–R7 and writes nothing when any fails: each violation is printed with its
field and rule, and the exit code is 4. ``--check`` only reports.
"""
from __future__ import annotations

import sys

from cli import common


def register(sub) -> None:
    p = sub.add_parser("create", help="create an outbound deal from a DealDraft JSON file (R4-R7)",
                       description="Create an outbound deal (stage Created, R8.5) from a DealDraft JSON file. "
                                   "Every rule the wizard applies is checked; nothing is written if one fails.")
    p.add_argument("--from", dest="source", required=True, metavar="FILE.json",
                   help="the draft as JSON; - reads standard input")
    p.add_argument("--check", action="store_true", help="only report what the rules say; write nothing")
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


def handle(args) -> int:
    from model import services as svc
    from model.domain.errors import RuleViolation

    draft = read_draft(args.source)
    if args.check:
        problems = svc.draft_violations(draft)
        for v in problems:
            print(common.safe(str(v)))
        if not problems:
            print("ok: the draft meets every rule")
        return common.EXIT_REFUSED if problems else common.EXIT_OK
    ctx = common.context(args)
    try:
        deal = svc.create_deal(ctx, draft)
    except RuleViolation as exc:
        print("cosell: the deal was not created:", file=sys.stderr)
        for v in exc.violations:
            print(f"  {common.safe(str(v))}", file=sys.stderr)
        return common.EXIT_REFUSED
    if args.json:
        common.print_json(deal)
    else:
        sale = deal.sale_type.label if deal.sale_type else deal.kind.label
        print(f"created {deal.id}  {common.safe(deal.name)}  ({deal.kind.label}, {sale}) "
              f"in Outbound, stage {deal.stage.value}")
    return common.EXIT_OK
