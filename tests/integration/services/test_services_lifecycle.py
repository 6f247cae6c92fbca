"""Lifecycle services (R8–R10): accept, decline, stages, won, lost, close as error, register,
the expiry sweep. Each writes one transaction with an audit event; each refusal raises
RuleViolation naming the rule and leaves every table as it was."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from factories import ADMIN, NOW, SELLER_SE, TEAM, ctx_as, make_inbound
from deal_support import accepted, all_stages, create, events, outbox, received, refused, won
from model import services as svc
from model.domain.enums import (
    DealKind, Direction, HelpType, MicrosoftStatus, RegistrationStatus, SaleType, Status, Substatus, Tab,
)
from model.domain.errors import RuleViolation
from model.domain.schemas import Person
from model.domain.stages import Stage
from model.domain.listing import DealQuery

D = timedelta(days=1)


# -- R8.3 accept ------------------------------------------------------------------------

def test_r8_3_accept_sets_details_and_moves_on(ctx):  # R8.3, R8.5
    deal = received(ctx)
    carol = Person(name="Carol", phone="+46 70 111", email="carol@contoso-partner.com")
    out = svc.accept(ctx, deal.id, version=1, name="Contoso retail analytics", value=Decimal("45000"),
                     close_date=date(2027, 3, 15), notes="Called the CIO", crm_id="CRM-7", team=[carol])
    assert (out.status, out.substatus, out.stage, out.tab) == (Status.ACTIVE, Substatus.ACCEPTED, Stage.ACCEPTED,
                                                               Tab.INBOUND)
    assert (out.name, out.value, out.close_date, out.crm_id, out.version) == (
        "Contoso retail analytics", Decimal("45000"), date(2027, 3, 15), "CRM-7", 2)
    assert [p.email for p in out.team] == ["bob@contoso-partner.com", "carol@contoso-partner.com"]
    assert out.notes[-1].text == "Called the CIO"
    event = events(ctx, deal.id)[-1]
    assert (event.actor, event.action, event.at) == ("alice", "accept", NOW)
    assert event.changes["substatus"] == ["Received", "Accepted"]
    assert event.changes["name"] == ["Inbound: Contoso retail", "Contoso retail analytics"]
    assert event.changes["note"] == "Called the CIO"


def test_r8_3_accept_reports_every_bad_detail(ctx):  # R8.3, R5, R6.1
    deal = received(ctx)
    err = refused(ctx.store, "R8.3", svc.accept, ctx, deal.id, name=" ", value=Decimal("-1"),
                  team=[Person(name="X", phone="", email="x@y.example")])
    assert sorted(v.rule for v in err.violations) == ["R5", "R6.1", "R8.3"]


def test_r8_2_accept_refused_after_14_days(ctx, clock):  # R8.2
    deal = received(ctx)
    clock.advance(days=14)
    refused(ctx.store, "R8.2", svc.accept, ctx, deal.id)


def test_r8_2_accept_refused_on_an_accepted_deal(ctx):  # R8.2
    deal = accepted(ctx)
    refused(ctx.store, "R8.2", svc.accept, ctx, deal.id)


# -- R8.4 decline -------------------------------------------------------------------------

def test_r8_4_decline_archives_and_notifies_the_sender(ctx):  # R8.4, R12.2
    deal = received(ctx)
    out = svc.decline(ctx, deal.id, "not a fit", version=1)
    assert (out.status, out.substatus, out.tab, out.status_reason) == (
        Status.CLOSED, Substatus.DECLINED, Tab.CLOSED, "Not a fit for our solutions")
    assert outbox(ctx.store, "declined") == [("declined", "maria@microsoft.example", deal.id)]
    event = events(ctx, deal.id)[-1]
    assert (event.action, event.reason, event.actor) == ("decline", "Not a fit for our solutions", "alice")


def test_r8_4_decline_of_a_p2p_deal_tells_the_inviting_partner(ctx):  # R8.4, R12.2, R3.1
    deal = received(ctx, sale_type=SaleType.P2P, sender_is_microsoft=False, sender_name="Fabrikam",
                    sender_email="deals@fabrikam.example")
    svc.decline(ctx, deal.id, "Other", notes="We only work in Stockholm")
    assert outbox(ctx.store, "declined") == [("declined", "deals@fabrikam.example", deal.id)]


@pytest.mark.parametrize("reason, notes", [("", None), ("Because", None), ("Other", None), ("Other", "  ")])
def test_r8_4_decline_needs_a_listed_reason_and_notes_for_other(ctx, reason, notes):  # R8.4
    deal = received(ctx)
    refused(ctx.store, "R8.4", svc.decline, ctx, deal.id, reason, notes=notes)


def test_r8_4_decline_refused_once_accepted(ctx):  # R8.4, R8.2
    deal = accepted(ctx)
    refused(ctx.store, "R8.2", svc.decline, ctx, deal.id, "Other", notes="changed our mind")


# -- R8.7–R8.10 stages --------------------------------------------------------------------

def test_r8_7_mark_next_stage_and_record_it(ctx):  # R8.7
    deal = create(ctx)
    out = svc.mark_stage(ctx, deal.id, version=1)
    assert (out.stage, out.stages_marked, out.version) == (Stage.QUALIFIED, [Stage.QUALIFIED], 2)
    event = events(ctx, deal.id)[-1]
    assert event.action == "stage" and event.changes["stage"] == ["Created", "Qualified"]
    assert event.changes["stages_marked"] == [[], ["Qualified"]]


def test_r8_10_crm_stage_words_and_percentages_are_mapped(ctx):  # R8.10
    deal = create(ctx)
    assert svc.mark_stage(ctx, deal.id, "Proposal").stage is Stage.PROPOSED
    assert svc.mark_stage(ctx, deal.id, "45%").stages_marked == [Stage.DEVELOPED, Stage.PROPOSED]


def test_r8_10_unknown_crm_stage_refused(ctx):  # R8.10, R8.7
    deal = create(ctx)
    err = refused(ctx.store, "R8.7", svc.mark_stage, ctx, deal.id, "Haggling")
    assert "Haggling" in str(err)


def test_r8_8_assessment_stages_in_order(ctx):  # R8.8
    from factories import ASSESSMENT

    deal = create(ctx, kind=DealKind.SOLUTION_ASSESSMENT, solutions=[ASSESSMENT])
    refused(ctx.store, "R8.8", svc.mark_stage, ctx, deal.id, Stage.DELIVERED)
    assert svc.mark_stage(ctx, deal.id).stage is Stage.SCOPED


def test_r8_9_won_refused_listing_the_missing_stages(ctx, clock):  # R8.9
    deal = create(ctx)
    svc.mark_stage(ctx, deal.id, Stage.QUALIFIED)
    svc.mark_stage(ctx, deal.id, Stage.PROPOSED)
    clock.advance(days=5)
    err = refused(ctx.store, "R8.9", svc.won, ctx, deal.id)
    assert "Developed, Negotiated" in str(err)


# -- R8.11, R8.12 won ------------------------------------------------------------------------

def test_r8_11_won_after_every_stage_closes_the_deal(ctx, clock):  # R8.11, R8.14
    deal = won(ctx, clock)
    assert (deal.substatus, deal.stage, deal.tab, deal.closed_at) == (Substatus.WON, Stage.WON, Tab.CLOSED,
                                                                      NOW + timedelta(hours=73))
    event = events(ctx, deal.id)[-1]
    assert event.action == "won" and event.reason is None and event.changes["substatus"] == ["Accepted", "Won"]


def test_r8_12_won_at_71_hours_needs_the_warning_acknowledged(ctx, clock):  # R8.12
    deal = all_stages(ctx, create(ctx))
    clock.advance(hours=71)
    err = refused(ctx.store, "R8.12", svc.won, ctx, deal.id)
    assert "72 hours" in str(err)
    out = svc.won(ctx, deal.id, confirm_early=True)
    assert out.substatus is Substatus.WON
    assert "R8.12" in events(ctx, deal.id)[-1].reason


def test_r8_12_no_warning_for_a_deal_that_cannot_be_registered(ctx):  # R8.12
    deal = all_stages(ctx, create(ctx, value=Decimal("5000")))
    assert svc.won(ctx, deal.id).substatus is Substatus.WON


# -- lost, close as error ---------------------------------------------------------------------

def test_r8_11_lost_with_a_reason(ctx):  # R8.11
    deal = create(ctx)
    out = svc.lost(ctx, deal.id, "price", notes="Went with a cheaper offer")
    assert (out.substatus, out.status_reason, out.tab) == (Substatus.LOST, "Price", Tab.CLOSED)
    assert events(ctx, deal.id)[-1].reason == "Price"


def test_r8_11_lost_needs_an_answered_deal_and_a_reason(ctx):  # R8.11, R8.2
    deal = received(ctx)
    refused(ctx.store, "R8.2", svc.lost, ctx, deal.id, "Price")
    refused(ctx.store, "R8.11", svc.lost, ctx, create(ctx).id, "Other")


@pytest.mark.parametrize("state", ["received", "accepted", "created", "negotiated", "overdue"])
def test_r8_13_close_as_error_at_any_point_with_a_reason(ctx, clock, state):  # R8.13
    deal = {"received": lambda: received(ctx), "accepted": lambda: accepted(ctx), "created": lambda: create(ctx),
            "negotiated": lambda: all_stages(ctx, create(ctx)),
            "overdue": lambda: received(ctx, at=NOW - 20 * D)}[state]()
    out = svc.close_as_error(ctx, deal.id, "duplicate deal")
    assert (out.substatus, out.status_reason, out.tab) == (Substatus.ERROR, "Duplicate deal", Tab.CLOSED)
    event = events(ctx, deal.id)[-1]
    assert (event.action, event.reason) == ("error", "Duplicate deal")
    assert outbox(ctx.store, "declined") == []


# R8.13 (rules page corrected): the reason is optional, so "" is no longer refused; a given
# reason must still be one of the list, and "Other" still needs notes.
@pytest.mark.parametrize("reason, notes", [("typo", None), ("Other", None)])
def test_r8_13_close_as_error_needs_a_listed_reason_other_needs_notes(ctx, reason, notes):  # R8.13
    deal = create(ctx)
    refused(ctx.store, "R8.13", svc.close_as_error, ctx, deal.id, reason, notes=notes)
    assert svc.close_as_error(ctx, deal.id, "Other", notes="Test entry").substatus is Substatus.ERROR


@pytest.mark.parametrize("reason", [None, ""])
def test_r8_13_close_as_error_without_a_reason(ctx, reason):  # R8.13
    deal = create(ctx)
    out = svc.close_as_error(ctx, deal.id, reason)
    assert (out.substatus, out.status_reason, out.tab) == (Substatus.ERROR, None, Tab.CLOSED)
    event = events(ctx, deal.id)[-1]
    assert (event.action, event.reason) == ("error", None)
    other = create(ctx)
    assert svc.close_as_error(ctx, other.id).substatus is Substatus.ERROR


# -- R9 terminal ------------------------------------------------------------------------------

@pytest.fixture
def lost_deal(ctx):
    deal = create(ctx)
    return svc.lost(ctx, deal.id, "Price")


@pytest.mark.parametrize("call", [
    lambda ctx, d: svc.edit(ctx, d, {"name": "Reopened"}),
    lambda ctx, d: svc.add_note(ctx, d, "one more thing"),
    lambda ctx, d: svc.add_team_member(ctx, d, Person(name="C", phone="+46 70 1", email="c@x.example")),
    lambda ctx, d: svc.remove_solution(ctx, d, "SOL-AZ-1"),
    lambda ctx, d: svc.mark_stage(ctx, d),
    lambda ctx, d: svc.won(ctx, d),
    lambda ctx, d: svc.lost(ctx, d, "Price"),
    lambda ctx, d: svc.close_as_error(ctx, d, "Duplicate deal"),
    lambda ctx, d: svc.invite_microsoft(ctx, d, HelpType.POC, notes="help"),
    lambda ctx, d: svc.upgrade(ctx, d, SaleType.PARTNER_LED),
], ids=["edit", "note", "team", "solution", "stage", "won", "lost", "error", "invite-ms", "upgrade"])
def test_r9_terminal_deal_refuses_every_update(ctx, lost_deal, call):  # R9.1, R9.2, R8.14
    refused(ctx.store, "R9.1", call, ctx, lost_deal.id)


def test_r9_favorite_still_toggles_on_a_closed_deal(ctx, lost_deal):  # R9.1, R3.3
    assert svc.set_favorite(ctx, lost_deal.id).favorite


# -- R10 register ---------------------------------------------------------------------------

def test_r10_3_register_a_won_deal_then_validation_shows(ctx, clock):  # R10.3, R10.4
    deal = won(ctx, clock)
    out = svc.register(ctx, deal.id, contract_confirmed=True)
    assert out.registration.status is RegistrationStatus.REVIEW_PENDING
    assert (out.registration.contract_value, out.registration.currency) == (Decimal("60000"), "USD")
    assert events(ctx, deal.id)[-1].changes["registration"]["status"] == ["None", "ReviewPending"]
    refused(ctx.store, "R10.3", svc.register, ctx, deal.id, contract_confirmed=True)
    reviewed = svc.review_registration(ctx, deal.id, RegistrationStatus.ACTION_REQUIRED, "Upload the contract")
    assert reviewed.registration.message == "Upload the contract"
    assert svc.register(ctx, deal.id, contract_confirmed=True).registration.status is RegistrationStatus.REVIEW_PENDING


def test_r10_5_register_needs_the_contract_confirmed(ctx, clock):  # R10.5
    deal = won(ctx, clock)
    err = refused(ctx.store, "R10.5", svc.register, ctx, deal.id)
    assert [v.field for v in err.violations] == ["contract_confirmed"]
    assert svc.register(ctx, deal.id, contract_confirmed=True).registration.status is RegistrationStatus.REVIEW_PENDING


def test_r10_5_unconfirmed_and_ineligible_lists_both(ctx):  # R10.5, R10.1
    deal = create(ctx)
    err = refused(ctx.store, "R10.5", svc.register, ctx, deal.id)
    assert "R10.1" in {v.rule for v in err.violations}


def test_r10_1_register_refused_listing_every_unmet_criterion(ctx):  # R10.1
    deal = create(ctx, share_with_microsoft=False, value=Decimal("1000"))
    err = refused(ctx.store, "R10.1", svc.register, ctx, deal.id)
    messages = " | ".join(v.message for v in err.violations)
    assert "must be won" in messages and "partner-led or co-sell" in messages and "25,000 USD" in messages


def test_r10_3_contract_value_must_be_a_valid_amount(ctx, clock):  # R10.3
    deal = won(ctx, clock)
    refused(ctx.store, "R10.3", svc.register, ctx, deal.id, contract_value=Decimal("-5"))


def test_r10_4_only_an_admin_records_the_validation_outcome(ctx, clock):  # R10.4, R1.1
    deal = won(ctx, clock)
    svc.register(ctx, deal.id, contract_confirmed=True)
    refused(ctx.store, "R1.1", svc.review_registration, ctx_as(ctx, SELLER_SE), deal.id, RegistrationStatus.APPROVED)


def test_r10_1_cosell_registers_after_microsoft_accepts(ctx, clock):  # R10.1, R7.3
    deal = create(ctx, help_type=HelpType.POC)
    all_stages(ctx, deal)
    clock.advance(days=4)
    svc.won(ctx, deal.id)
    refused(ctx.store, "R10.1", svc.register, ctx, deal.id, contract_confirmed=True)
    svc.microsoft_respond(ctx, deal.id, True, won=True)
    assert svc.register(ctx, deal.id, contract_confirmed=True).registration.status is RegistrationStatus.REVIEW_PENDING


# -- R8.2 sweep, R7.3 Microsoft's window ---------------------------------------------------

def test_r8_2_sweep_expires_overdue_deals_only_and_notifies_once(ctx):  # R8.2, R12.2
    overdue = received(ctx, at=NOW - 15 * D)
    fresh = received(ctx, at=NOW - 13 * D)
    assert [d.id for d in svc.sweep(ctx)] == [overdue.id]
    gone = svc.get_deal(ctx, overdue.id)
    assert (gone.substatus, gone.tab, gone.status_reason) == (Substatus.EXPIRED, Tab.CLOSED,
                                                              "No response within 14 days")
    assert svc.get_deal(ctx, fresh.id).substatus is Substatus.RECEIVED
    assert svc.sweep(ctx) == []
    assert outbox(ctx.store, "expired") == [("expired", "maria@microsoft.example", overdue.id)]
    event = events(ctx, overdue.id)[-1]
    assert (event.action, event.actor, event.changes) == ("expired", "sweep (alice)",
                                                          {"substatus": ["Received", "Expired"]})


def test_r8_2_sweep_expires_exactly_at_14_days(ctx, clock):  # R8.2
    deal = received(ctx)
    clock.advance(days=14, seconds=-1)
    assert svc.sweep(ctx) == []
    clock.advance(seconds=1)
    assert [d.id for d in svc.sweep(ctx)] == [deal.id]


def test_r8_2_sweep_sees_deals_outside_the_callers_scope(ctx):  # R8.2, R1.3
    deal = received(ctx, at=NOW - 15 * D, location="Norway")
    assert [d.id for d in svc.sweep(ctx_as(ctx, SELLER_SE))] == [deal.id]


def test_r7_3_lapsed_microsoft_window_tells_the_team_once(ctx, clock):  # R7.3, R12
    deal = create(ctx, help_type=HelpType.POC)
    clock.advance(days=13)
    svc.sweep(ctx)
    assert outbox(ctx.store, "microsoft_window") == []
    clock.advance(days=1)
    svc.sweep(ctx)
    svc.sweep(ctx)
    assert outbox(ctx.store, "microsoft_window") == [("microsoft_window", "bob@contoso-partner.com", deal.id)]
    assert svc.get_deal(ctx, deal.id).substatus is Substatus.ACCEPTED  # the deal stays open


def test_r7_3_someone_joining_after_a_quiet_sweep_is_still_told(ctx, clock):  # R7.3, R12
    """A sweep that found nobody left to tell skips the lapsed deals until something is written
    (or another window lapses): the write of a new team member is such a change."""
    deal = create(ctx, help_type=HelpType.POC)
    clock.advance(days=14)
    svc.sweep(ctx)
    svc.sweep(ctx)                                     # nobody left: the next ticks read one number
    assert len(outbox(ctx.store, "microsoft_window")) == 1
    late = Person(name="Lena Late", phone="+46 70 555 01 02", email="lena@contoso-partner.com",
                  company="Contoso Partner")
    svc.add_team_member(ctx, deal.id, late)
    svc.sweep(ctx)
    assert sorted(r[1] for r in outbox(ctx.store, "microsoft_window")) == ["bob@contoso-partner.com",
                                                                           "lena@contoso-partner.com"]
    second = create(ctx, help_type=HelpType.POC)       # its window lapses later, with no write between
    svc.sweep(ctx)
    clock.advance(days=14)
    svc.sweep(ctx)
    assert [r[2] for r in outbox(ctx.store, "microsoft_window")].count(second.id) == 1


def test_sweep_with_nothing_to_do_writes_nothing(ctx):  # R8.2
    create(ctx, help_type=HelpType.POC)
    before = ctx.store.change_counter()
    svc.sweep(ctx)
    assert ctx.store.change_counter() == before


# -- R13.1: respond quickly (the model orders and picks the deals that need an answer) ---------

def test_r13_1_inbound_tab_lists_the_soonest_expiring_first(ctx):  # R13.1, R8.2
    late = received(ctx, at=NOW - 2 * D, name="late")
    soon = received(ctx, at=NOW - 12 * D, name="soon")
    mid = received(ctx, at=NOW - 6 * D, name="mid")
    rows = svc.list_deals(ctx, DealQuery(tab=Tab.INBOUND))
    assert [r.name for r in rows] == ["soon", "mid", "late"]
    assert [d.id for d in svc.expiring_deals(ctx, timedelta(hours=72))] == [soon.id]
    assert {late.id, mid.id}.isdisjoint(d.id for d in svc.expiring_deals(ctx, timedelta(hours=72)))
