"""R2.3, R7.3–R7.5 as operations: upgrading private deals, inviting Microsoft or partners, and
Microsoft's answer (recorded by an admin, or as Partner Center says)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from model.domain.enums import HelpType, InvitationStatus, MicrosoftStatus, SaleType, Substatus
from model.domain.errors import Violation
from model.domain.ops.base import Op
from model.domain.rules.deal_fields import (
    contact_violations, customer_contact_required_violations, invitation_violations,
)
from model.domain.rules.lifecycle import Action, is_private, sale_type_for, terminal_violations
from model.domain.schemas import CustomerContact, Deal, Invitation


def with_contact(deal: Deal, contact: CustomerContact | None, consent: bool | None) -> Deal:
    probe = deal.model_copy(deep=True)
    if contact is not None:
        probe.customer.contacts = [contact] + [c for c in probe.customer.contacts if c.email != contact.email]
    if consent is not None:
        probe.customer.consent_to_share = consent
    return probe


@dataclass(frozen=True)
class InviteMicrosoft(Op):
    """R2.3, R7.3, R4.10: ask Microsoft for help; the deal becomes co-sell; Microsoft has 14 days."""

    help_type: HelpType = HelpType.NONE
    notes: str | None = None
    contact: CustomerContact | None = None
    consent: bool | None = None
    upgrading: bool = False

    action = Action.INVITE_MICROSOFT
    event_action = "invite_microsoft"

    def checks(self, deal, at):
        out = []
        if self.upgrading and not is_private(deal):
            out.append(Violation("R7.5", "only a private deal can be upgraded"))
        if self.help_type is HelpType.NONE:
            out.append(Violation("R7.3", "choose the kind of help you need from Microsoft", "help_type"))
        if self.contact is not None:
            out += contact_violations(self.contact, "customer.contact")
        out += customer_contact_required_violations(with_contact(deal, self.contact, self.consent).customer)
        if not (self.notes or "").strip():
            out.append(Violation("R7.3", "say in the notes what help you want from Microsoft", "notes"))
        return out

    def change(self, deal, at):
        deal.customer = with_contact(deal, self.contact, self.consent).customer
        deal.help_type = self.help_type
        deal.share_with_microsoft = True
        deal.sale_type = SaleType.CO_SELL
        deal.microsoft_status = MicrosoftStatus.INVITED
        deal.microsoft_invited_at = at.now
        deal.invitations.append(Invitation(invitation_id=str(uuid.uuid4()), partner_name="Microsoft",
                                           is_microsoft=True, help_type=self.help_type, notes=self.notes or "",
                                           invited_at=at.now))
        at.note(deal, self.notes)


@dataclass(frozen=True)
class Upgrade(Op):
    """R7.5: a private deal becomes partner-led (share with Microsoft); co-sell is ``InviteMicrosoft``."""

    to: SaleType = SaleType.PARTNER_LED
    notes: str | None = None

    action = Action.UPGRADE
    event_action = "upgrade"

    def checks(self, deal, at):
        if self.to is not SaleType.PARTNER_LED:
            return [Violation("R7.5", "a private deal upgrades to partner-led or co-sell", "to")]
        return []

    def change(self, deal, at):
        deal.share_with_microsoft = True
        deal.sale_type = sale_type_for(deal.help_type, True, bool(deal.partner_invitations), deal.kind)
        at.note(deal, self.notes)


def upgrade_op(to: SaleType, *, help_type: HelpType = HelpType.NONE, notes: str | None = None,
               contact: CustomerContact | None = None, consent: bool | None = None) -> Op:
    """The operation an upgrade to ``to`` is: co-sell asks Microsoft for help (R7.3)."""
    if to is SaleType.CO_SELL:
        return InviteMicrosoft(help_type, notes, contact, consent, upgrading=True)
    return Upgrade(to, notes)


def _same_partner(a: Invitation, b: Invitation) -> bool:
    if a.partner_id and b.partner_id:
        return a.partner_id == b.partner_id
    return a.partner_name.strip().lower() == b.partner_name.strip().lower()


@dataclass(frozen=True)
class InvitePartner(Op):
    """R7.4, R2.3: invite a catalogue co-sell partner with the invitee's share, solutions and help type.
    ``invitation`` already carries the catalogue's partner id, name and MPN id (the service looks
    them up; ``known_partner`` False says the catalogue has no such partner)."""

    invitation: Invitation
    known_partner: bool = True

    action = Action.INVITE_PARTNER
    event_action = "invite_partner"

    def checks(self, deal, at):
        inv = self.invitation
        out = invitation_violations(inv, len(deal.partner_invitations))
        if inv.is_microsoft:
            out.append(Violation("R7.4", "invite Microsoft with 'invite Microsoft' (it needs the help type and "
                                         "the customer contact)", "invitation"))
        elif not self.known_partner and inv.partner_name.strip():
            out.append(unknown_partner(inv.partner_name))
        for other in deal.partner_invitations:
            if _same_partner(other, inv):
                out.append(Violation("R7.4", f"{other.partner_name} is already invited to this deal", "partner"))
        return out

    def change(self, deal, at):
        inv = self.invitation.model_copy(deep=True)
        inv.invitation_id = inv.invitation_id or str(uuid.uuid4())
        inv.invited_at = at.now
        inv.status = InvitationStatus.INVITED
        if not inv.team:
            inv.team = [p.model_copy() for p in deal.team]
        deal.invitations.append(inv)
        if deal.sale_type in (SaleType.PRIVATE, SaleType.PARTNER_LED):
            deal.sale_type = SaleType.P2P


def unknown_partner(name: str) -> Violation:
    return Violation("R7.4", f"{name!r} is not in the co-sell partner catalogue: only partners that transact in "
                             "Partner Center can be invited", "partner")


def find_invitation(deal: Deal, id_or_prefix: str) -> Invitation | None:
    """The one invitation a non-empty id prefix names (None if none or several)."""
    key = (id_or_prefix or "").strip()
    found = [i for i in deal.invitations if key and i.invitation_id.startswith(key)]
    return found[0] if len(found) == 1 else None


#: R7.4: after creation the inviter cannot change an invitee's close date, value, team or solutions.
FROZEN = ("close_date", "value", "currency", "team", "solutions")


@dataclass(frozen=True)
class EditInvitation(Op):
    """R7.4: notes and help type stay the inviter's to edit; close date, value, team and solutions
    are the invited partner's to change on its side."""

    invitation_id: str
    changes: dict = field(default_factory=dict)

    action = Action.INVITE_PARTNER
    event_action = "edit_invitation"

    def checks(self, deal, at):
        inv = find_invitation(deal, self.invitation_id)
        if inv is None:
            return [Violation("R7.4", f"no invitation {self.invitation_id!r} on this deal", "invitation")]
        out = []
        for key in self.changes:
            if key in FROZEN:
                out.append(Violation("R7.4", f"the inviting partner cannot change {key.replace('_', ' ')} after the "
                                             "deal is created; the invited partner can", key))
            elif key not in {"notes", "help_type"}:
                out.append(Violation("R7.4", f"{key} cannot be edited on an invitation", key))
        if "solutions" in self.changes and not self.changes["solutions"]:
            out.append(Violation("R7.4", "keep at least one solution for the invited partner", "solutions"))
        if "help_type" in self.changes and not isinstance(self.changes["help_type"], HelpType):
            try:
                HelpType(self.changes["help_type"])
            except ValueError:
                out.append(Violation("R7.4", f"{self.changes['help_type']!r} is not a type of help", "help_type"))
        return out

    def change(self, deal, at):
        inv = find_invitation(deal, self.invitation_id)
        for key, value in self.changes.items():
            setattr(inv, key, HelpType(value) if key == "help_type" else value)


