"""`cosell list | show | accept | decline | stage | won | lost | error | favorite | register | note |
edit | team | solution | upgrade | invite | reasons`: the deal page from a shell.

Each command parses, calls one service and prints; the services check every
rule inside their transaction, so the shell can do nothing the dashboard could
not. Write commands take ``--version N`` (the version you looked at: a stale one
exits 5 instead of overwriting someone's change) and ``--json`` (print the deal
as ``show --json`` does). Any unique prefix of a deal id names the deal.
"""
from __future__ import annotations

import argparse
import functools
import sys
from contextlib import contextmanager

from cli import argtypes, common, render
from model import services as svc
from model.domain.enums import DealKind, HelpType, MarketplaceIntent, PartnerRole, SaleType, Tab
from model.domain.errors import ConflictError, CosellError, NotFound, RuleViolation
from model.domain.reasons import DECLINE_REASONS, ERROR_REASONS, LOST_REASONS
from model.domain.schemas import CustomerContact, Invitation, Person
from model.domain.listing import DEFAULT_SORT, SORT_KEYS as SORTS, DealQuery

REASONS = {"decline": DECLINE_REASONS, "lost": LOST_REASONS, "error": ERROR_REASONS}


# -- running a command ------------------------------------------------------------------------

@contextmanager
def opened(args):
    """The service context for one command, with its database connections closed afterwards."""
    ctx = common.context(args)
    try:
        yield ctx
    finally:
        ctx.store.dispose()


def guarded(fn):
    """Model errors become their exit code with a message (every unmet rule on its own line)."""
    @functools.wraps(fn)
    def handler(args):
        try:
            return fn(args)
        except CosellError as exc:
            print(render.refusal_text(exc), file=sys.stderr)
            # A deal that is not there (or not visible: the same, R1.3) is a bad id, exit 2.
            return common.EXIT_USAGE if isinstance(exc, NotFound) else exc.exit_code
    return handler


def _done(args, ctx, deal, verb: str) -> None:
    if args.json:
        common.print_json(render.deal_document(deal, svc.history(ctx, deal.id), ctx.now(), ctx.user))
    else:
        print(f"{verb} {render.summary_line(deal)}")


def _write(verb: str, call, hints: dict[str, str] | None = None):
    """A write command: call the service with (ctx, args), then report the deal as it now is.

    A refusal the user's word can lift (a warning, R6.7/R8.12, or the R10.5 contract check) says
    which flag gives it (``hints``: rule -> the line to print, once per rule)."""
    hints = hints or {}

    def run(args):
        try:
            with opened(args) as ctx:
                _done(args, ctx, call(ctx, args), verb)
        except RuleViolation as exc:
            print(render.refusal_text(exc), file=sys.stderr)
            confirmable = [v.rule for v in exc.violations if v.warning or v.rule == "R10.5"]
            for hint in dict.fromkeys(hints[r] for r in confirmable if r in hints):
                print(f"cosell: {hint}", file=sys.stderr)
            return exc.exit_code
    return guarded(run)


def _writer(sub, name: str, help_: str, verb: str, call, *, id_: bool = True,
            hints: dict[str, str] | None = None) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=help_, description=help_.replace("%%", "%"))
    if id_:
        p.add_argument("id", metavar="ID", help="deal id or any unique prefix of it")
    p.add_argument("--version", type=argtypes.version, metavar="N",
                   help="the version you last saw; refused with exit 5 if the deal changed since")
    p.add_argument("--json", action="store_true", help="print the deal as JSON afterwards")
    p.set_defaults(handler=_write(verb, call, hints), _parser=p)
    return p


def _contact_options(p) -> None:
    p.add_argument("--contact-name", help="customer contact's name (R4.10)")
    p.add_argument("--contact-phone", help="customer contact's phone")
    p.add_argument("--contact-email", help="customer contact's email")
    p.add_argument("--consent", action="store_true",
                   help="you have the customer's consent to share the contact with Microsoft (R4.10)")


def _contact(args) -> tuple[CustomerContact | None, bool | None]:
    given = [args.contact_name, args.contact_phone, args.contact_email]
    contact = None if not any(given) else CustomerContact(name=given[0] or "", phone=given[1] or "", email=given[2] or "")
    return contact, (True if args.consent else None)


# -- reads ------------------------------------------------------------------------------------

