"""Pure rules of what a deal must carry: R4.1/R4.6/R4.10 customer, R5 details per kind,
R6.1 team, R6.4–R6.7 solutions, R7.4 invitations. Every check reports all violations at once."""
from __future__ import annotations

from decimal import Decimal

import pytest

from factories import ASSESSMENT, AZURE_APP, PLAIN_APP, TEAM, make_draft, managed_customer
from deal_support import partner_invitation
from model.domain.enums import AccountTab, DealKind, HelpType, MarketplaceIntent, PartnerRole, SolutionSource
from model.domain.rules.deal_fields import (
    customer_contact_required_violations, customer_violations, details_violations, invitation_violations,
    money_violations, solutions_violations, team_violations,
)
from model.domain.schemas import Customer, CustomerContact, DealSolution, Person
from model.services.creation import draft_violations

SERVICES = dict(kind=DealKind.SERVICES_COSELL, partner_role=PartnerRole.DEPLOYMENT, solution_area="Azure",
                solution_play="Migrate and modernize", solutions=[])


def fields(violations) -> set:
    return {v.field for v in violations}


# -- R5: deal details, by kind -------------------------------------------------------

@pytest.mark.parametrize("kw", [{}, SERVICES, dict(kind=DealKind.SOLUTION_ASSESSMENT, solutions=[ASSESSMENT])],
                         ids=["ip", "services", "assessment"])
def test_r5_complete_details_pass_for_every_kind(kw):  # R5
    assert details_violations(make_draft(**kw)) == []


def test_r5_every_missing_required_field_is_listed_at_once():  # R5, R1.2
    draft = make_draft(name=" ", location="", value=None, close_date=None, notes="")
    out = details_violations(draft)
    assert fields(out) == {"name", "location", "value", "close_date", "notes"}
    assert {v.rule for v in out} == {"R5", "R1.2"}
    assert all(v.message for v in out)


def test_r5_services_cosell_requires_role_area_and_play():  # R5 (services column)
    out = details_violations(make_draft(**{**SERVICES, "partner_role": None, "solution_area": "",
                                          "solution_play": None}))
    assert fields(out) == {"partner_role", "solution_area", "solution_play"}
    assert all(v.rule == "R5" and "services co-sell" in v.message for v in out)


def test_r5_ip_cosell_leaves_area_and_play_optional():  # R5 (IP column)
    assert details_violations(make_draft(solution_area=None, solution_play=None)) == []


def test_r5_partner_role_is_not_shown_for_ip_cosell():  # R5
    out = details_violations(make_draft(partner_role=PartnerRole.TRANSACTION))
    assert [(v.rule, v.field) for v in out] == [("R5", "partner_role")]


def test_r5_1_marketplace_intent_is_ip_cosell_only():  # R5.1
    out = details_violations(make_draft(**SERVICES, marketplace_intent=MarketplaceIntent.YES))
    assert [(v.rule, v.field) for v in out] == [("R5.1", "marketplace_intent")]
    assert details_violations(make_draft(marketplace_intent=MarketplaceIntent.UNDECIDED)) == []


def test_r5_deal_name_longer_than_300_characters_is_refused():  # R5
    assert fields(details_violations(make_draft(name="x" * 301))) == {"name"}


@pytest.mark.parametrize("value, currency, message", [
    (Decimal("-1"), "USD", "cannot be negative"),
    (Decimal("10"), "EURO", "3-letter ISO code"),
    (Decimal("10"), "XYZ", "no exchange rate is known for XYZ"),
    (None, "USD", "an estimated value is required"),
])
def test_r5_value_needs_an_amount_and_a_known_currency(value, currency, message):  # R5
    out = money_violations(value, currency)
    assert len(out) == 1 and message in out[0].message and out[0].rule == "R5"


# -- R6.1: team ----------------------------------------------------------------------

def test_r6_1_at_least_one_member_is_required():  # R6.1
    out = team_violations([])
    assert [(v.rule, v.field) for v in out] == [("R6.1", "team")]


