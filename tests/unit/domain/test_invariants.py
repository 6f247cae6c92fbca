"""The invariants of a stored deal and of every change to one (model.domain.rules.invariants):
pure, no database. Each test names the rule it holds the deal to."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from deal_support import closed_deal, outbound_deal, partner_invitation, received_deal
from factories import ASSESSMENT, AZURE_APP, NOW, PLAIN_APP, TEAM, managed_customer
from model.domain.enums import (
    AccountTab, DealKind, Direction, InvitationStatus, MarketplaceIntent, MicrosoftStatus, PartnerRole,
    RegistrationStatus, SaleType, Status, Substatus,
)
from model.domain.rules.invariants import invariant_violations
from model.domain.schemas import Customer, Note, Person, Registration
from model.domain.stages import SALES_INTERMEDIATE, Stage

NOT_READY = PLAIN_APP.model_copy(update={"solution_id": "SOL-MKT", "cosell_ready": False})
SERVICES = dict(kind=DealKind.SERVICES_COSELL, partner_role=PartnerRole.DEPLOYMENT, solution_area="Security",
                solution_play="Data security")


def rules(deal, before=None) -> set[str]:
    return {v.rule for v in invariant_violations(deal, before)}


@pytest.mark.parametrize("deal", [outbound_deal(), received_deal(), closed_deal(Substatus.WON),
                                  closed_deal(Substatus.LOST), outbound_deal(**SERVICES),
                                  received_deal(status=Status.CLOSED, substatus=Substatus.EXPIRED)],
                         ids=["open", "received", "won", "lost", "services", "expired"])
def test_valid_deals_break_nothing(deal):
    assert invariant_violations(deal) == []
    assert invariant_violations(deal, before=deal) == []


# -- status, stages ------------------------------------------------------------------------

@pytest.mark.parametrize("status, substatus", [(Status.NEW, Substatus.ACCEPTED), (Status.ACTIVE, Substatus.WON),
                                               (Status.CLOSED, Substatus.ACCEPTED)])
def test_r8_1_status_and_substatus_agree(status, substatus):  # R8.1
    assert "R8.1" in rules(outbound_deal(status=status, substatus=substatus))


@pytest.mark.parametrize("status, substatus", [(Status.NEW, Substatus.RECEIVED), (Status.NEW, Substatus.PENDING),
                                               (Status.CLOSED, Substatus.DECLINED), (Status.CLOSED, Substatus.EXPIRED)])
def test_r8_2_outbound_deal_is_never_received_declined_or_expired(status, substatus):  # R8.2
    deal = outbound_deal(status=status, substatus=substatus)
    assert "R8.2" in rules(deal)
    assert "R8.2" not in rules(received_deal(status=status, substatus=substatus))


def test_r8_9_won_deal_has_every_stage_marked():  # R8.9
    deal = closed_deal(Substatus.WON, stages_marked=[Stage.QUALIFIED, Stage.NEGOTIATED])
    [v] = invariant_violations(deal)
    assert (v.rule, v.field) == ("R8.9", "stages_marked") and "Developed, Proposed" in v.message


def test_r8_7_marked_stages_belong_to_the_deals_track():  # R8.7, R8.8
    assert "R8.7" in rules(outbound_deal(stages_marked=[Stage.SCOPED], stage=Stage.SCOPED))
    sa = outbound_deal(kind=DealKind.SOLUTION_ASSESSMENT, sale_type=None, solutions=[ASSESSMENT],
                       stages_marked=[Stage.QUALIFIED], stage=Stage.QUALIFIED)
    assert "R8.7" in rules(sa)


def test_r8_7_stage_is_not_below_a_marked_stage():  # R8.7
    assert "R8.7" in rules(outbound_deal(stages_marked=[Stage.QUALIFIED, Stage.DEVELOPED], stage=Stage.QUALIFIED))
    assert rules(outbound_deal(stages_marked=[Stage.QUALIFIED, Stage.DEVELOPED], stage=Stage.DEVELOPED)) == set()


def test_r8_11_stage_won_only_on_a_won_deal():  # R8.11
    assert "R8.11" in rules(outbound_deal(stage=Stage.WON, stages_marked=list(SALES_INTERMEDIATE)))
    assert "R8.11" in rules(closed_deal(Substatus.WON, stage=Stage.NEGOTIATED))


# -- kinds and solutions ---------------------------------------------------------------------

def sa_deal(**kw):
    base = dict(kind=DealKind.SOLUTION_ASSESSMENT, sale_type=None, share_with_microsoft=False, solutions=[ASSESSMENT])
    return outbound_deal(**{**base, **kw})


def test_r6_6_r2_4_assessment_deal():  # R6.6, R2.4
    assert invariant_violations(sa_deal()) == []
    assert "R6.6" in rules(sa_deal(solutions=[ASSESSMENT, AZURE_APP]))
    assert "R6.6" in rules(sa_deal(solutions=[ASSESSMENT.model_copy(update={"assessment_location": ""})]))
    assert "R6.6" in rules(sa_deal(solutions=[]))
    assert "R2.4" in rules(sa_deal(sale_type=SaleType.PRIVATE))
    assert "R2.4" in rules(sa_deal(invitations=[partner_invitation(invitation_id="i1")]))
    assert "R6.6" in rules(outbound_deal(solutions=[AZURE_APP, ASSESSMENT]))


def test_r6_4_r2_8_ip_cosell_has_a_cosell_ready_solution():  # R6.4, R2.8
    assert "R6.4" in rules(outbound_deal(solutions=[]))
    assert "R2.8" in rules(outbound_deal(solutions=[NOT_READY]))
    assert rules(outbound_deal(solutions=[AZURE_APP, NOT_READY])) == set()  # "once it has one, ..."


def test_r2_8_any_cosell_deal_with_solutions_has_a_ready_one():  # R2.8, R6.4
    assert rules(outbound_deal(**SERVICES, solutions=[])) == set()  # optional for services (R6.4)
    assert "R2.8" in rules(outbound_deal(**SERVICES, solutions=[NOT_READY]))


def test_r5_services_cosell_fields():  # R5
    deal = outbound_deal(kind=DealKind.SERVICES_COSELL)
    assert {v.field for v in invariant_violations(deal)} == {"partner_role", "solution_area", "solution_play"}
    assert "R5" in rules(outbound_deal(partner_role=PartnerRole.DEPLOYMENT))  # not on pure IP co-sell


def test_r2_7_ip_and_services_carries_both_requirements():  # R2.7, R5, R6.4
    both = dict(SERVICES, kind=DealKind.IP_AND_SERVICES)
    assert invariant_violations(outbound_deal(**both)) == []
    assert "R6.4" in rules(outbound_deal(**{**both, "solutions": []}))  # IP's: a solution
    assert "R5" in rules(outbound_deal(**{**both, "solution_play": None}))  # services': the play
    assert "R5.1" not in rules(outbound_deal(**both, marketplace_intent=MarketplaceIntent.NO))


def test_r5_1_r6_7_marketplace_intent():  # R5.1, R6.7
    assert "R5.1" in rules(outbound_deal(**SERVICES, marketplace_intent=MarketplaceIntent.NO))
    assert "R6.7" in rules(outbound_deal(solutions=[PLAIN_APP], marketplace_intent=MarketplaceIntent.YES))
    assert rules(outbound_deal(marketplace_intent=MarketplaceIntent.YES)) == set()  # AZURE_APP is incentivized


def test_r4_6_federal_customer_from_other():  # R4.6
    assert "R4.6" in rules(outbound_deal(customer=managed_customer(federal=True)))
    assert rules(outbound_deal(customer=Customer(name="Agency", source=AccountTab.OTHER, federal=True))) == set()


def test_r6_1_outbound_deal_has_a_complete_team_member():  # R6.1
    assert "R6.1" in rules(outbound_deal(team=[]))
    assert "R6.1" in rules(outbound_deal(team=[Person(name="Bob", email="bob@contoso-partner.com")]))
    assert rules(received_deal(team=[])) == set()  # a received inbound deal may have no team of ours yet


def registered(status=RegistrationStatus.REVIEW_PENDING, **kw):
    return closed_deal(Substatus.WON, registration=Registration(status=status, submitted_at=NOW), **kw)


def test_r10_1_only_a_won_eligible_deal_is_registered():  # R10.1, R10.3
    assert invariant_violations(registered()) == []
    assert "R10.1" in rules(registered(value=Decimal("1000")))  # below 25,000 USD
    assert "R10.1" in rules(outbound_deal(registration=Registration(status=RegistrationStatus.APPROVED)))
    assert "R10.1" in rules(registered(customer=managed_customer(source=AccountTab.UNMANAGED, match="unmanaged")))


# -- transitions -------------------------------------------------------------------------------

def test_r9_1_terminal_deal_never_changes():  # R9.1
    lost = closed_deal(Substatus.LOST)
    assert "R9.1" in rules(lost.model_copy(update={"name": "Renamed"}), before=lost)
    assert "R9.1" in rules(lost.model_copy(update={"substatus": Substatus.WON}), before=lost)
    assert rules(lost.model_copy(update={"favorite": True, "version": 9}), before=lost) == set()


def test_r10_4_won_deal_registration_and_microsoft_answer_progress():  # R10.4, R10.1, R9.1
    before = registered()
    after = before.model_copy(deep=True)
    after.registration.status = RegistrationStatus.APPROVED
    assert invariant_violations(after, before=before) == []
    lost = closed_deal(Substatus.LOST, microsoft_status=MicrosoftStatus.INVITED)
    assert "R9.1" in rules(lost.model_copy(update={"microsoft_status": MicrosoftStatus.ACCEPTED}), before=lost)
    won = closed_deal(Substatus.WON, microsoft_status=MicrosoftStatus.INVITED)
    assert rules(won.model_copy(update={"microsoft_status": MicrosoftStatus.WON}), before=won) == set()


@pytest.mark.parametrize("key, value, rule", [
    ("location", "Norway", "R1.2"), ("direction", Direction.INBOUND, "R3"),
    ("kind", DealKind.SERVICES_COSELL, "R2"), ("created_at", NOW - timedelta(days=3), "R8.5"),
])
def test_identity_of_a_deal_never_changes(key, value, rule):  # R1.2
    deal = outbound_deal()
    assert rule in rules(deal.model_copy(update={key: value}), before=deal)


def test_r4_9_customer_from_other_or_typed_stays():  # R4.9
    deal = outbound_deal(customer=Customer(name="Typed AB", source=AccountTab.MANUAL))
    assert "R4.9" in rules(deal.model_copy(update={"customer": Customer(name="Other AB")}), before=deal)
    contact = deal.model_copy(deep=True)
    contact.customer.consent_to_share = True
    assert rules(contact, before=deal) == set()  # contacts and consent may be added
    managed = outbound_deal()
    assert rules(managed.model_copy(update={"customer": managed_customer(name="Fabrikam AB")}), before=managed) == set()


def test_r8_7_marked_stage_never_unmarked():  # R8.7
    deal = outbound_deal(stages_marked=[Stage.QUALIFIED, Stage.DEVELOPED], stage=Stage.DEVELOPED)
    later = deal.model_copy(update={"stages_marked": [Stage.QUALIFIED], "stage": Stage.QUALIFIED})
    assert "R8.7" in rules(later, before=deal)


def test_r8_2_never_back_to_received_and_expiry_never_moves():  # R8.2
    waiting = received_deal()
    answered = waiting.model_copy(update={"status": Status.ACTIVE, "substatus": Substatus.ACCEPTED})
    assert rules(answered, before=waiting) == set()
    assert "R8.2" in rules(waiting, before=answered)
    assert "R8.2" in rules(waiting.model_copy(update={"expires_at": waiting.expires_at + timedelta(days=3)}),
                           before=waiting)


def test_r7_5_sale_type_moves_forward_by_upgrading_or_inviting():  # R7.5, R7.3, R7.4
    private = outbound_deal(sale_type=SaleType.PRIVATE, share_with_microsoft=False)
    led = private.model_copy(update={"sale_type": SaleType.PARTNER_LED, "share_with_microsoft": True})
    assert rules(led, before=private) == set()
    assert "R7.5" in rules(private, before=led)  # never back
    assert "R7.5" in rules(private.model_copy(update={"sale_type": SaleType.P2P}), before=private)  # nobody invited
    p2p = private.model_copy(update={"sale_type": SaleType.P2P, "invitations": [partner_invitation(invitation_id="i")]})
    assert rules(p2p, before=private) == set()
    assert "R7.5" in rules(led.model_copy(update={"sale_type": SaleType.CO_SELL}), before=led)  # Microsoft not asked


@pytest.mark.parametrize("key, value", [("close_date", NOW.date()), ("value", Decimal("1")), ("currency", "SEK"),
                                        ("solutions", ["SOL-AZ-1"]), ("team", list(TEAM))])
def test_r7_4_inviter_never_changes_an_invitation_share(key, value):  # R7.4
    deal = outbound_deal(sale_type=SaleType.P2P, invitations=[partner_invitation(invitation_id="i1")])
    later = deal.model_copy(deep=True)
    setattr(later.invitations[0], key, value)
    assert "R7.4" in rules(later, before=deal)


def test_r7_4_invitation_stays_and_its_answer_stands():  # R7.4
    deal = outbound_deal(sale_type=SaleType.P2P, invitations=[partner_invitation(invitation_id="i1")])
    assert "R7.4" in rules(deal.model_copy(update={"invitations": []}), before=deal)
    noted = deal.model_copy(deep=True)
    noted.invitations[0].notes = "Bring the data team"
    assert rules(noted, before=deal) == set()
    answered = deal.model_copy(deep=True)
    answered.invitations[0].status = InvitationStatus.ACCEPTED
    back = answered.model_copy(deep=True)
    back.invitations[0].status = InvitationStatus.DECLINED
    assert "R7.4" in rules(back, before=answered)


def test_r5_notes_are_append_only():  # R5
    deal = outbound_deal()
    more = deal.model_copy(update={"notes": deal.notes + [Note(at=NOW, author="bob", text="Demo booked")]})
    assert rules(more, before=deal) == set()
    assert "R5" in rules(deal, before=more)
    edited = deal.model_copy(update={"notes": [Note(at=NOW, author="bob", text="Rewritten")]})
    assert "R5" in rules(edited, before=deal)
