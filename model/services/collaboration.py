"""R2.3, R7.3–R7.5: upgrading private deals and inviting Microsoft or partners.

Each is one operation of ``model.domain.operations`` carried out by ``mutate``; an invited
partner is looked up in the co-sell partner catalogue (R7.4).
"""
from __future__ import annotations

from model.domain.creation import resolve_partner
from model.domain.enums import HelpType, SaleType
from model.domain.errors import RuleViolation, Violation
from model.domain.operations import EditInvitation, InviteMicrosoft, InvitePartner, MicrosoftRespond, upgrade_op
from model.domain.schemas import CustomerContact, Deal, Invitation
from model.services._tx import mutate
from model.services.context import Ctx
from model.store.catalogue import StoreCatalogue


def invite_microsoft(ctx: Ctx, deal_id: str, help_type: HelpType, *, notes: str | None = None,
                     contact: CustomerContact | None = None, consent: bool | None = None,
                     version: int | None = None, upgrading: bool = False) -> Deal:
    """R2.3, R7.3, R4.10: ask Microsoft for help; the deal becomes co-sell; Microsoft has 14 days."""
    return mutate(ctx, deal_id, InviteMicrosoft(help_type, notes, contact, consent, upgrading), version=version)


def upgrade(ctx: Ctx, deal_id: str, to: SaleType, *, help_type: HelpType = HelpType.NONE,
            notes: str | None = None, contact: CustomerContact | None = None, consent: bool | None = None,
            version: int | None = None) -> Deal:
    """R7.5: a private deal becomes partner-led (share with Microsoft) or co-sell (ask for help)."""
    if to not in (SaleType.PARTNER_LED, SaleType.CO_SELL):
        raise RuleViolation(Violation("R7.5", "a private deal upgrades to partner-led or co-sell", "to"), "upgrade")
    op = upgrade_op(to, help_type=help_type, notes=notes, contact=contact, consent=consent)
    return mutate(ctx, deal_id, op, version=version)


def catalogue_invitation(ctx: Ctx, invitation: Invitation) -> tuple[Invitation, bool]:
    """R7.4: the invitation with the catalogue partner's id, name and MPN id; False if no such partner."""
    if invitation.is_microsoft:
        return invitation, True
    with ctx.store.read() as session:
        partner = resolve_partner(invitation, StoreCatalogue(session))
    if partner is None:
        return invitation, False
    return invitation.model_copy(update={"partner_id": partner.partner_id, "partner_name": partner.name,
                                         "mpn_id": partner.mpn_id}), True


def invite_partner(ctx: Ctx, deal_id: str, invitation: Invitation, *, version: int | None = None) -> Deal:
    """R7.4, R2.3: invite a co-sell partner of the catalogue, with the invitee's share, solutions and help."""
    invitation, known = catalogue_invitation(ctx, invitation)
    return mutate(ctx, deal_id, InvitePartner(invitation, known), version=version)


def edit_invitation(ctx: Ctx, deal_id: str, invitation_id: str, changes: dict, *, version: int | None = None) -> Deal:
    """R7.4: after creation the inviter cannot change an invitee's close date, value, team or
    solutions; notes and help type stay editable. The invitee changes the rest on its side."""
    return mutate(ctx, deal_id, EditInvitation(invitation_id, dict(changes)), version=version)


def microsoft_respond(ctx: Ctx, deal_id: str, accepted: bool, *, won: bool = False,
                      version: int | None = None) -> Deal:
    """Records Microsoft's answer to a co-sell invitation (from an import, or an admin)."""
    return mutate(ctx, deal_id, MicrosoftRespond(accepted, won), version=version)