def test_r6_1_each_member_needs_name_phone_and_email_all_listed():  # R6.1
    out = team_violations([Person(name="", phone="", email="")])
    assert fields(out) == {"team[0].name", "team[0].phone", "team[0].email"}
    assert {v.rule for v in out} == {"R6.1"}


def test_r6_1_phone_and_email_must_look_like_phone_and_email():  # R6.1
    out = team_violations([TEAM[0], Person(name="Eve", phone="call me", email="eve-at-example")])
    assert fields(out) == {"team[1].phone", "team[1].email"}


def test_r6_1_complete_team_passes():  # R6.1
    assert team_violations(TEAM) == []


# -- R6.4–R6.7: solutions ----------------------------------------------------------

def test_r6_4_ip_cosell_needs_a_solution():  # R6.4
    out = solutions_violations(DealKind.IP_COSELL, [], managed_customer())
    assert [(v.rule, v.field) for v in out] == [("R6.4", "solutions")]


def test_r6_4_services_cosell_solutions_are_optional():  # R6.4
    assert solutions_violations(DealKind.SERVICES_COSELL, [], managed_customer()) == []


def test_r6_4_same_solution_twice_is_refused():  # R6.4
    out = solutions_violations(DealKind.IP_COSELL, [AZURE_APP, AZURE_APP], managed_customer())
    assert [v.rule for v in out] == ["R6.4"]


def test_r6_6_assessment_deal_takes_exactly_one_assessment():  # R6.6, R2.4
    assert solutions_violations(DealKind.SOLUTION_ASSESSMENT, [ASSESSMENT], None) == []
    other = ASSESSMENT.model_copy(update={"solution_id": "SA-SEC", "name": "Security assessment"})
    for solutions in ([], [ASSESSMENT, other], [ASSESSMENT, AZURE_APP]):
        out = solutions_violations(DealKind.SOLUTION_ASSESSMENT, solutions, None)
        assert [v.rule for v in out] == ["R6.6"], solutions


def test_r6_6_assessment_needs_its_location():  # R6.6
    out = solutions_violations(DealKind.SOLUTION_ASSESSMENT, [ASSESSMENT.model_copy(update={"assessment_location": " "})],
                               None)
    assert [(v.rule, v.field) for v in out] == [("R6.6", "solutions.assessment_location")]


def test_r6_6_assessments_belong_only_on_assessment_deals():  # R6.6
    out = solutions_violations(DealKind.IP_COSELL, [AZURE_APP, ASSESSMENT], managed_customer())
    assert [v.rule for v in out] == ["R6.6"]


def test_r6_7_macc_customer_needs_a_macc_eligible_solution():  # R6.7
    macc = managed_customer(macc=True)
    out = solutions_violations(DealKind.IP_COSELL, [PLAIN_APP], macc)
    assert [v.rule for v in out] == ["R6.7"] and "MACC" in out[0].message
    assert solutions_violations(DealKind.IP_COSELL, [PLAIN_APP, AZURE_APP], macc) == []


def test_r6_7_marketplace_yes_needs_an_incentivized_solution():  # R6.7
    out = solutions_violations(DealKind.IP_COSELL, [PLAIN_APP], managed_customer(), MarketplaceIntent.YES)
    assert [v.rule for v in out] == ["R6.7"] and "incentivized" in out[0].message
    assert solutions_violations(DealKind.IP_COSELL, [AZURE_APP], managed_customer(), MarketplaceIntent.YES) == []
    assert solutions_violations(DealKind.IP_COSELL, [PLAIN_APP], managed_customer(), MarketplaceIntent.NO) == []


def test_r6_7_both_solution_rules_are_reported_together():  # R6.7
    out = solutions_violations(DealKind.IP_COSELL, [PLAIN_APP], managed_customer(macc=True), MarketplaceIntent.YES)
    assert [v.rule for v in out] == ["R6.7", "R6.7"]


# -- R4: the customer ----------------------------------------------------------------

def test_r4_1_a_customer_is_the_first_mandatory_choice():  # R4.1
    assert [v.rule for v in customer_violations(None)] == ["R4.1"]
    assert [v.rule for v in customer_violations(Customer(name="  "))] == ["R4.1"]