@guarded
def _list(args):
    sort, descending = args.sort, args.desc
    if descending and not sort:
        sort = DEFAULT_SORT[args.tab][0]
    q = DealQuery(tab=args.tab, text=args.filter or "", kind=args.kind, expiring_within=args.expiring_within,
                  sort=sort, descending=descending, offset=args.offset, limit=args.limit)
    with opened(args) as ctx:
        rows, total, now = svc.list_deals(ctx, q), svc.count_deals(ctx, q), ctx.now()
    if args.json:
        common.print_json({"tab": q.tab.value, "total": total, "offset": q.offset, "limit": q.limit,
                           "sort": q.sort, "descending": q.descending,
                           "deals": [render.row_json(r, now) for r in rows]})
        return
    if not rows:
        print(f"no deals in {q.tab.value}" + (f" matching {render.line(q.text)!r}" if q.text else "")
              + (f" (total {total}, offset {q.offset})" if total else ""))
        return
    common.print_table(render.ROW_HEADERS, [render.row_cells(r, now) for r in rows])
    print(f"{q.offset + 1}–{q.offset + len(rows)} of {total} in {q.tab.value}")


@guarded
def _show(args):
    with opened(args) as ctx:
        deal = svc.get_deal(ctx, args.id)
        events, now, user = svc.history(ctx, deal.id), ctx.now(), ctx.user
    if args.json:
        common.print_json(render.deal_document(deal, events, now, user))
    else:
        print(render.show_text(deal, events, now, user))


def _reasons(args):
    choices = REASONS[args.which]
    if args.json:
        common.print_json(list(choices))
    else:
        print("\n".join(choices))


# -- writes -----------------------------------------------------------------------------------

#: R6.7: a MACC customer's deal without a MACC-eligible solution is a warning to confirm.
CONFIRM_HINT = {"R6.7": "to go ahead anyway, run again with --confirm"}
_CONFIRM_HELP = "go ahead despite the warning that a MACC customer has no MACC-eligible solution (R6.7)"


def _favorite(ctx, args):
    """The heart is a tag, not an edit (it keeps the version); --version is still checked, so a
    script acting on a stale view is told, as with every other write."""
    if args.version is not None:
        current = svc.get_deal(ctx, args.id)
        if current.version != args.version:
            raise ConflictError(current.id, args.version, current.version)
    return svc.set_favorite(ctx, args.id, on=not args.off)


EDIT_FIELDS = ("name", "value", "currency", "close_date", "crm_id", "campaign_id", "marketplace_intent",
               "partner_role", "solution_area", "solution_play", "partner_program", "location")
_CLEARABLE = {"crm_id", "campaign_id", "partner_program", "solution_area", "solution_play"}


def _edit(ctx, args):
    changes = {}
    for key in EDIT_FIELDS:
        value = getattr(args, key)
        if value is not None:
            changes[key] = None if key in _CLEARABLE and value == "" else value
    if not changes:
        args._parser.error("nothing to change: give at least one field, e.g. --name or --close-date")
    return svc.edit(ctx, args.id, changes, version=args.version, confirm_warnings=args.confirm)


def _upgrade(ctx, args):
    contact, consent = _contact(args)
    to = SaleType.CO_SELL if args.to == "co-sell" else SaleType.PARTNER_LED
    return svc.upgrade(ctx, args.id, to, help_type=args.help_type or HelpType.NONE, notes=args.notes,
                       contact=contact, consent=consent, version=args.version)


def _invite_microsoft(ctx, args):
    contact, consent = _contact(args)
    return svc.invite_microsoft(ctx, args.id, args.help_type, notes=args.notes, contact=contact,
                                consent=consent, version=args.version)


def _invite_partner(ctx, args):
    invitation = Invitation(invitation_id="", partner_name=args.partner.strip(), close_date=args.close_date,
                            value=args.value, currency=args.currency, notes=args.notes or "",
                            help_type=args.help_type or HelpType.GENERAL, solutions=args.solution or [])
    return svc.invite_partner(ctx, args.id, invitation, version=args.version)


