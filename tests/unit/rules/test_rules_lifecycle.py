"""Pure lifecycle rules: sale type (R7.1–R7.4), stages (R8.7–R8.10), Won (R8.9, R8.12),
terminal states (R9), response window (R8.2), Microsoft's window (R7.3), upgrade (R7.5),
invitations (R2.3), close as error (R8.13) and what an edit may touch (R1.2, R4.9, R8.6)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from factories import AZURE_APP, NOW, PLAIN_APP, managed_customer
from deal_support import closed_deal, outbound_deal, received_deal
from model.domain.enums import (
    AccountTab, DealKind, Direction, HelpType, MarketplaceIntent, MicrosoftStatus, PartnerRole, SaleType, Substatus,
)
from model.domain.rules.lifecycle import (
    Action, action_violations, available_actions, early_win_warning, edit_violations, expire_violations, expiry_band,
    format_left, is_overdue, microsoft_window, missing_before_won, next_stage, sale_type_for, stage_violations,
    time_left, won_violations,
)
from model.domain.schemas import Customer
from model.domain.stages import (
    ASSESSMENT_STAGES, SALES_STAGES, Stage, intermediate_for, map_crm_stage, percent,
)

H = timedelta(hours=1)
D = timedelta(days=1)


def rules(violations) -> list[str]:
    return [v.rule for v in violations]


# -- R7.1–R7.4: sale type from the two questions ------------------------------------------

@pytest.mark.parametrize("help_type, share, partners, expected", [
    (HelpType.NONE, False, False, SaleType.PRIVATE),        # R7.1
    (HelpType.NONE, True, False, SaleType.PARTNER_LED),     # R7.2
    (HelpType.POC, False, False, SaleType.CO_SELL),         # R7.3: any help option
    (HelpType.QUOTES, True, False, SaleType.CO_SELL),       # R7.3
    (HelpType.NONE, True, True, SaleType.P2P),              # R7.4
    (HelpType.NONE, False, True, SaleType.P2P),             # R7.4
    (HelpType.GENERAL, True, True, SaleType.CO_SELL),       # R7.4: Microsoft invited together with partners
])
def test_r7_sale_type_follows_the_two_questions(help_type, share, partners, expected):  # R7.1–R7.4
    assert sale_type_for(help_type, share, partners) is expected


def test_r7_assessments_have_no_sale_type():  # R7 (non-SA only), R2.4
    assert sale_type_for(HelpType.NONE, True, False, DealKind.SOLUTION_ASSESSMENT) is None


# -- R8.7, R8.8, R8.10: the stage tables --------------------------------------------------

def test_r8_7_sales_stage_table():  # R8.7
    assert [(i.stage.value, i.percent) for i in SALES_STAGES] == [
        ("Created", 10), ("Accepted", 10), ("Qualified", 20), ("Developed", 40), ("Proposed", 60),
        ("Negotiated", 80), ("Won", 100)]
    assert SALES_STAGES[3].mcem_phase == "Inspire & design"
    assert SALES_STAGES[-1].exit_criterion == "Customer signed; deployment can start"


def test_r8_8_assessment_stages_differ_and_end_in_won():  # R8.8
    assert [i.stage for i in ASSESSMENT_STAGES] != [i.stage for i in SALES_STAGES]
    assert ASSESSMENT_STAGES[-1].stage is Stage.WON
    assert intermediate_for(True) == (Stage.SCOPED, Stage.ASSESSING, Stage.DELIVERED)


@pytest.mark.parametrize("value, inbound, expected", [
    ("Qualification", False, Stage.QUALIFIED), ("discovery", False, Stage.DEVELOPED), ("Proposal", False, Stage.PROPOSED),
    ("Negotiation", False, Stage.NEGOTIATED), ("Closed Won", False, Stage.WON), (" 60% ", False, Stage.PROPOSED),
    (50, False, Stage.DEVELOPED), (79.9, False, Stage.PROPOSED), (100, False, Stage.WON),
    (5, False, Stage.CREATED), (5, True, Stage.ACCEPTED),
])
def test_r8_10_crm_stages_map_onto_the_standard_stages(value, inbound, expected):  # R8.10
    assert map_crm_stage(value, inbound=inbound) is expected


@pytest.mark.parametrize("value", ["Haggling", "150", -1])
def test_r8_10_unknown_crm_stage_is_an_error_not_a_guess(value):  # R8.10
    with pytest.raises(ValueError):
        map_crm_stage(value)


# -- R8.7–R8.9: marking stages and Won -----------------------------------------------------

def test_next_stage_is_the_first_unmarked_one():  # R8.7
    deal = outbound_deal(stages_marked=[Stage.QUALIFIED, Stage.PROPOSED])
    assert next_stage(deal) is Stage.DEVELOPED
    assert next_stage(outbound_deal(stages_marked=list(intermediate_for(False)))) is None


def test_r8_9_won_refused_listing_every_missing_stage():  # R8.9
    deal = outbound_deal(stages_marked=[Stage.QUALIFIED, Stage.PROPOSED])
    assert missing_before_won(deal) == [Stage.DEVELOPED, Stage.NEGOTIATED]
    out = won_violations(deal)
    assert rules(out) == ["R8.9"]
    assert "Developed, Negotiated" in out[0].message
    assert won_violations(outbound_deal(stages_marked=list(intermediate_for(False)))) == []


def test_r8_9_assessment_won_needs_its_own_stages():  # R8.8, R8.9
    deal = outbound_deal(kind=DealKind.SOLUTION_ASSESSMENT, sale_type=None, stages_marked=[Stage.SCOPED])
    assert "Assessing, Delivered" in won_violations(deal)[0].message


def test_r8_7_sales_stages_may_be_marked_out_of_order_but_not_twice():  # R8.7, R8.8
    deal = outbound_deal(stages_marked=[Stage.QUALIFIED])
    assert stage_violations(deal, Stage.NEGOTIATED) == []
    assert rules(stage_violations(deal, Stage.QUALIFIED)) == ["R8.7"]


def test_r8_8_assessment_stages_are_marked_in_order():  # R8.8
    deal = outbound_deal(kind=DealKind.SOLUTION_ASSESSMENT, sale_type=None)
    out = stage_violations(deal, Stage.ASSESSING)
    assert rules(out) == ["R8.8"] and "Scoped" in out[0].message
    assert stage_violations(deal, Stage.SCOPED) == []


def test_r8_7_stage_from_the_other_track_or_won_is_refused():  # R8.7, R8.11
    assert rules(stage_violations(outbound_deal(), Stage.SCOPED)) == ["R8.7"]
    assert rules(stage_violations(outbound_deal(), Stage.WON)) == ["R8.11"]
    assert rules(stage_violations(outbound_deal(stages_marked=list(intermediate_for(False))), None)) == ["R8.9"]


def test_stages_need_an_answered_deal():  # R8.2, R8.6
    assert rules(stage_violations(received_deal(), Stage.QUALIFIED)) == ["R8.2"]
    assert rules(action_violations(received_deal(), Action.WON, NOW)) == ["R8.2"]


# -- R8.12: 72 hours before Won on a registration-eligible deal -----------------------------

def test_r8_12_warning_at_71_hours_not_at_73():  # R8.12
    deal = outbound_deal(created_at=NOW)
    warning = early_win_warning(deal, NOW + 71 * H)
    assert warning is not None and warning.rule == "R8.12"
    assert "72 hours" in warning.message and "wait 1h 0m" in warning.message
    assert early_win_warning(deal, NOW + 73 * H) is None
    assert early_win_warning(deal, NOW + 72 * H) is None


@pytest.mark.parametrize("kw", [
    dict(solutions=[PLAIN_APP]),                                  # no registrable solution (R10.2)
    dict(sale_type=SaleType.PRIVATE, share_with_microsoft=False),  # private (R10.1)
    dict(value=Decimal("10000")),                                  # under 25,000 USD (R10.1)
    dict(customer=managed_customer(source=AccountTab.UNMANAGED, match="unmanaged")),  # R4.4
    dict(kind=DealKind.SERVICES_COSELL),                           # R10: IP co-sell only
])
def test_r8_12_no_warning_when_the_deal_could_not_be_registered_anyway(kw):  # R8.12
    assert early_win_warning(outbound_deal(created_at=NOW, **kw), NOW + H) is None


def test_r8_12_warning_while_account_matching_may_still_make_it_eligible():  # R8.12, R4.5
    deal = outbound_deal(created_at=NOW, customer=Customer(name="Duns AB", source=AccountTab.OTHER, duns="1"))
    assert early_win_warning(deal, NOW + H) is not None


# -- R9: terminal states ---------------------------------------------------------------

TERMINAL = [Substatus.WON, Substatus.LOST, Substatus.DECLINED, Substatus.EXPIRED, Substatus.ERROR]


@pytest.mark.parametrize("substatus", TERMINAL)
def test_r9_terminal_deal_refuses_everything_but_the_heart(substatus):  # R9.1, R9.2, R8.14, R3.3
    deal = closed_deal(substatus)
    actions = available_actions(deal, None, NOW)
    assert actions.pop(Action.FAVORITE) == []
    actions.pop(Action.REGISTER)  # R10: its own criteria (below)
    for action, violations in actions.items():
        assert rules(violations) == ["R9.1"], action
        assert substatus.value.lower() in violations[0].message


def test_r9_register_is_the_one_action_left_on_a_won_deal():  # R9.1, R10.3
    assert action_violations(closed_deal(Substatus.WON), Action.REGISTER, NOW) == []
    assert "R10.1" in rules(action_violations(closed_deal(Substatus.LOST), Action.REGISTER, NOW))


# -- R8.2: the 14-day response window --------------------------------------------------

@pytest.mark.parametrize("elapsed, band, text", [
    (timedelta(0), "ok", "14d 0h"),
    (10 * D + 23 * H, "ok", "3d 1h"),
    (11 * D, "ok", "3d 0h"),                 # exactly 72 h left
    (11 * D + H, "72h", "2d 23h"),
    (13 * D, "72h", "1d 0h"),                # exactly 24 h left
    (13 * D + H, "24h", "23h 0m"),
    (14 * D - timedelta(minutes=12), "24h", "12m"),
    (14 * D, "overdue", "overdue"),
    (20 * D, "overdue", "overdue"),
])
def test_r8_2_countdown_and_bands(elapsed, band, text):  # R8.2, R13.1
    deal = received_deal()
    left = time_left(deal, NOW + elapsed)
    assert left == 14 * D - elapsed
    assert expiry_band(left) == band
    assert format_left(left) == text


def test_r8_2_only_received_inbound_deals_count_down():  # R8.2
    assert time_left(outbound_deal(), NOW) is None
    assert time_left(outbound_deal(direction=Direction.INBOUND, expires_at=NOW + D), NOW + 20 * D) is None
    assert expiry_band(None) is None and format_left(None) == ""


def test_r8_2_accept_and_decline_until_the_window_ends():  # R8.2
    deal = received_deal()
    for action in (Action.ACCEPT, Action.DECLINE):
        assert action_violations(deal, action, NOW + 14 * D - timedelta(minutes=1)) == []
        out = action_violations(deal, action, NOW + 14 * D)
        assert rules(out) == ["R8.2"] and "expired" in out[0].message


def test_r8_2_expire_only_overdue_received_deals():  # R8.2
    deal = received_deal()
    assert not is_overdue(deal, NOW + 13 * D)
    assert rules(expire_violations(deal, NOW + 13 * D)) == ["R8.2"]
    assert expire_violations(deal, NOW + 14 * D) == []
    assert rules(expire_violations(outbound_deal(), NOW + 30 * D)) == ["R8.2"]


def test_r8_2_received_deal_allows_only_answers_error_and_heart():  # R8.2, R8.3, R8.4, R8.13
    allowed = {a for a, v in available_actions(received_deal(), None, NOW).items() if not v}
    assert allowed == {Action.ACCEPT, Action.DECLINE, Action.CLOSE_AS_ERROR, Action.FAVORITE}


def test_r8_2_accepting_twice_is_refused():  # R8.2, R8.3
    assert rules(action_violations(outbound_deal(direction=Direction.INBOUND), Action.ACCEPT, NOW)) == ["R8.2"]


# -- R7.3: Microsoft's 14 days ------------------------------------------------------------

def test_r7_3_microsoft_window_runs_14_days_from_the_invitation():  # R7.3
    deal = outbound_deal(sale_type=SaleType.CO_SELL, microsoft_status=MicrosoftStatus.INVITED,
                         microsoft_invited_at=NOW)
    assert microsoft_window(deal, NOW + 13 * D) == (NOW + 14 * D, False)
    assert microsoft_window(deal, NOW + 14 * D) == (NOW + 14 * D, True)


@pytest.mark.parametrize("status", [MicrosoftStatus.NOT_INVITED, MicrosoftStatus.ACCEPTED, MicrosoftStatus.DECLINED])
def test_r7_3_no_window_unless_microsoft_is_still_deciding(status):  # R7.3
    assert microsoft_window(outbound_deal(microsoft_status=status, microsoft_invited_at=NOW), NOW) is None


# -- R7.5 upgrade, R2.3 invitations ---------------------------------------------------------

def test_r7_5_only_a_private_deal_upgrades():  # R7.5
    private = outbound_deal(sale_type=SaleType.PRIVATE, share_with_microsoft=False)
    assert action_violations(private, Action.UPGRADE, NOW) == []
    out = action_violations(outbound_deal(), Action.UPGRADE, NOW)
    assert rules(out) == ["R7.5"] and "partner-led" in out[0].message


def test_r7_5_private_p2p_deal_upgrades_too():  # R7.5, R2.6, R7.4
    p2p = outbound_deal(sale_type=SaleType.P2P, share_with_microsoft=False)
    assert action_violations(p2p, Action.UPGRADE, NOW) == []
    shared = outbound_deal(sale_type=SaleType.P2P, share_with_microsoft=True)
    assert rules(action_violations(shared, Action.UPGRADE, NOW)) == ["R7.5"]


def test_r7_5_upgrade_only_before_terminal():  # R7.5, R9.2
    deal = closed_deal(Substatus.LOST, sale_type=SaleType.PRIVATE, share_with_microsoft=False)
    assert rules(action_violations(deal, Action.UPGRADE, NOW)) == ["R9.1"]


def test_r2_3_partners_and_microsoft_invited_after_creation_while_open():  # R2.3
    deal = outbound_deal()
    assert action_violations(deal, Action.INVITE_PARTNER, NOW) == []
    assert action_violations(deal, Action.INVITE_MICROSOFT, NOW) == []
    for substatus in TERMINAL:
        closed = closed_deal(substatus)
        assert rules(action_violations(closed, Action.INVITE_PARTNER, NOW)) == ["R9.1"]
        assert rules(action_violations(closed, Action.INVITE_MICROSOFT, NOW)) == ["R9.1"]


def test_r2_3_microsoft_invited_once_and_only_the_creator_invites_partners():  # R2.3
    invited = outbound_deal(microsoft_status=MicrosoftStatus.INVITED)
    assert rules(action_violations(invited, Action.INVITE_MICROSOFT, NOW)) == ["R2.3"]
    declined = outbound_deal(microsoft_status=MicrosoftStatus.DECLINED)
    assert action_violations(declined, Action.INVITE_MICROSOFT, NOW) == []
    inbound = outbound_deal(direction=Direction.INBOUND)
    assert rules(action_violations(inbound, Action.INVITE_PARTNER, NOW)) == ["R2.3"]


def test_r2_4_no_invitations_on_assessment_deals():  # R2.4, R7
    sa = outbound_deal(kind=DealKind.SOLUTION_ASSESSMENT, sale_type=None)
    assert rules(action_violations(sa, Action.INVITE_PARTNER, NOW)) == ["R2.3"]
    assert rules(action_violations(sa, Action.INVITE_MICROSOFT, NOW)) == ["R7.3"]


# -- R8.13: close as error ------------------------------------------------------------------

@pytest.mark.parametrize("deal", [
    received_deal(), received_deal(received_at=NOW - 20 * D), outbound_deal(),
    outbound_deal(stages_marked=list(intermediate_for(False)), stage=Stage.NEGOTIATED),
], ids=["received", "received-overdue", "created", "negotiated"])
def test_r8_13_close_as_error_at_any_open_point(deal):  # R8.13
    assert action_violations(deal, Action.CLOSE_AS_ERROR, NOW) == []


# -- R8.6, R1.2, R4.9: what an edit may change ----------------------------------------------

def test_r8_6_editable_details_pass():  # R8.6
    changes = dict(name="New name", close_date=date(2027, 6, 1), value=Decimal("70000"), crm_id="CRM-9",
                   campaign_id="CMP-1", marketplace_intent=MarketplaceIntent.UNDECIDED)
    assert edit_violations(outbound_deal(), changes) == []


def test_r1_2_location_is_never_editable():  # R1.2
    out = edit_violations(outbound_deal(), {"location": "Norway"})
    assert [(v.rule, v.field) for v in out] == [("R1.2", "location")]


@pytest.mark.parametrize("tab", [AccountTab.OTHER, AccountTab.MANUAL])
def test_r4_9_customer_from_other_or_typed_cannot_change(tab):  # R4.9
    deal = outbound_deal(customer=Customer(name="Typed AB", source=tab))
    out = edit_violations(deal, {"customer": managed_customer(name="Another AB")})
    assert rules(out) == ["R4.9"] and "support" in out[0].message


def test_r4_9_customer_chosen_from_microsoft_tabs_can_change_within_the_rules():  # R4.9, R4.6, R6.7
    deal = outbound_deal(solutions=[PLAIN_APP])
    assert edit_violations(deal, {"customer": managed_customer(name="Another AB")}) == []
    assert rules(edit_violations(deal, {"customer": managed_customer(federal=True)})) == ["R4.6"]
    assert rules(edit_violations(deal, {"customer": managed_customer(macc=True)})) == ["R6.7"]
    assert rules(edit_violations(deal, {"customer": "Another AB"})) == ["R4.1"]


def test_r4_10_changing_customer_keeps_a_contact_while_microsoft_is_on_the_deal():  # R4.10
    deal = outbound_deal(microsoft_status=MicrosoftStatus.INVITED)
    out = edit_violations(deal, {"customer": managed_customer(contacts=[], consent_to_share=False)})
    assert rules(out) == ["R4.10", "R4.10"]


def test_edit_reports_every_problem_at_once():  # R1.2, R5, R8.6
    out = edit_violations(outbound_deal(), {"location": "Norway", "name": " ", "close_date": None,
                                            "value": Decimal("-5"), "stage": "Won"})
    assert sorted(rules(out)) == ["R1.2", "R5", "R5", "R5", "R8.6"]


def test_r5_edit_keeps_kind_specific_fields_valid():  # R5, R5.1, R6.7
    services = outbound_deal(kind=DealKind.SERVICES_COSELL, partner_role=PartnerRole.DEPLOYMENT)
    assert [v.field for v in edit_violations(services, {"partner_role": None, "solution_play": ""})] == [
        "partner_role", "solution_play"]
    assert rules(edit_violations(services, {"marketplace_intent": MarketplaceIntent.NO})) == ["R5.1"]
    assert rules(edit_violations(outbound_deal(), {"partner_role": PartnerRole.TRANSACTION})) == ["R5"]
    no_incentive = outbound_deal(solutions=[PLAIN_APP])
    assert rules(edit_violations(no_incentive, {"marketplace_intent": MarketplaceIntent.YES})) == ["R6.7"]
    assert edit_violations(outbound_deal(solutions=[AZURE_APP]), {"marketplace_intent": MarketplaceIntent.YES}) == []


def test_edit_needs_an_open_answered_deal():  # R8.2, R9.1
    assert rules(edit_violations(received_deal(), {"name": "x"})) == ["R8.2"]
    assert rules(edit_violations(closed_deal(Substatus.WON), {"name": "x"})) == ["R9.1"]


def test_stage_percent_follows_the_table():  # R8.7
    assert [percent(s) for s in (Stage.CREATED, Stage.QUALIFIED, Stage.NEGOTIATED, Stage.WON)] == [10, 20, 80, 100]
