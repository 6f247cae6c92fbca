"""An imported referral against the stored deal (model.domain.operations.reconcile): the
difference becomes the operations it amounts to, checked by the same rules as the services.
Pure: no database."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from deal_support import closed_deal, outbound_deal, partner_invitation, received_deal
from factories import ADMIN, NOW, SELLER_SE
from model.domain.enums import (
    AccountMatch, AccountTab, DealKind, MicrosoftStatus, RegistrationStatus, SaleType, Status, Substatus,
)
from model.domain.operations import PARTNER_CENTER, reconcile
from model.domain.schemas import Customer, Note, Person, Registration
from model.domain.stages import SALES_INTERMEDIATE, Stage

LATER = NOW + timedelta(days=5)


def run(stored, partner_center=False, user=ADMIN, **changes):
    incoming = stored.model_copy(deep=True, update=changes)
    return reconcile(stored, incoming, now=LATER, user=user, source="referrals.json", partner_center=partner_center)


def rules(result) -> set[str]:
    return {v.rule for v in result.violations}


def assert_refused(result, rule):
    assert rule in rules(result), result.violations
    assert not result.changed and result.events == [] and result.notices == []


def closed(substatus, **kw):
    return dict(status=Status.CLOSED, substatus=substatus, closed_at=LATER, **kw)


# -- accepted ----------------------------------------------------------------------------------

def test_same_record_changes_nothing():
    stored = outbound_deal()
    result = run(stored)
    assert (result.changed, result.violations, result.events, result.deal) == (False, [], [], stored)


def test_plain_partner_center_record_won_at_100_marks_the_stages_then_won():  # R8.9, R8.10
    stored = outbound_deal(created_at=NOW - timedelta(days=10))
    result = run(stored, partner_center=True, stage=Stage.WON, **closed(Substatus.WON))
    assert result.violations == [] and result.changed
    assert [e.action for e in result.events] == ["stage"] * 4 + ["won"]
    assert {e.actor for e in result.events} == {PARTNER_CENTER}
    assert {e.reason for e in result.events} == {"imported from referrals.json"}
    assert result.deal.stages_marked == list(SALES_INTERMEDIATE) and result.deal.substatus is Substatus.WON
    assert result.deal.version == stored.version + 1


def test_plain_record_at_a_middle_stage_implies_the_stages_below():  # R8.10
    result = run(outbound_deal(), partner_center=True, stage=Stage.PROPOSED)
    assert result.deal.stages_marked == [Stage.QUALIFIED, Stage.DEVELOPED, Stage.PROPOSED]


def test_registration_review_pending_to_approved_as_partner_center_says():  # R10.4
    stored = closed_deal(Substatus.WON, registration=Registration(status=RegistrationStatus.REVIEW_PENDING,
                                                                   submitted_at=NOW))
    incoming = stored.model_copy(deep=True)
    incoming.registration.status = RegistrationStatus.APPROVED
    result = reconcile(stored, incoming, now=LATER, user=SELLER_SE, source="pc.json", partner_center=False)
    assert result.violations == [] and result.deal.registration.status is RegistrationStatus.APPROVED
    [event] = result.events
    assert (event.actor, event.action) == (PARTNER_CENTER, "registration")


def test_r8_4_r12_2_decline_with_a_reason_notifies_the_sender():  # R8.4, R12.2
    stored = received_deal()
    note = Note(at=LATER, author="maria", text="Not for us")
    result = run(stored, notes=stored.notes + [note], status_reason="Customer not interested",
                 **closed(Substatus.DECLINED))
    assert result.violations == []
    assert [(n.kind, n.detail) for n in result.notices] == [("declined", "Reason: Customer not interested.")]
    assert [(e.action, e.actor) for e in result.events] == [("decline", "alice")]
    assert result.deal.notes[-1].text == "Not for us"


def test_r8_2_received_deal_expired_as_partner_center_says():  # R8.2, R12.2
    result = run(received_deal(), status_reason="No response within 14 days", **closed(Substatus.EXPIRED))
    assert result.violations == [] and [n.kind for n in result.notices] == ["expired"]
    assert result.events[0].actor == PARTNER_CENTER


def test_microsoft_answer_as_partner_center_says():  # R7.3
    stored = outbound_deal(microsoft_status=MicrosoftStatus.INVITED, sale_type=SaleType.CO_SELL)
    result = run(stored, user=SELLER_SE, microsoft_status=MicrosoftStatus.ACCEPTED)
    assert result.violations == [] and result.events[0].actor == PARTNER_CENTER


def test_edits_team_and_accept_become_their_operations():  # R8.3, R8.6, R6.1
    stored = received_deal()
    carol = Person(name="Carol", phone="+46 70 222 33 44", email="carol@contoso-partner.com")
    result = run(stored, status=Status.ACTIVE, substatus=Substatus.ACCEPTED, name="Renamed",
                 value=Decimal("45000"), team=stored.team + [carol])
    assert result.violations == []
    assert [e.action for e in result.events] == ["accept", "edit", "team_add"]
    assert (result.deal.name, result.deal.value) == ("Renamed", Decimal("45000"))


# -- refused -----------------------------------------------------------------------------------

def test_r8_9_won_in_one_jump_with_the_stages_skipped():  # R8.9
    assert_refused(run(outbound_deal(), stage=Stage.WON, **closed(Substatus.WON)), "R8.9")


def test_r10_4_approved_on_a_deal_never_registered_and_ineligible():  # R10.4, R10.1
    stored = closed_deal(Substatus.WON, value=Decimal("100"))
    incoming = stored.model_copy(deep=True)
    incoming.registration.status = RegistrationStatus.APPROVED
    result = reconcile(stored, incoming, now=LATER, user=ADMIN, source="f", partner_center=False)
    assert {"R10.4", "R10.1"} <= rules(result) and not result.changed


def test_r4_9_customer_chosen_from_other_is_not_replaced():  # R4.9
    stored = outbound_deal(customer=Customer(name="Duns AB", source=AccountTab.OTHER, duns="123"))
    assert_refused(run(stored, customer=Customer(name="Someone Else AB", source=AccountTab.OTHER, duns="9")), "R4.9")


def test_r4_9_customer_chosen_from_other_is_not_declared_managed():  # R4.9, R4.11
    stored = outbound_deal(customer=Customer(name="Duns AB", source=AccountTab.OTHER, duns="123"))
    assert_refused(run(stored, customer=stored.customer.model_copy(update={"source": AccountTab.MANAGED})), "R4.9")
    assert_refused(run(stored, customer=stored.customer.model_copy(update={"match": AccountMatch.MANAGED})), "R4.11")


def test_r8_2_accepted_deal_sent_back_to_received_with_a_new_expiry():  # R8.2
    stored = received_deal(status=Status.ACTIVE, substatus=Substatus.ACCEPTED)
    result = run(stored, status=Status.NEW, substatus=Substatus.RECEIVED,
                 expires_at=stored.expires_at + timedelta(days=14))
    assert_refused(result, "R8.2")
    assert {v.field for v in result.violations} >= {"substatus", "expires_at"}


def test_r8_4_declined_without_a_reason():  # R8.4
    assert_refused(run(received_deal(), status_reason=None, **closed(Substatus.DECLINED)), "R8.4")


def test_r7_4_inviter_changes_the_invitees_share():  # R7.4
    stored = outbound_deal(sale_type=SaleType.P2P, invitations=[partner_invitation(invitation_id="inv-1")])
    for key, value in (("close_date", NOW.date()), ("value", Decimal("1")), ("solutions", ["SOL-AZ-1"]),
                       ("team", [Person(name="X", phone="+46 1234", email="x@x.example")])):
        incoming = stored.model_copy(deep=True)
        setattr(incoming.invitations[0], key, value)
        result = reconcile(stored, incoming, now=LATER, user=ADMIN, source="f", partner_center=False)
        assert_refused(result, "R7.4")


def test_kind_changed_and_stages_unmarked():  # R8.7, R2
    stored = outbound_deal(stages_marked=[Stage.QUALIFIED, Stage.DEVELOPED], stage=Stage.DEVELOPED)
    result = run(stored, kind=DealKind.SERVICES_COSELL, stages_marked=[], stage=Stage.CREATED)
    assert_refused(result, "R8.7")
    assert "kind" in {v.field for v in result.violations}


def test_r1_2_location_changed():  # R1.2
    assert_refused(run(outbound_deal(), location="Norway"), "R1.2")


def test_r9_1_terminal_deal_changes_only_its_registration():  # R9.1, R10.4
    assert_refused(run(closed_deal(Substatus.LOST), name="Renamed"), "R9.1")
    assert_refused(run(closed_deal(Substatus.ERROR), value=Decimal("1")), "R9.1")
    assert_refused(run(received_deal(**closed(Substatus.EXPIRED)), status=Status.ACTIVE,
                       substatus=Substatus.ACCEPTED), "R9.1")


def test_notes_rewritten_by_the_file():  # R5
    stored = outbound_deal()
    assert_refused(run(stored, notes=[Note(at=NOW, author="x", text="rewritten")]), "R5")


def test_sale_type_the_file_changes_without_an_invitation():  # R7.5, R8.6
    result = run(outbound_deal(), sale_type=SaleType.CO_SELL)
    assert "R7.5" in rules(result) and not result.changed


def test_every_refusal_is_listed_at_once():
    result = run(outbound_deal(), location="Norway", stage=Stage.WON, **closed(Substatus.WON))
    assert {"R1.2", "R8.9"} <= rules(result)


def test_a_note_is_its_text_reimporting_an_unchanged_closed_deal_is_no_change():  # R9.1, R5
    stored = closed_deal(Substatus.LOST)
    anonymous = [n.model_copy(update={"author": "Partner Center"}) for n in stored.notes]
    result = run(stored, notes=anonymous)
    assert (result.violations, result.changed) == ([], False)
    appended = run(stored, notes=stored.notes + [Note(at=LATER, author="x", text="late note")])
    assert_refused(appended, "R9.1")


def test_plain_record_carries_no_marks_its_stage_implies_them():  # R8.10, R8.7
    stored = outbound_deal(stages_marked=[Stage.QUALIFIED, Stage.DEVELOPED], stage=Stage.DEVELOPED)
    same = run(stored, partner_center=True, stages_marked=[])
    assert (same.violations, same.changed) == ([], False)
    lower = run(stored, partner_center=True, stages_marked=[], stage=Stage.QUALIFIED)
    assert_refused(lower, "R8.7")  # Developed would be un-marked
    literal = run(stored, stages_marked=[])  # with the cosell extension the marks are literal
    assert_refused(literal, "R8.7")
