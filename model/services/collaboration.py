"""R2.3, R7.3–R7.5: upgrading private deals and inviting Microsoft or partners."""
from __future__ import annotations

import uuid

from model.domain.enums import HelpType, InvitationStatus, MicrosoftStatus, SaleType
from model.domain.errors import RuleViolation, Violation
from model.domain.rules.deal_fields import contact_violations, customer_contact_required_violations, invitation_violations
from model.domain.rules.lifecycle import Action, is_private, sale_type_for
from model.domain.schemas import CustomerContact, Deal, Invitation, Note
from model.services._tx import mutate
from model.services.context import Ctx


def _with_contact(deal: Deal, contact: CustomerContact | None, consent: bool | None) -> Deal:
    probe = deal.model_copy(deep=True)
    if contact is not None:
        probe.customer.contacts = [contact] + [c for c in probe.customer.contacts if c.email != contact.email]
    if consent is not None:
        probe.customer.consent_to_share = consent
    return probe


def invite_microsoft(ctx: Ctx, deal_id: str, help_type: HelpType, *, notes: str | None = None,
                     contact: CustomerContact | None = None, consent: bool | None = None,
                     version: int | None = None, upgrading: bool = False) -> Deal:
    """R2.3, R7.3, R4.10: ask Microsoft for help; the deal becomes co-sell; Microsoft has 14 days."""

    def checks(deal: Deal) -> list[Violation]:
        out = []
        if upgrading and not is_private(deal):
            out.append(Violation("R7.5", "only a private deal can be upgraded"))
        if help_type is HelpType.NONE:
            out.append(Violation("R7.3", "choose the kind of help you need from Microsoft", "help_type"))
        probe = _with_contact(deal, contact, consent)
        if contact is not None:
            out += contact_violations(contact, "customer.contact")
        out += customer_contact_required_violations(probe.customer)
        if not (notes or "").strip():
            out.append(Violation("R7.3", "say in the notes what help you want from Microsoft", "notes"))
        return out

    def change(deal: Deal) -> None:
        probe = _with_contact(deal, contact, consent)
        deal.customer = probe.customer
        deal.help_type = help_type
        deal.share_with_microsoft = True
        deal.sale_type = SaleType.CO_SELL
        deal.microsoft_status = MicrosoftStatus.INVITED
        deal.microsoft_invited_at = ctx.now()
        deal.invitations.append(Invitation(invitation_id=str(uuid.uuid4()), partner_name="Microsoft",
                                           is_microsoft=True, help_type=help_type, notes=notes or "",
                                           invited_at=ctx.now()))
        deal.notes.append(Note(at=ctx.now(), author=ctx.user.login, text=notes.strip()))

    return mutate(ctx, deal_id, Action.INVITE_MICROSOFT, change, version=version, extra_checks=checks)


def upgrade(ctx: Ctx, deal_id: str, to: SaleType, *, help_type: HelpType = HelpType.NONE,
            notes: str | None = None, contact: CustomerContact | None = None, consent: bool | None = None,
            version: int | None = None) -> Deal:
    """R7.5: a private deal becomes partner-led (share with Microsoft) or co-sell (ask for help)."""
    if to is SaleType.CO_SELL:
        return invite_microsoft(ctx, deal_id, help_type, notes=notes, contact=contact, consent=consent,
                                version=version, upgrading=True)
    if to is not SaleType.PARTNER_LED:
        raise RuleViolation(Violation("R7.5", "a private deal upgrades to partner-led or co-sell", "to"), "upgrade")

    def change(deal: Deal) -> None:
        deal.share_with_microsoft = True
        deal.sale_type = sale_type_for(deal.help_type, True, bool(deal.partner_invitations), deal.kind)
        if notes and notes.strip():
            deal.notes.append(Note(at=ctx.now(), author=ctx.user.login, text=notes.strip()))

    return mutate(ctx, deal_id, Action.UPGRADE, change, version=version)


