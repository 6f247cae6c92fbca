"""Creating outbound deals (R4–R7, R8.5) and receiving inbound ones (R3.1, R8.2, R12.1):
one transaction with an audit event, or a RuleViolation that writes nothing."""
from __future__ import annotations

from datetime import timedelta

import pytest

from factories import ASSESSMENT, NOW, SELLER_SE, TEAM, ctx_as, make_draft, managed_customer
from deal_support import create, dump, events, outbox, partner_invitation, received, refused
from model import services as svc
from model.domain.enums import (
    AccountMatch, AccountTab, DealKind, HelpType, InvitationStatus, MicrosoftStatus, SaleType, Status, Substatus, Tab,
)
from model.domain.schemas import Customer, CustomerContact, Person
from model.domain.stages import Stage
from model.store.tables import AccountRecord


def test_r8_5_created_deal_starts_in_stage_created_with_an_audit_event(ctx):  # R8.5, R7.2
    deal = create(ctx)
    assert (deal.stage, deal.substatus, deal.version, deal.tab) == (Stage.CREATED, Substatus.ACCEPTED, 1, Tab.OUTBOUND)
    assert deal.sale_type is SaleType.PARTNER_LED and deal.customer.match is AccountMatch.MANAGED
    stored = svc.get_deal(ctx, deal.id)
    assert stored.model_dump() == deal.model_dump()
    [event] = events(ctx, deal.id)
    assert (event.actor, event.action, event.at) == ("alice", "create", NOW)
    assert event.changes["name"] == [None, "Northwind analytics"]
    assert event.changes["sale_type"] == [None, "partner_led"]
    assert event.changes["team"] == [None, ["bob@contoso-partner.com"]]
    assert [n.text for n in stored.notes] == ["Customer wants a data platform"]  # R5: notes are the log


def test_r7_1_private_deal_shares_nothing_with_microsoft(ctx):  # R7.1, R2.6
    deal = create(ctx, share_with_microsoft=False)
    assert deal.sale_type is SaleType.PRIVATE and not deal.share_with_microsoft
    assert deal.microsoft_status is MicrosoftStatus.NOT_INVITED and deal.invitations == []


def test_r7_3_asking_for_help_makes_a_cosell_deal_and_invites_microsoft(ctx):  # R7.3
    deal = create(ctx, help_type=HelpType.ARCHITECTURE, share_with_microsoft=False)
    assert deal.sale_type is SaleType.CO_SELL and deal.share_with_microsoft
    assert (deal.microsoft_status, deal.microsoft_invited_at) == (MicrosoftStatus.INVITED, NOW)
    [ms] = deal.invitations
    assert ms.is_microsoft and ms.help_type is HelpType.ARCHITECTURE


@pytest.mark.parametrize("customer, fields", [
    (managed_customer(contacts=[], consent_to_share=True), {"customer.contacts"}),
    (managed_customer(consent_to_share=False), {"customer.consent_to_share"}),
    (managed_customer(contacts=[], consent_to_share=False), {"customer.contacts", "customer.consent_to_share"}),
])
def test_r4_10_inviting_microsoft_at_creation_needs_contact_and_consent(ctx, customer, fields):  # R4.10
    err = refused(ctx.store, "R4.10", svc.create_deal, ctx, make_draft(help_type=HelpType.POC, customer=customer))
    assert {v.field for v in err.violations} == fields


def test_r4_10_contact_is_optional_without_microsoft(ctx):  # R4.10
    deal = create(ctx, customer=managed_customer(contacts=[], consent_to_share=False))
    assert deal.customer.contacts == []


def test_r7_4_p2p_deal_invites_partners_with_the_inviting_team_prefilled(ctx):  # R7.4, R6.3
    deal = create(ctx, invitations=[partner_invitation()])
    assert deal.sale_type is SaleType.P2P
    [inv] = deal.partner_invitations
    assert inv.status is InvitationStatus.INVITED and inv.invited_at == NOW and inv.invitation_id
    assert [p.email for p in inv.team] == ["bob@contoso-partner.com"]


def test_r7_4_microsoft_invited_together_with_partners(ctx):  # R7.4, R7.3
    deal = create(ctx, invitations=[partner_invitation()], help_type=HelpType.GENERAL)
    assert deal.sale_type is SaleType.CO_SELL
    assert sorted(i.partner_name for i in deal.invitations) == ["Fabrikam Consulting", "Microsoft"]


def test_r2_4_assessment_deal_has_no_sale_type(ctx):  # R2.4, R6.6
    deal = create(ctx, kind=DealKind.SOLUTION_ASSESSMENT, solutions=[ASSESSMENT])
    assert deal.sale_type is None and deal.solutions[0].assessment_location == "Sweden"


def test_invalid_draft_lists_everything_and_writes_nothing(ctx):  # R4.1, R5, R6.1, R6.4
    err = refused(ctx.store, "R6.1", svc.create_deal, ctx,
                  make_draft(customer=None, name="", team=[], solutions=[]))
    assert {"R4.1", "R5", "R6.1", "R6.4"} <= {v.rule for v in err.violations}
    assert "cannot create the deal" in str(err)


# R4.6 with R4.11: "federal" is the account catalogue's fact (catalogue_seed.ACCOUNTS), not the
# draft's; a hand-typed customer (no account id) cannot claim to be federal.
@pytest.mark.parametrize("account_id, tab, ok", [("ACC-FED-DUNS", AccountTab.OTHER, True),
                                                 ("ACC-FED-MGD", AccountTab.MANAGED, False)])
