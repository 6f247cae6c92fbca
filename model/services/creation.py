"""R4–R7: creating an outbound deal, and receiving an inbound one (R3.1, R8.2, R12.1).

The rules are the domain's (``model.domain.creation``); the catalogue's facts about the customer,
the solutions and the invited partners are looked up here, never taken from the draft (R4.11,
R6.5, R6.7, R7.4): the wizard and ``cosell create --from FILE`` both arrive here.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from model.domain.creation import deal_from_draft, draft_violations, draft_with_facts
from model.domain.enums import Direction, MicrosoftStatus, Status, Substatus
from model.domain.errors import RuleViolation, Violation, check
from model.domain.rules.invariants import invariant_violations
from model.domain.rules.lifecycle import expiry_for
from model.domain.rules.visibility import can_see
from model.domain.schemas import Deal, DealDraft, Event
from model.domain.stages import Stage
from model.services.context import Ctx
from model.services.matching import match_customer
from model.services.outbox import new_inbound_message, notify_team
from model.store import repo
from model.store.catalogue import StoreCatalogue

__all__ = ["create_deal", "draft_violations", "receive_inbound"]


def create_deal(ctx: Ctx, draft: DealDraft, *, confirm_warnings: bool = False) -> Deal:
    """Save a new outbound deal in stage Created (R8.5) once every rule holds; nothing before.

    Warnings (R6.7: a MACC customer without a MACC-eligible solution) refuse with
    ``needs_confirmation`` until the user confirms them (``confirm_warnings=True``)."""
    with ctx.store.read() as session:
        draft, unknown = draft_with_facts(draft, StoreCatalogue(session))
    warnings = check(unknown + draft_violations(draft), "create the deal", confirmed=confirm_warnings)
    now = ctx.now()
    deal = deal_from_draft(draft, deal_id=str(uuid.uuid4()), now=now, author=ctx.user.login)
    if not can_see(ctx.user, deal):
        # R1.3: a referral user would lose sight of the deal the moment it is saved.
        raise RuleViolation(Violation("R1.3", f"you would not see this deal: a referral user sees deals in their "
                                              f"location ({ctx.user.location or 'any'}) on whose team they are; "
                                              "add yourself to the team", "team"), "create the deal")
    with ctx.store.write() as session:
        deal.customer.match = match_customer(session, deal.customer)
        broken = invariant_violations(deal)
        if broken:
            raise RuleViolation(broken, "create the deal")
        repo.write_deal(session, deal, actor=ctx.user.login)
        reason = "; ".join(f"confirmed warning: {w.message} ({w.rule})" for w in warnings) or None
        repo.add_event(session, deal.id, Event(at=now, actor=ctx.user.login, action="create",
                                               changes=_created(deal), reason=reason))
    return deal


def _created(deal: Deal) -> dict:
    """The audit record of a new deal: its defining facts, as [before, after] pairs like every change."""
    facts = {
        "name": deal.name, "kind": deal.kind.value, "sale_type": deal.sale_type.value if deal.sale_type else None,
        "location": deal.location, "customer": deal.customer.name, "customer_match": deal.customer.match.value,
        "value": f"{deal.value} {deal.currency}", "close_date": deal.close_date.isoformat() if deal.close_date else None,
        "team": [p.email for p in deal.team], "solutions": [s.solution_id for s in deal.solutions],
        "invitations": [i.partner_name for i in deal.invitations],
    }
    return {k: [None, v] for k, v in facts.items() if v not in (None, [])}


def receive_inbound(ctx: Ctx, deal: Deal, *, received_at: datetime | None = None) -> Deal:
    """An opportunity arriving from Microsoft or a partner (R3.1): Received, 14 days to answer (R8.2),
    and the team is told (R12.1)."""
    at = received_at or ctx.now()
    deal = deal.model_copy(update=dict(
        direction=Direction.INBOUND, status=Status.NEW, substatus=Substatus.RECEIVED,
        stage=Stage.ACCEPTED, received_at=at, expires_at=expiry_for(at), created_at=at, updated_at=at,
    ))
    if deal.sender_is_microsoft:
        # A Microsoft seller sent it: Microsoft is on the deal from the start (R10.1's "accepted").
        deal.microsoft_status = MicrosoftStatus.ACCEPTED
        deal.share_with_microsoft = True
    broken = invariant_violations(deal)
    if broken:
        raise RuleViolation(broken, "receive the deal")
    with ctx.store.write() as session:
        deal.customer.match = match_customer(session, deal.customer)
        repo.write_deal(session, deal, actor=ctx.user.login)
        repo.add_event(session, deal.id, Event(at=at, actor=deal.sender_name or "Microsoft", action="received"))
        subject, body = new_inbound_message(deal.name, deal.customer.name, deal.sender_name, deal.expires_at, at)
        notify_team(session, deal, "new_inbound", subject, body, at, "new_inbound")
    return deal