@pytest.mark.parametrize("tab, ok", [(AccountTab.OTHER, True), (AccountTab.MANAGED, False),
                                     (AccountTab.UNMANAGED, False), (AccountTab.MANUAL, False)])
def test_r4_6_federal_accounts_only_from_the_duns_list(tab, ok):  # R4.6
    out = customer_violations(Customer(name="US Dept of Examples", source=tab, federal=True))
    assert (out == []) is ok
    if not ok:
        assert [v.rule for v in out] == ["R4.6"]


def test_r4_10_contact_details_must_be_well_formed_when_given():  # R4.10
    customer = managed_customer(contacts=[CustomerContact(name="Nina", phone="n/a", email="nina")])
    assert {v.rule for v in customer_violations(customer)} == {"R4.10"}
    assert len(customer_violations(customer)) == 2


def test_r4_10_contact_and_consent_both_required_for_microsoft():  # R4.10
    out = customer_contact_required_violations(managed_customer(contacts=[], consent_to_share=False))
    assert fields(out) == {"customer.contacts", "customer.consent_to_share"}
    assert customer_contact_required_violations(managed_customer()) == []


def test_r4_10_an_incomplete_contact_does_not_count():  # R4.10
    half = managed_customer(contacts=[CustomerContact(name="Nina", email="nina@northwind.example")])
    assert fields(customer_contact_required_violations(half)) == {"customer.contacts"}


# -- R7.4: invited partners ------------------------------------------------------------

def test_r7_4_complete_invitation_passes():  # R7.4
    assert invitation_violations(partner_invitation(), 0) == []


def test_r7_4_partner_close_date_value_and_solution_are_required_all_listed():  # R7.4
    out = invitation_violations(partner_invitation(partner_name="", close_date=None, value=None, solutions=[]), 2)
    assert fields(out) == {"invitations[2].partner", "invitations[2].close_date", "invitations[2].value",
                           "invitations[2].solutions"}
    assert {v.rule for v in out} == {"R7.4"}


def test_r7_4_inviting_team_members_need_full_details():  # R7.4, R6.1
    out = invitation_violations(partner_invitation(team=[Person(name="Al", phone="", email="al@x.example")]), 0)
    assert [(v.rule, v.field) for v in out] == [("R7.4", "invitations[0].team[0].phone")]


# -- the whole new-deal form -------------------------------------------------------------

def test_draft_violations_lists_every_unmet_rule_at_once():  # R4.1, R5, R6.1, R6.4
    from model.domain.schemas import DealDraft

    out = draft_violations(DealDraft())
    assert {"R4.1", "R5", "R1.2", "R6.1", "R6.4"} <= {v.rule for v in out}
    assert {"customer", "name", "location", "value", "close_date", "notes", "team", "solutions"} <= fields(out)


def test_draft_asking_microsoft_for_help_requires_contact_and_consent():  # R4.10, R7.3
    draft = make_draft(help_type=HelpType.POC, customer=managed_customer(contacts=[], consent_to_share=False))
    assert {v.field for v in draft_violations(draft)} == {"customer.contacts", "customer.consent_to_share"}
    assert draft_violations(make_draft(customer=managed_customer(contacts=[], consent_to_share=False))) == []


def test_draft_assessment_has_no_sale_type_questions():  # R2.4, R7 (not for SA)
    draft = make_draft(kind=DealKind.SOLUTION_ASSESSMENT, solutions=[ASSESSMENT], help_type=HelpType.GENERAL)
    assert [v.rule for v in draft_violations(draft)] == ["R2.4"]


def test_draft_checks_each_invited_partner():  # R7.4
    draft = make_draft(invitations=[partner_invitation(), partner_invitation(partner_name="", solutions=[])])
    out = draft_violations(draft)
    assert fields(out) == {"invitations[1].partner", "invitations[1].solutions"}


def test_solution_sources_are_the_four_of_the_catalogue():  # R6.5
    assert {s.label for s in SolutionSource} == {"My company's solutions", "Microsoft", "Other third-party solutions",
                                                 "Solution assessments"}
    assert DealSolution(solution_id="X", name="X", source="microsoft").source is SolutionSource.MICROSOFT