def invite_partner(ctx: Ctx, deal_id: str, invitation: Invitation, *, version: int | None = None) -> Deal:
    """R7.4, R2.3: invite a co-sell partner, with the invitee's share, solutions and help type."""

    def checks(deal: Deal) -> list[Violation]:
        out = invitation_violations(invitation, len(deal.partner_invitations))
        if invitation.is_microsoft:
            out.append(Violation("R7.4", "invite Microsoft with 'invite Microsoft' (it needs the help type and "
                                         "the customer contact)", "invitation"))
        for inv in deal.partner_invitations:
            same_id = invitation.partner_id and inv.partner_id == invitation.partner_id
            if same_id or inv.partner_name.strip().lower() == invitation.partner_name.strip().lower():
                out.append(Violation("R7.4", f"{inv.partner_name} is already invited to this deal", "partner"))
        return out

    def change(deal: Deal) -> None:
        inv = invitation.model_copy(deep=True)
        inv.invitation_id = inv.invitation_id or str(uuid.uuid4())
        inv.invited_at = ctx.now()
        inv.status = InvitationStatus.INVITED
        if not inv.team:
            inv.team = [p.model_copy() for p in deal.team]
        deal.invitations.append(inv)
        if deal.sale_type in (SaleType.PRIVATE, SaleType.PARTNER_LED):
            deal.sale_type = SaleType.P2P

    return mutate(ctx, deal_id, Action.INVITE_PARTNER, change, version=version, extra_checks=checks)


def edit_invitation(ctx: Ctx, deal_id: str, invitation_id: str, changes: dict, *, version: int | None = None) -> Deal:
    """R7.4: after creation the inviter cannot change an invitee's close date, value or team;
    notes and help type stay editable, and the solutions until the invitee accepts (then they
    are the invitee's to change). The invitee edits its share as its own deal's value."""
    frozen = {"close_date", "value", "currency", "team"}

    def checks(deal: Deal) -> list[Violation]:
        inv = _invitation(deal, invitation_id)
        if inv is None:
            return [Violation("R7.4", f"no invitation {invitation_id!r} on this deal", "invitation")]
        out = []
        for key in changes:
            if key in frozen:
                out.append(Violation("R7.4", f"the inviting partner cannot change {key.replace('_', ' ')} after the deal "
                                             "is created; the invited partner can", key))
            elif key not in {"notes", "help_type", "solutions"}:
                out.append(Violation("R7.4", f"{key} cannot be edited on an invitation", key))
        if "solutions" in changes:
            if not changes["solutions"]:
                out.append(Violation("R7.4", "keep at least one solution for the invited partner", "solutions"))
            if inv.status is InvitationStatus.ACCEPTED:
                out.append(Violation("R7.4", f"{inv.partner_name} has accepted: its solutions are now the invited "
                                             "partner's to change", "solutions"))
        if "help_type" in changes and not isinstance(changes["help_type"], HelpType):
            try:
                HelpType(changes["help_type"])
            except ValueError:
                out.append(Violation("R7.4", f"{changes['help_type']!r} is not a type of help", "help_type"))
        return out

    def change(deal: Deal) -> None:
        inv = _invitation(deal, invitation_id)
        for key, value in changes.items():
            setattr(inv, key, HelpType(value) if key == "help_type" else value)

    return mutate(ctx, deal_id, Action.INVITE_PARTNER, change, version=version, event_action="edit_invitation",
                  extra_checks=checks)


def _invitation(deal: Deal, id_or_prefix: str) -> Invitation | None:
    """The one invitation a non-empty id prefix names (None if none or several)."""
    key = (id_or_prefix or "").strip()
    found = [i for i in deal.invitations if key and i.invitation_id.startswith(key)]
    return found[0] if len(found) == 1 else None


def microsoft_respond(ctx: Ctx, deal_id: str, accepted: bool, *, won: bool = False,
                      version: int | None = None) -> Deal:
    """Records Microsoft's answer to a co-sell invitation (from an import, or an admin)."""

    def checks(deal: Deal) -> list[Violation]:
        if not ctx.user.is_admin:
            return [Violation("R1.1", "only a referral admin records Microsoft's answer")]
        if deal.microsoft_status is MicrosoftStatus.NOT_INVITED:
            return [Violation("R7.3", "Microsoft was not invited to this deal")]
        return []

    def change(deal: Deal) -> None:
        deal.microsoft_status = MicrosoftStatus.WON if won else (
            MicrosoftStatus.ACCEPTED if accepted else MicrosoftStatus.DECLINED)
        deal.microsoft_responded_at = ctx.now()
        for inv in deal.invitations:
            if inv.is_microsoft and inv.status is InvitationStatus.INVITED:
                inv.status = InvitationStatus.ACCEPTED if accepted or won else InvitationStatus.DECLINED
                inv.responded_at = ctx.now()

    return mutate(ctx, deal_id, None, change, version=version, event_action="microsoft_response", extra_checks=checks)
