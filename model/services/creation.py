"""R4–R7: creating an outbound deal, and receiving an inbound one (R3.1, R8.2, R12.1)."""
from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from model.domain.enums import (
    DealKind, Direction, HelpType, MicrosoftStatus, Status, Substatus,
)
from model.domain.errors import RuleViolation, Violation
from model.domain.rules.deal_fields import (
    customer_contact_required_violations, customer_violations, details_violations, invitation_violations,
    solutions_violations, team_violations,
)
from model.domain.rules.lifecycle import expiry_for, sale_type_for
from model.domain.rules.visibility import can_see
from model.domain.schemas import Deal, DealDraft, Event, Invitation, Note
from model.services.context import Ctx
from model.services.matching import match_customer
from model.services.outbox import notify_team
from model.domain.stages import Stage
from model.store import repo


def draft_violations(draft: DealDraft) -> list[Violation]:
    """Every rule of R4–R7 a new deal must meet, all at once."""
    out = customer_violations(draft.customer)
    out += details_violations(draft)
    out += team_violations(draft.team)
    out += solutions_violations(draft.kind, draft.solutions, draft.customer, draft.marketplace_intent)
    if draft.kind is DealKind.SOLUTION_ASSESSMENT:
        if draft.help_type is not HelpType.NONE or draft.invitations:
            out.append(Violation("R2.4", "a solution assessment deal has no sale-type questions or invitations", "sale_type"))
    else:
        for i, inv in enumerate([i for i in draft.invitations if not i.is_microsoft]):
            out += invitation_violations(inv, i)
        if draft.help_type is not HelpType.NONE and draft.customer is not None:
            out += customer_contact_required_violations(draft.customer)
    return out


def create_deal(ctx: Ctx, draft: DealDraft) -> Deal:
    """Save a new outbound deal in stage Created (R8.5) once every rule holds; nothing before."""
    violations = draft_violations(draft)
    if violations:
        raise RuleViolation(violations, "create the deal")
    now = ctx.now()
    # R7.4: the inviting team is prefilled from the deal's team.
    partners = [i.model_copy(deep=True, update={
        "invitation_id": i.invitation_id or str(uuid.uuid4()), "invited_at": now,
        "team": [p.model_copy() for p in (i.team or draft.team)]})
        for i in draft.invitations if not i.is_microsoft]
    deal = Deal(
        id=str(uuid.uuid4()), name=draft.name.strip(), direction=Direction.OUTBOUND, kind=draft.kind,
        sale_type=sale_type_for(draft.help_type, draft.share_with_microsoft, bool(partners), draft.kind),
        status=Status.ACTIVE, substatus=Substatus.ACCEPTED, stage=Stage.CREATED,
        location=draft.location.strip(), customer=draft.customer.model_copy(deep=True),
        value=Decimal(draft.value), currency=draft.currency, close_date=draft.close_date,
        crm_id=draft.crm_id or None, campaign_id=draft.campaign_id or None,
        partner_role=draft.partner_role, partner_program=draft.partner_program,
        solution_area=draft.solution_area, solution_play=draft.solution_play,
        marketplace_intent=draft.marketplace_intent if draft.kind is DealKind.IP_COSELL else None,
        help_type=draft.help_type,
        share_with_microsoft=draft.share_with_microsoft or draft.help_type is not HelpType.NONE,
        created_at=now, updated_at=now, accepted_at=now,
        team=[p.model_copy() for p in draft.team], solutions=[s.model_copy() for s in draft.solutions],
        invitations=partners, notes=[Note(at=now, author=ctx.user.login, text=draft.notes.strip())],
    )
    if draft.help_type is not HelpType.NONE:
        deal.microsoft_status = MicrosoftStatus.INVITED
        deal.microsoft_invited_at = now
        deal.invitations.append(Invitation(invitation_id=str(uuid.uuid4()), partner_name="Microsoft",
                                           is_microsoft=True, help_type=draft.help_type, invited_at=now))
    if not can_see(ctx.user, deal):
        # R1.3: a referral user would lose sight of the deal the moment it is saved.
        raise RuleViolation(Violation("R1.3", f"you would not see this deal: a referral user sees deals in their "
                                              f"location ({ctx.user.location or 'any'}) on whose team they are; "
                                              "add yourself to the team", "team"), "create the deal")
    with ctx.store.write() as session:
        deal.customer.match = match_customer(session, deal.customer)
        repo.write_deal(session, deal, actor=ctx.user.login)
        repo.add_event(session, deal.id, Event(at=now, actor=ctx.user.login, action="create",
                                               changes=_created(deal)))
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
    with ctx.store.write() as session:
        deal.customer.match = match_customer(session, deal.customer)
        repo.write_deal(session, deal, actor=ctx.user.login)
        repo.add_event(session, deal.id, Event(at=at, actor=deal.sender_name or "Microsoft", action="received"))
        notify_team(session, deal, "new_inbound", f"New co-sell opportunity: {deal.name}",
                    f"{deal.sender_name or 'Microsoft'} sent you {deal.name!r} for {deal.customer.name}. "
                    f"Answer by {deal.expires_at:%Y-%m-%d %H:%M} UTC or it expires (14 days).",
                    at, "new_inbound")
    return deal