def register(sub) -> None:
    p = sub.add_parser("list", help="list deals of a tab, one page at a time")
    p.add_argument("--tab", type=argtypes.enum_of(Tab), default=Tab.INBOUND,
                   help="inbound | outbound | favorites | closed (default inbound)")
    p.add_argument("--expiring-within", type=argtypes.duration, metavar="DURATION",
                   help="only received inbound deals expiring within e.g. 48h, 3d")
    p.add_argument("--filter", metavar="TEXT", help="words that must appear in name, customer, CRM id or notes")
    p.add_argument("--kind", type=argtypes.enum_of(DealKind), help=" | ".join(k.value for k in DealKind))
    p.add_argument("--sort", choices=list(SORTS), help="column to sort by (default depends on the tab)")
    p.add_argument("--desc", action="store_true", help="sort descending")
    p.add_argument("--limit", type=argtypes.count, default=50, help="rows per page (default 50)")
    p.add_argument("--offset", type=argtypes.count, default=0, help="rows to skip")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=_list, only_reads=True)

    p = sub.add_parser("show", help="a deal: stages, allowed actions, registration, team, notes, history")
    p.add_argument("id", metavar="ID", help="deal id or any unique prefix of it")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=_show, only_reads=True)

    p = sub.add_parser("reasons", help="the pick-list of reasons for decline, lost or error (R8.4, R8.13)")
    p.add_argument("which", choices=list(REASONS))
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_reasons)

    p = _writer(sub, "accept", "accept a received inbound deal (R8.3)", "accepted",
                lambda ctx, a: svc.accept(ctx, a.id, version=a.version, name=a.name, value=a.value,
                                          currency=a.currency, close_date=a.close_date, notes=a.notes,
                                          crm_id=a.crm_id, campaign_id=a.campaign_id))
    p.add_argument("--name")
    p.add_argument("--value", type=argtypes.decimal)
    p.add_argument("--currency", type=argtypes.currency)
    p.add_argument("--close-date", type=argtypes.iso_date, metavar="YYYY-MM-DD")
    p.add_argument("--notes")
    p.add_argument("--crm-id")
    p.add_argument("--campaign-id")

    for name, verb, call, help_, required in (
        ("decline", "declined", "decline", "decline a received inbound deal; the sender is told (R8.4)", True),
        ("lost", "lost", "lost", "mark the deal lost (R8.11)", True),
        ("error", "closed as error", "close_as_error",
         "close the deal as error, at any point; the reason is optional (R8.13)", False),
    ):
        # The service by name, looked up when the command runs: building the parser must not
        # import the write side (``model.services`` is lazy) for a `cosell list`.
        p = _writer(sub, name, help_, verb,
                    lambda ctx, a, call=call: getattr(svc, call)(ctx, a.id, a.reason, notes=a.notes,
                                                                 version=a.version))
        p.add_argument("--reason", required=required,
                       help=f"one of `cosell reasons {name}` (a unique prefix will do)"
                            + ("" if required else "; optional (R8.13)"))
        p.add_argument("--notes")

    p = _writer(sub, "stage", "mark a sales stage: the next one, or a stage word, CRM word or %% (R8.7, R8.10)",
                "marked", lambda ctx, a: svc.mark_stage(ctx, a.id, a.stage, version=a.version))
    p.add_argument("stage", nargs="?", metavar="STAGE", help="e.g. Developed, proposal, 60 (default: the next stage)")

    p = _writer(sub, "won", "mark the deal won once every stage is marked (R8.9, R8.12)", "won",
                lambda ctx, a: svc.won(ctx, a.id, version=a.version, confirm_early=a.confirm_early),
                hints={"R8.12": "to mark it won anyway, run again with --confirm-early"})
    p.add_argument("--confirm-early", action="store_true",
                   help="mark won although the deal is younger than 72 hours (R8.12)")

    p = _writer(sub, "favorite", "tag the deal as favorite, or untag it with --off (R3.3)", "favorite", _favorite)
    p.add_argument("--off", action="store_true", help="remove the tag")

    p = _writer(sub, "register", "register a won deal, confirming what its contract names (R10)", "registered",
                lambda ctx, a: svc.register(ctx, a.id, contract_value=a.contract_value, currency=a.currency,
                                            contract_confirmed=a.confirm_contract, version=a.version),
                hints={"R10.5": "if the contract names your company and the eligible solution, "
                                "run again with --confirm-contract"})
    p.add_argument("--contract-value", type=argtypes.decimal)
    p.add_argument("--currency", type=argtypes.currency)
    p.add_argument("--confirm-contract", action="store_true",
                   help="you checked that the contract names your company and the eligible solution (R10.5)")

    p = _writer(sub, "note", "add a note to the deal's on-the-record log (R5)", "noted",
                lambda ctx, a: svc.add_note(ctx, a.id, a.text, version=a.version))
    p.add_argument("text", metavar="TEXT")

    p = _writer(sub, "edit", "edit an open deal's details (R8.6; the location never, R1.2)", "edited", _edit,
                hints=CONFIRM_HINT)
    p.add_argument("--confirm", action="store_true", help=_CONFIRM_HELP)
    p.add_argument("--name")
    p.add_argument("--value", type=argtypes.decimal)
    p.add_argument("--currency", type=argtypes.currency)
    p.add_argument("--close-date", type=argtypes.iso_date, metavar="YYYY-MM-DD")
    p.add_argument("--crm-id")
    p.add_argument("--campaign-id")
    p.add_argument("--marketplace-intent", type=argtypes.enum_of(MarketplaceIntent), help="yes | no | undecided")
    p.add_argument("--partner-role", type=argtypes.enum_of(PartnerRole))
    p.add_argument("--solution-area")
    p.add_argument("--solution-play")
    p.add_argument("--partner-program")
    p.add_argument("--location", help="refused: a deal's location never changes (R1.2)")

    group = sub.add_parser("team", help="add or remove a team member (R6.1)")
    group.add_argument("id", metavar="ID")
    ops = group.add_subparsers(dest="op", metavar="add|remove", required=True)
    p = _writer(ops, "add", "add a team member", "team updated",
                lambda ctx, a: svc.add_team_member(ctx, a.id, Person(name=a.name, phone=a.phone, email=a.email,
                                                                     company=a.company), version=a.version),
                id_=False)
    p.add_argument("--name", required=True)
    p.add_argument("--phone", required=True)
    p.add_argument("--email", required=True)
    p.add_argument("--company", help="for P2P teams mixing companies (R6.3)")
    p = _writer(ops, "remove", "remove a team member", "team updated",
                lambda ctx, a: svc.remove_team_member(ctx, a.id, a.email, version=a.version), id_=False)
    p.add_argument("email", metavar="EMAIL")

    group = sub.add_parser("solution", help="add or remove a solution (R6.4–R6.7)")
    group.add_argument("id", metavar="ID")
    ops = group.add_subparsers(dest="op", metavar="add|remove", required=True)
    p = _writer(ops, "add", "add a catalogue solution", "solutions updated",
                lambda ctx, a: svc.add_solution(ctx, a.id, a.solution_id, assessment_location=a.assessment_location,
                                                version=a.version, confirm_warnings=a.confirm),
                id_=False, hints=CONFIRM_HINT)
    p.add_argument("solution_id", metavar="SOLUTION_ID")
    p.add_argument("--assessment-location", help="where an assessment is created (R6.6)")
    p.add_argument("--confirm", action="store_true", help=_CONFIRM_HELP)
    p = _writer(ops, "remove", "remove a solution", "solutions updated",
                lambda ctx, a: svc.remove_solution(ctx, a.id, a.solution_id, version=a.version,
                                                   confirm_warnings=a.confirm),
                id_=False, hints=CONFIRM_HINT)
    p.add_argument("solution_id", metavar="SOLUTION_ID")
    p.add_argument("--confirm", action="store_true", help=_CONFIRM_HELP)

    p = _writer(sub, "upgrade", "upgrade a private deal to partner-led or co-sell (R7.5)", "upgraded", _upgrade)
    p.add_argument("--to", required=True, choices=["partner-led", "co-sell"])
    p.add_argument("--help-type", type=argtypes.enum_of(HelpType), help="for co-sell: the help you need from Microsoft")
    p.add_argument("--notes")
    _contact_options(p)

    group = sub.add_parser("invite", help="invite Microsoft or a partner (R2.3, R7.3, R7.4)")
    group.add_argument("id", metavar="ID")
    ops = group.add_subparsers(dest="who", metavar="microsoft|partner", required=True)
    p = _writer(ops, "microsoft", "ask Microsoft for help (the deal becomes co-sell)", "invited",
                _invite_microsoft, id_=False)
    p.add_argument("--help-type", type=argtypes.enum_of(HelpType), required=True,
                   help=", ".join(h.name.lower() for h in HelpType if h is not HelpType.NONE))
    p.add_argument("--notes", required=True, help="what help you want (R7.3)")
    _contact_options(p)
    p = _writer(ops, "partner", "invite a co-sell partner with its share of the deal", "invited",
                _invite_partner, id_=False)
    p.add_argument("--partner", required=True, metavar="NAME|ID",
                   help="a co-sell partner of the catalogue, by id or by its exact name (R7.4)")
    p.add_argument("--close-date", type=argtypes.iso_date, metavar="YYYY-MM-DD")
    p.add_argument("--value", type=argtypes.decimal)
    p.add_argument("--currency", type=argtypes.currency)
    p.add_argument("--solution", action="append", metavar="ID", help="repeat for several solutions")
    p.add_argument("--help-type", type=argtypes.enum_of(HelpType))
    p.add_argument("--notes")