def test_r4_6_federal_customer_only_from_other(ctx, account_id, tab, ok):  # R4.6, R4.11
    draft = make_draft(customer=Customer(name="US Dept of Examples", account_id=account_id, source=tab, federal=True))
    if ok:
        assert svc.create_deal(ctx, draft).customer.federal
    else:
        refused(ctx.store, "R4.6", svc.create_deal, ctx, draft)


def test_r4_11_hand_typed_customer_cannot_claim_federal(ctx):  # R4.6, R4.11
    draft = make_draft(customer=Customer(name="US Dept of Examples", source=AccountTab.OTHER, federal=True, macc=True))
    customer = svc.create_deal(ctx, draft).customer
    assert (customer.source, customer.federal, customer.macc) == (AccountTab.MANUAL, False, False)


# -- R4.5: account matching against the catalogue ---------------------------------------

@pytest.fixture
def catalogue(store):
    with store.write() as session:
        session.add_all([
            AccountRecord(account_id="ACC-M", name="Matched AB", norm_name="matched", tab="managed", duns="111"),
            AccountRecord(account_id="ACC-U", name="Loose AB", norm_name="loose", tab="unmanaged", duns="222"),
            AccountRecord(account_id="DUNS-1", name="Matched AB", norm_name="matched", tab="other", duns="111"),
        ])
    return store


@pytest.mark.parametrize("customer, match", [
    (Customer(name="Matched AB", source=AccountTab.OTHER, account_id="DUNS-1", duns="111"), AccountMatch.MANAGED),
    (Customer(name="Loose AB", source=AccountTab.OTHER, duns="222"), AccountMatch.UNMANAGED),
    (Customer(name="Typed AB", source=AccountTab.MANUAL, account_id="ACC-M"), AccountMatch.MANAGED),
    (Customer(name="Unknown AB", source=AccountTab.OTHER, duns="999"), AccountMatch.NOT_MATCHED),
    (Customer(name="Typed AB", source=AccountTab.MANUAL), AccountMatch.NOT_MATCHED),
    (Customer(name="Loose AB", source=AccountTab.UNMANAGED, account_id="ACC-U"), AccountMatch.UNMANAGED),
])
def test_r4_5_customer_matched_via_catalogue_ids(ctx, catalogue, customer, match):  # R4.5, R4.3, R4.4
    deal = create(ctx, customer=customer)
    assert deal.customer.match is match
    assert svc.get_deal(ctx, deal.id).customer.match is match


def test_r4_5_matching_ignores_what_the_draft_claims(ctx, catalogue):  # R4.5
    claimed = Customer(name="Unknown AB", source=AccountTab.OTHER, duns="999", match=AccountMatch.MANAGED)
    assert create(ctx, customer=claimed).customer.match is AccountMatch.NOT_MATCHED


# -- R1.3: a referral user creates deals they can see ------------------------------------

def test_r1_3_referral_user_creates_in_own_location_on_the_team(ctx):  # R1.3
    bob = ctx_as(ctx, SELLER_SE)
    deal = create(bob)
    assert svc.get_deal(bob, deal.id).id == deal.id


@pytest.mark.parametrize("draft", [dict(location="Norway"),
                                   dict(team=[Person(name="Carol", phone="+46 70 000", email="carol@x.example")])])
def test_r1_3_referral_user_cannot_create_a_deal_they_would_not_see(ctx, draft):  # R1.3
    refused(ctx.store, "R1.3", svc.create_deal, ctx_as(ctx, SELLER_SE), make_draft(**draft))


# -- receiving inbound deals --------------------------------------------------------------

def test_r3_1_inbound_deal_arrives_received_with_14_days_and_the_team_is_told(ctx):  # R3.1, R8.2, R12.1
    deal = received(ctx)
    assert (deal.status, deal.substatus, deal.stage, deal.tab) == (Status.NEW, Substatus.RECEIVED, Stage.ACCEPTED,
                                                                   Tab.INBOUND)
    assert deal.expires_at == NOW + timedelta(days=14)
    assert outbox(ctx.store) == [("new_inbound", "bob@contoso-partner.com", deal.id)]
    [event] = events(ctx, deal.id)
    assert (event.action, event.actor) == ("received", "Microsoft seller Maria")


def test_r12_1_every_team_member_is_told_once(ctx):  # R12.1
    team = TEAM + [Person(name="Carol", phone="+46 70 000", email="carol@contoso-partner.com")]
    deal = received(ctx, team=team)
    assert sorted(r for _, r, _ in outbox(ctx.store, "new_inbound")) == ["bob@contoso-partner.com",
                                                                        "carol@contoso-partner.com"]
    assert deal.microsoft_status is MicrosoftStatus.ACCEPTED  # sent by a Microsoft seller (R10.1)


def test_received_deal_is_stored_whole(ctx):  # R3.1
    deal = received(ctx, customer=managed_customer(name="Contoso Retail AB",
                                                   contacts=[CustomerContact(name="Ann", email="ann@c.example")]))
    assert svc.get_deal(ctx, deal.id).customer.contacts[0].name == "Ann"
    assert len(dump(ctx.store)["deals"]) == 1
