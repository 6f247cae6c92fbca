"""The user actions as pure operations (model.domain.operations.apply): no database; the same
code the services and the importer run."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from deal_support import closed_deal, outbound_deal, received_deal
from factories import ADMIN, NOW, SELLER_SE, managed_customer
from model.domain.enums import MicrosoftStatus, RegistrationStatus, Substatus
from model.domain.errors import RuleViolation
from model.domain.operations import (
    PARTNER_CENTER, Accept, AddSolution, CloseAsError, Decline, Edit, Expire, MarkStage, MicrosoftRespond, Register,
    RemoveSolution, ReviewRegistration, SetFavorite, Won, apply,
)
from model.domain.schemas import DealSolution, Registration
from model.domain.stages import SALES_INTERMEDIATE, Stage

LATER = NOW + timedelta(days=1)


def refused(deal, op, **kw) -> RuleViolation:
    with pytest.raises(RuleViolation) as info:
        apply(deal, op, now=kw.pop("now", LATER), user=kw.pop("user", ADMIN), **kw)
    return info.value


def test_apply_returns_the_new_deal_its_event_and_leaves_the_old_one():  # R8.3
    deal = received_deal()
    out = apply(deal, Accept(name="Renamed", notes="Call Monday"), now=LATER, user=ADMIN)
    assert (out.deal.substatus, out.deal.name, out.deal.accepted_at) == (Substatus.ACCEPTED, "Renamed", LATER)
    assert deal.substatus is Substatus.RECEIVED  # pure: the input is not touched
    assert (out.event.actor, out.event.action, out.event.at) == ("alice", "accept", LATER)
    assert out.event.changes["substatus"] == ["Received", "Accepted"] and out.event.changes["note"] == "Call Monday"
    assert out.notices == [] and out.deal.updated_at == LATER


def test_r8_4_r12_2_decline_notifies_the_sender():  # R8.4, R12.2
    out = apply(received_deal(), Decline("not a fit"), now=LATER, user=ADMIN)
    assert (out.deal.substatus, out.deal.status_reason) == (Substatus.DECLINED, "Not a fit for our solutions")
    assert [(n.kind, n.detail) for n in out.notices] == [("declined", "Reason: Not a fit for our solutions.")]
    assert out.event.reason == "Not a fit for our solutions"
    assert [v.rule for v in refused(received_deal(), Decline(None)).violations] == ["R8.4"]


def test_r8_13_close_as_error_reason_is_optional():  # R8.13
    out = apply(outbound_deal(), CloseAsError(), now=LATER, user=ADMIN)
    assert (out.deal.substatus, out.deal.status_reason, out.event.reason) == (Substatus.ERROR, None, None)
    assert [v.rule for v in refused(outbound_deal(), CloseAsError("typo")).violations] == ["R8.13"]
    assert refused(outbound_deal(), CloseAsError("Other")).violations[0].field == "notes"


def test_r10_5_register_needs_the_contract_confirmed():  # R10.5, R10.1
    won = closed_deal(Substatus.WON)
    err = refused(won, Register())
    assert [v.rule for v in err.violations] == ["R10.5"] and not err.needs_confirmation
    out = apply(won, Register(contract_confirmed=True), now=LATER, user=ADMIN)
    assert out.deal.registration.status is RegistrationStatus.REVIEW_PENDING
    assert {v.rule for v in refused(outbound_deal(), Register()).violations} >= {"R10.1", "R10.5"}  # all listed


def test_r8_12_early_win_is_a_warning_to_confirm():  # R8.12
    deal = outbound_deal(stages_marked=list(SALES_INTERMEDIATE), stage=Stage.NEGOTIATED, created_at=NOW)
    err = refused(deal, Won(), now=NOW + timedelta(hours=1))
    assert err.needs_confirmation and [v.rule for v in err.violations] == ["R8.12"]
    out = apply(deal, Won(confirm_early=True), now=NOW + timedelta(hours=1), user=ADMIN)
    assert out.deal.substatus is Substatus.WON and "R8.12" in out.event.reason


def test_r8_9_won_needs_every_stage():  # R8.9
    assert [v.rule for v in refused(outbound_deal(), Won(confirm_early=True)).violations] == ["R8.9"]


def test_r8_10_mark_stage_maps_crm_words():  # R8.10
    out = apply(outbound_deal(), MarkStage("proposal"), now=LATER, user=ADMIN)
    assert (out.deal.stages_marked, out.deal.stage) == ([Stage.PROPOSED], Stage.PROPOSED)
    assert refused(outbound_deal(), MarkStage("banana")).violations[0].rule == "R8.7"


def test_r6_7_macc_warning_when_the_last_macc_solution_goes():  # R6.7
    plain = DealSolution(solution_id="SOL-P", name="Plain", source="third_party")
    deal = outbound_deal(customer=managed_customer(macc=True))
    deal = apply(deal, AddSolution(plain), now=LATER, user=ADMIN).deal
    err = refused(deal, RemoveSolution("SOL-AZ-1"))
    assert err.needs_confirmation and err.violations[0].warning
    assert apply(deal, RemoveSolution("SOL-AZ-1", confirm_warnings=True), now=LATER, user=ADMIN).deal.solutions == [plain]


def test_edit_reads_text_and_refuses_what_cannot_change():  # R8.6, R1.2
    out = apply(outbound_deal(), Edit({"value": "75000.50", "close_date": "2027-06-30"}), now=LATER, user=ADMIN)
    assert out.deal.value == Decimal("75000.50") and str(out.deal.close_date) == "2027-06-30"
    assert {v.rule for v in refused(outbound_deal(), Edit({"location": "Norway", "value": "x"})).violations} == {
        "R1.2", "R5"}


def test_partner_center_decides_expiry_microsofts_answer_and_validation():  # R8.2, R7.3, R10.4, R1.1
    fresh = received_deal()
    assert refused(fresh, Expire()).violations[0].rule == "R8.2"  # our clock: 14 days are not over
    out = apply(fresh, Expire(), now=LATER, user=SELLER_SE, actor=PARTNER_CENTER)
    assert (out.deal.substatus, out.event.actor) == (Substatus.EXPIRED, PARTNER_CENTER)
    assert [n.kind for n in out.notices] == ["expired"]
    invited = outbound_deal(microsoft_status=MicrosoftStatus.INVITED)
    assert refused(invited, MicrosoftRespond(accepted=True), user=SELLER_SE).violations[0].rule == "R1.1"
    assert apply(invited, MicrosoftRespond(accepted=True), now=LATER, user=SELLER_SE,
                 actor=PARTNER_CENTER).deal.microsoft_status is MicrosoftStatus.ACCEPTED
    registered = closed_deal(Substatus.WON, registration=Registration(status=RegistrationStatus.REVIEW_PENDING))
    assert refused(registered, ReviewRegistration(RegistrationStatus.APPROVED), user=SELLER_SE).violations[0].rule == "R1.1"
    out = apply(registered, ReviewRegistration(RegistrationStatus.APPROVED), now=LATER, user=SELLER_SE,
                actor=PARTNER_CENTER)
    assert out.deal.registration.status is RegistrationStatus.APPROVED


def test_r3_3_favorite_is_a_versionless_tag_even_on_closed_deals():  # R3.3
    lost = closed_deal(Substatus.LOST)
    out = apply(lost, SetFavorite(True), now=LATER, user=ADMIN)
    assert out.deal.favorite and out.deal.updated_at == lost.updated_at and out.event.action == "favorite"


def test_nothing_to_change_is_an_empty_event():
    deal = outbound_deal()
    out = apply(deal, Edit({"name": deal.name}), now=LATER, user=ADMIN)
    assert not out.changed and out.deal.updated_at == deal.updated_at