@dataclass(frozen=True)
class MicrosoftRespond(Op):
    """Microsoft's answer to a co-sell invitation (R7.3, R10.1): recorded by an admin, or as Partner
    Center says."""

    accepted: bool = False
    won: bool = False

    event_action = "microsoft_response"
    verb = "record Microsoft's answer"

    def checks(self, deal, at):
        if not (at.user.is_admin or at.is_partner_center):
            return [Violation("R1.1", "only a referral admin records Microsoft's answer")]
        if deal.microsoft_status is MicrosoftStatus.NOT_INVITED:
            return [Violation("R7.3", "Microsoft was not invited to this deal")]
        if deal.is_terminal and deal.substatus is not Substatus.WON:
            # A won deal still takes Microsoft's answer: R10.1 registration waits for it.
            return terminal_violations(deal)
        return []

    def change(self, deal, at):
        deal.microsoft_status = MicrosoftStatus.WON if self.won else (
            MicrosoftStatus.ACCEPTED if self.accepted else MicrosoftStatus.DECLINED)
        deal.microsoft_responded_at = at.now
        for inv in deal.invitations:
            if inv.is_microsoft and inv.status is InvitationStatus.INVITED:
                inv.status = InvitationStatus.ACCEPTED if self.accepted or self.won else InvitationStatus.DECLINED
                inv.responded_at = at.now
