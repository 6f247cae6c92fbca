"""Collaboration services: inviting Microsoft (R7.3, R4.10), upgrading private deals (R7.5),
inviting partners (R2.3, R7.4), the inviter's edit limits (R7.4) and Microsoft's answer."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from factories import ASSESSMENT, NOW, SELLER_SE, ctx_as, managed_customer
from deal_support import create, events, partner_invitation, received, refused
from model import services as svc
from model.domain.enums import DealKind, HelpType, InvitationStatus, MicrosoftStatus, SaleType
from model.domain.schemas import CustomerContact, Person
from model.store.tables import DealRecord

NO_CONTACT = dict(customer=managed_customer(contacts=[], consent_to_share=False))
NINA = CustomerContact(name="Nina Buyer", phone="+46 8 555 01", email="nina@northwind.example")


# -- R7.3, R4.10 invite Microsoft --------------------------------------------------------------

def test_r7_3_invite_microsoft_makes_the_deal_cosell_and_starts_its_window(ctx):  # R7.3, R2.3
    deal = create(ctx)
    out = svc.invite_microsoft(ctx, deal.id, HelpType.POC, notes="Need a PoC environment", version=1)
    assert (out.sale_type, out.microsoft_status, out.microsoft_invited_at, out.version) == (
        SaleType.CO_SELL, MicrosoftStatus.INVITED, NOW, 2)
    [ms] = out.invitations
    assert ms.is_microsoft and ms.help_type is HelpType.POC and ms.notes == "Need a PoC environment"
    assert out.notes[-1].text == "Need a PoC environment"  # R7.3: the notes say what help is wanted
    event = events(ctx, deal.id)[-1]
    assert event.action == "invite_microsoft" and event.actor == "alice"
    assert event.changes["sale_type"] == ["partner_led", "co_sell"]
    assert event.changes["microsoft_status"] == ["not_invited", "invited"]
    assert event.changes["invitations"] == [[], ["Microsoft"]]


def test_r4_10_invite_microsoft_needs_contact_and_consent(ctx):  # R4.10
    deal = create(ctx, **NO_CONTACT)
    err = refused(ctx.store, "R4.10", svc.invite_microsoft, ctx, deal.id, HelpType.POC, notes="PoC")
    assert {v.field for v in err.violations} == {"customer.contacts", "customer.consent_to_share"}
    refused(ctx.store, "R4.10", svc.invite_microsoft, ctx, deal.id, HelpType.POC, notes="PoC", contact=NINA)
    out = svc.invite_microsoft(ctx, deal.id, HelpType.POC, notes="PoC", contact=NINA, consent=True)
    assert out.customer.contacts == [NINA] and out.customer.consent_to_share


def test_r4_10_contact_given_with_the_invitation_must_be_well_formed(ctx):  # R4.10
    deal = create(ctx, **NO_CONTACT)
    bad = CustomerContact(name="Nina", phone="+46 8 555", email="not-an-email")
    err = refused(ctx.store, "R4.10", svc.invite_microsoft, ctx, deal.id, HelpType.POC, notes="PoC", contact=bad,
                  consent=True)
    assert [v.field for v in err.violations] == ["customer.contact.email"]


def test_r7_3_invitation_names_the_help_and_says_it_in_the_notes(ctx):  # R7.3
    deal = create(ctx)
    err = refused(ctx.store, "R7.3", svc.invite_microsoft, ctx, deal.id, HelpType.NONE, notes=" ")
    assert [v.field for v in err.violations] == ["help_type", "notes"]


def test_r2_3_microsoft_invited_once(ctx):  # R2.3
    deal = create(ctx, help_type=HelpType.GENERAL)
    refused(ctx.store, "R2.3", svc.invite_microsoft, ctx, deal.id, HelpType.POC, notes="again")


def test_r2_3_microsoft_reinvited_after_declining(ctx):  # R2.3, R7.3
    deal = create(ctx, help_type=HelpType.GENERAL)
    assert svc.microsoft_respond(ctx, deal.id, False).microsoft_status is MicrosoftStatus.DECLINED
    out = svc.invite_microsoft(ctx, deal.id, HelpType.QUOTES, notes="Licensing question this time")
    assert out.microsoft_status is MicrosoftStatus.INVITED
    assert [i.status for i in out.invitations] == [InvitationStatus.DECLINED, InvitationStatus.INVITED]


@pytest.mark.parametrize("outcome", ["won", "lost"])
def test_r2_3_no_invitations_once_terminal(ctx, clock, outcome):  # R2.3, R9.2
    from deal_support import won

    deal = won(ctx, clock) if outcome == "won" else svc.lost(ctx, create(ctx).id, "Price")
    refused(ctx.store, "R9.1", svc.invite_microsoft, ctx, deal.id, HelpType.POC, notes="late")
    refused(ctx.store, "R9.1", svc.invite_partner, ctx, deal.id, partner_invitation())


def test_r7_3_assessment_deals_do_not_invite_microsoft(ctx):  # R7, R2.4
    deal = create(ctx, kind=DealKind.SOLUTION_ASSESSMENT, solutions=[ASSESSMENT])
    refused(ctx.store, "R7.3", svc.invite_microsoft, ctx, deal.id, HelpType.POC, notes="help")


# -- R7.5 upgrade -------------------------------------------------------------------------------

def test_r7_5_private_deal_upgrades_to_partner_led(ctx):  # R7.5, R7.2
    deal = create(ctx, share_with_microsoft=False)
    out = svc.upgrade(ctx, deal.id, SaleType.PARTNER_LED, notes="Customer is fine with sharing", version=1)
    assert (out.sale_type, out.share_with_microsoft, out.microsoft_status) == (
        SaleType.PARTNER_LED, True, MicrosoftStatus.NOT_INVITED)
    event = events(ctx, deal.id)[-1]
    assert event.action == "upgrade" and event.changes["sale_type"] == ["private", "partner_led"]


def test_r7_5_private_deal_upgrades_to_cosell_with_contact(ctx):  # R7.5, R7.3, R4.10
    deal = create(ctx, share_with_microsoft=False, **NO_CONTACT)
    refused(ctx.store, "R4.10", svc.upgrade, ctx, deal.id, SaleType.CO_SELL, help_type=HelpType.POC, notes="PoC")
    out = svc.upgrade(ctx, deal.id, SaleType.CO_SELL, help_type=HelpType.POC, notes="PoC", contact=NINA, consent=True)
    assert (out.sale_type, out.microsoft_status) == (SaleType.CO_SELL, MicrosoftStatus.INVITED)


@pytest.mark.parametrize("to", [SaleType.PARTNER_LED, SaleType.CO_SELL])
def test_r7_5_only_private_deals_upgrade(ctx, to):  # R7.5
    deal = create(ctx)  # partner-led
    refused(ctx.store, "R7.5", svc.upgrade, ctx, deal.id, to, help_type=HelpType.POC, notes="PoC")


def test_r7_5_upgrade_goes_to_partner_led_or_cosell_only(ctx):  # R7.5
    deal = create(ctx, share_with_microsoft=False)
    refused(ctx.store, "R7.5", svc.upgrade, ctx, deal.id, SaleType.P2P)


def test_r7_5_private_p2p_deal_upgrades_and_stays_p2p(ctx):  # R7.5, R7.4
    deal = create(ctx, share_with_microsoft=False, invitations=[partner_invitation()])
    out = svc.upgrade(ctx, deal.id, SaleType.PARTNER_LED)
    assert (out.sale_type, out.share_with_microsoft) == (SaleType.P2P, True)
    refused(ctx.store, "R7.5", svc.upgrade, ctx, deal.id, SaleType.PARTNER_LED)


def test_r7_5_upgrade_only_while_open(ctx):  # R7.5, R9.2
    deal = create(ctx, share_with_microsoft=False)
    svc.close_as_error(ctx, deal.id, "Created by mistake")
    refused(ctx.store, "R9.1", svc.upgrade, ctx, deal.id, SaleType.PARTNER_LED)


# -- R7.4, R2.3 invite partners -------------------------------------------------------------------

def test_r7_4_invite_partner_after_creation(ctx):  # R7.4, R2.3
    deal = create(ctx)
    out = svc.invite_partner(ctx, deal.id, partner_invitation(), version=1)
    assert out.sale_type is SaleType.P2P
    [inv] = out.partner_invitations
    assert (inv.status, inv.invited_at, inv.value, inv.close_date) == (
        InvitationStatus.INVITED, NOW, Decimal("20000"), date(2027, 4, 30))
    assert [p.email for p in inv.team] == ["bob@contoso-partner.com"]  # prefilled from the deal's team
    event = events(ctx, deal.id)[-1]
    assert event.action == "invite_partner" and event.changes["invitations"] == [[], ["Fabrikam Consulting"]]


def test_r7_4_cosell_deal_stays_cosell_when_partners_join(ctx):  # R7.4
    deal = create(ctx, help_type=HelpType.GENERAL)
    assert svc.invite_partner(ctx, deal.id, partner_invitation()).sale_type is SaleType.CO_SELL


def test_r7_4_invitation_lists_everything_missing(ctx):  # R7.4
    deal = create(ctx)
    err = refused(ctx.store, "R7.4", svc.invite_partner, ctx, deal.id,
                  partner_invitation(partner_id=None, partner_name="", close_date=None, value=None, solutions=[]))
    assert len(err.violations) == 4


def test_r7_4_same_partner_is_invited_once(ctx):  # R7.4
    deal = create(ctx, invitations=[partner_invitation()])
    refused(ctx.store, "R7.4", svc.invite_partner, ctx, deal.id, partner_invitation(partner_name="FABRIKAM consulting"))


def test_r7_4_microsoft_is_invited_through_its_own_action(ctx):  # R7.4, R4.10
    deal = create(ctx)
    refused(ctx.store, "R7.4", svc.invite_partner, ctx, deal.id,
            partner_invitation(partner_name="Microsoft", is_microsoft=True))


def test_r2_3_only_the_creator_invites_partners(ctx):  # R2.3
    deal = svc.accept(ctx, received(ctx).id)
    refused(ctx.store, "R2.3", svc.invite_partner, ctx, deal.id, partner_invitation())


# -- R7.4 what the inviter may change afterwards -----------------------------------------------

def test_r7_4_inviter_cannot_change_invitee_close_date_value_or_team(ctx):  # R7.4
    deal = create(ctx, invitations=[partner_invitation()])
    inv = deal.partner_invitations[0]
    err = refused(ctx.store, "R7.4", svc.edit_invitation, ctx, deal.id, inv.invitation_id[:8],
                  {"close_date": date(2027, 9, 1), "value": Decimal("1"), "team": []})
    assert [v.field for v in err.violations] == ["close_date", "value", "team"]
    assert all("invited partner can" in v.message for v in err.violations)


# R7.4 (brief of this week): the inviter never changes an invitation's solutions after creation,
# not even before the invitee accepts (the invitee changes them once it has accepted); notes and
# the help type stay the inviter's to edit.
def test_r7_4_inviter_edits_notes_and_help_but_not_solutions(ctx):  # R7.4
    deal = create(ctx, invitations=[partner_invitation()])
    inv_id = deal.partner_invitations[0].invitation_id
    refused(ctx.store, "R7.4", svc.edit_invitation, ctx, deal.id, inv_id, {"solutions": ["SOL-3P-9", "SOL-AZ-1"]})
    out = svc.edit_invitation(ctx, deal.id, inv_id, {"notes": "Bring your data team",
                                                     "help_type": "CustomerTechnicalArchitecture"})
    inv = out.partner_invitations[0]
    assert (inv.notes, inv.help_type, inv.solutions) == ("Bring your data team", HelpType.ARCHITECTURE,
                                                         ["SOL-3P-9"])
    changes = events(ctx, deal.id)[-1].changes["invitations"]
    assert changes["Fabrikam Consulting.notes"] == ["", "Bring your data team"]


def test_r7_4_accepted_invitees_solutions_are_theirs(ctx, store):  # R7.4
    deal = create(ctx, invitations=[partner_invitation()])
    with store.write() as session:  # the invitee accepted (arrives by import)
        rec = session.get(DealRecord, deal.id)
        rec.invitations = [{**rec.invitations[0], "status": "accepted"}]
    inv_id = deal.partner_invitations[0].invitation_id
    refused(ctx.store, "R7.4", svc.edit_invitation, ctx, deal.id, inv_id, {"solutions": ["SOL-AZ-1"]})
    assert svc.edit_invitation(ctx, deal.id, inv_id, {"notes": "Thanks"}).partner_invitations[0].notes == "Thanks"


@pytest.mark.parametrize("inv_id", ["", "no-such-id"])
def test_r7_4_unknown_invitation_refused(ctx, inv_id):  # R7.4
    deal = create(ctx, invitations=[partner_invitation()])
    refused(ctx.store, "R7.4", svc.edit_invitation, ctx, deal.id, inv_id, {"notes": "x"})


def test_r7_4_invitation_solutions_cannot_be_emptied(ctx):  # R7.4
    deal = create(ctx, invitations=[partner_invitation()])
    refused(ctx.store, "R7.4", svc.edit_invitation, ctx, deal.id, deal.partner_invitations[0].invitation_id,
            {"solutions": []})


# -- Microsoft's answer --------------------------------------------------------------------------

def test_microsoft_answer_recorded_by_an_admin(ctx):  # R7.3, R10.1, R1.1
    deal = create(ctx, help_type=HelpType.POC)
    refused(ctx.store, "R1.1", svc.microsoft_respond, ctx_as(ctx, SELLER_SE), deal.id, True)
    out = svc.microsoft_respond(ctx, deal.id, True)
    assert (out.microsoft_status, out.microsoft_responded_at) == (MicrosoftStatus.ACCEPTED, NOW)
    assert out.invitations[0].status is InvitationStatus.ACCEPTED
    assert events(ctx, deal.id)[-1].action == "microsoft_response"


def test_microsoft_answer_needs_an_invitation(ctx):  # R7.3
    deal = create(ctx)
    refused(ctx.store, "R7.3", svc.microsoft_respond, ctx, deal.id, True)


def test_team_of_a_p2p_deal_mixes_companies(ctx):  # R6.3
    deal = create(ctx, invitations=[partner_invitation()])
    fay = Person(name="Fay", phone="+45 33 00 00", email="fay@fabrikam.example", company="Fabrikam Consulting")
    assert svc.add_team_member(ctx, deal.id, fay).team[-1].company == "Fabrikam Consulting"
