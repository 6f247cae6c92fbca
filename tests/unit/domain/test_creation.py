"""A new deal's rules against the catalogue (model.domain.creation): the draft rules, the
catalogue's facts (R4.11, R6.5, R6.7, R7.4), and ``creation_violations`` for a new deal arriving
by import. Pure: the catalogue is a ``MemoryCatalogue``."""
from __future__ import annotations

from deal_support import outbound_deal, partner_invitation, received_deal
from factories import ASSESSMENT, AZURE_APP, PLAIN_APP, make_draft, managed_customer
from model.domain.creation import MemoryCatalogue, draft_violations, draft_with_facts
from model.domain.enums import AccountTab, DealKind, MarketplaceIntent, PartnerRole, RegistrationKind
from model.domain.operations import creation_violations
from model.domain.schemas import Account, Customer, DealSolution, Partner, Solution

NOT_READY = Solution(solution_id="SOL-MKT", name="Marketplace add-on", source="third_party", cosell_ready=False)
CATALOGUE = MemoryCatalogue(
    accounts=[Account(account_id="ACC-1", name="Northwind Traders AB", tab=AccountTab.MANAGED),
              Account(account_id="ACC-U", name="Loose AB", tab=AccountTab.UNMANAGED),
              Account(account_id="ACC-FED", name="Agency", tab=AccountTab.MANAGED, federal=True),
              Account(account_id="ACC-MACC", name="Big AB", tab=AccountTab.MANAGED, macc=True)],
    solutions=[Solution(**AZURE_APP.model_dump(exclude={"assessment_location"})),
               Solution(**PLAIN_APP.model_dump(exclude={"assessment_location"})),
               Solution(**ASSESSMENT.model_dump(exclude={"assessment_location"})), NOT_READY],
    partners=[Partner(partner_id="P-FAB", name="Fabrikam Consulting", mpn_id="6100007"),
              Partner(partner_id="P-TWIN-1", name="Twin AB"), Partner(partner_id="P-TWIN-2", name="twin ab")],
)


def rules(violations) -> set[str]:
    return {v.rule for v in violations}


def test_valid_outbound_deal_and_received_inbound_deal_pass():
    assert creation_violations(outbound_deal(), CATALOGUE) == []
    assert creation_violations(received_deal(team=[]), CATALOGUE) == []  # R6.1: no team of ours yet


def test_r4_11_made_up_account_and_misstated_account_facts():  # R4.11, R4.6
    assert "R4.11" in rules(creation_violations(outbound_deal(customer=managed_customer(account_id="ACC-NOPE")),
                                                CATALOGUE))
    unmanaged_as_managed = managed_customer(account_id="ACC-U")  # the file says "managed"
    assert "R4.11" in rules(creation_violations(outbound_deal(customer=unmanaged_as_managed), CATALOGUE))
    federal_as_not = managed_customer(account_id="ACC-FED", federal=False)
    assert {"R4.11", "R4.6"} <= rules(creation_violations(outbound_deal(customer=federal_as_not), CATALOGUE))


def test_r4_11_draft_facts_are_corrected_from_the_catalogue():  # R4.11, R6.7
    draft = make_draft(customer=managed_customer(account_id="ACC-U"), solutions=[
        AZURE_APP.model_copy(update={"solution_id": "SOL-3P-9", "registration_kind": RegistrationKind.AZURE_IP_COSELL})])
    fixed, unknown = draft_with_facts(draft, CATALOGUE)
    assert unknown == []
    assert fixed.customer.source is AccountTab.UNMANAGED
    [solution] = fixed.solutions
    assert (solution.registration_kind, solution.macc_eligible, solution.incentivized) == (None, False, False)
    typed = make_draft(customer=Customer(name="Typed AB", source=AccountTab.MANAGED, federal=True, macc=True))
    customer = draft_with_facts(typed, CATALOGUE)[0].customer
    assert (customer.source, customer.federal, customer.macc) == (AccountTab.MANUAL, False, False)


def test_r6_5_solution_not_in_the_catalogue():  # R6.5
    fake = DealSolution(solution_id="SOL-FAKE", name="Fake", source="my_company",
                        registration_kind=RegistrationKind.AZURE_IP_COSELL)
    assert "R6.5" in rules(creation_violations(outbound_deal(solutions=[AZURE_APP, fake]), CATALOGUE))
    assert "R6.5" in rules(draft_with_facts(make_draft(solutions=[fake]), CATALOGUE)[1])


def test_r6_7_solution_flags_the_file_misstates():  # R6.7
    claimed = PLAIN_APP.model_copy(update={"macc_eligible": True, "incentivized": True})
    assert "R6.7" in rules(creation_violations(outbound_deal(solutions=[AZURE_APP, claimed]), CATALOGUE))


def test_r7_4_only_catalogue_partners_are_invited():  # R7.4
    fake = partner_invitation(invitation_id="i1", partner_id=None, partner_name="Totally Fake Partner LLC")
    violations = creation_violations(outbound_deal(sale_type="p2p", invitations=[fake]), CATALOGUE)
    assert any(v.rule == "R7.4" and "Totally Fake Partner LLC" in v.message for v in violations)
    by_name = partner_invitation(partner_id=None, partner_name="FABRIKAM consulting")
    [inv] = draft_with_facts(make_draft(invitations=[by_name]), CATALOGUE)[0].invitations
    assert (inv.partner_id, inv.partner_name, inv.mpn_id) == ("P-FAB", "Fabrikam Consulting", "6100007")
    ambiguous = partner_invitation(partner_id=None, partner_name="Twin AB")
    assert "R7.4" in rules(draft_with_facts(make_draft(invitations=[ambiguous]), CATALOGUE)[1])


def test_r2_8_cosell_deal_needs_a_cosell_ready_solution():  # R2.8
    not_ready = DealSolution(**NOT_READY.model_dump())
    assert "R2.8" in rules(draft_violations(make_draft(solutions=[not_ready])))
    assert "R2.8" not in rules(draft_violations(make_draft(solutions=[AZURE_APP, not_ready])))


def test_r6_7_macc_without_macc_solution_is_a_warning_intent_yes_a_refusal():  # R6.7
    macc = managed_customer(macc=True)
    [warning] = [v for v in draft_violations(make_draft(customer=macc, solutions=[PLAIN_APP])) if v.rule == "R6.7"]
    assert warning.warning
    intent = draft_violations(make_draft(solutions=[PLAIN_APP], marketplace_intent=MarketplaceIntent.YES))
    assert [v.warning for v in intent if v.rule == "R6.7"] == [False]


def test_r2_7_ip_and_services_draft_needs_both():  # R2.7, R5, R6.4
    both = make_draft(kind=DealKind.IP_AND_SERVICES, solutions=[])
    assert {"partner_role", "solution_area", "solution_play", "solutions"} <= {v.field for v in draft_violations(both)}
    ok = make_draft(kind=DealKind.IP_AND_SERVICES, partner_role=PartnerRole.DEPLOYMENT, solution_area="Security",
                    solution_play="Data security", marketplace_intent=MarketplaceIntent.NO)
    assert draft_violations(ok) == []
    assert DealKind.IP_AND_SERVICES.label == "IP and services co-sell"
    assert ok.is_ip_cosell and ok.is_services_cosell
