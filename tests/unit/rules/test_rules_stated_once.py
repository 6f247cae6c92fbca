"""R6.6, R6.7 and R9.1 are each stated once (``deal_fields.assessment_violations``,
``deal_fields.solution_choice_violations``, ``lifecycle.terminal_violations``): the draft rules and
the gate on one side, the deal invariants on the other, return the same violation, word for word,
so a check that runs both (an import) names each problem once."""
from __future__ import annotations

import pytest

from deal_support import closed_deal, outbound_deal
from factories import ASSESSMENT, AZURE_APP, NOW, PLAIN_APP, make_draft, managed_customer
from model.domain.creation import draft_violations
from model.domain.enums import DealKind, MarketplaceIntent, SaleType, Substatus
from model.domain.errors import Violation
from model.domain.rules.deal_fields import assessment_violations, solution_choice_violations, solutions_violations
from model.domain.rules.invariants import invariant_violations, transition_violations
from model.domain.rules.lifecycle import Action, action_violations, edit_violations, terminal_violations
from model.domain.stages import Stage

SECOND = ASSESSMENT.model_copy(update={"solution_id": "SA-SEC", "name": "Security assessment"})


def _rule(violations: list[Violation], rule: str) -> list[Violation]:
    return [v for v in violations if v.rule == rule]


def _assessment_deal(solutions):
    return outbound_deal(kind=DealKind.SOLUTION_ASSESSMENT, sale_type=None, solutions=solutions,
                         stage=Stage.CREATED)


# -- R6.6 --------------------------------------------------------------------------------------

@pytest.mark.parametrize("is_assessment, solutions, message", [
    (True, [ASSESSMENT, SECOND], "exactly one assessment type and no other solution"),
    (True, [ASSESSMENT, AZURE_APP], "exactly one assessment type and no other solution"),
    (True, [ASSESSMENT.model_copy(update={"assessment_location": " "})], "choose the location where the assessment"),
    (False, [AZURE_APP, ASSESSMENT], "assessment types can only be added to a solution assessment deal"),
])
def test_r6_6_the_one_statement_returns_the_violation(is_assessment, solutions, message):  # R6.6
    found = assessment_violations(is_assessment, solutions)
    assert len(found) == 1 and found[0].rule == "R6.6" and message in found[0].message, found


def test_r6_6_a_single_assessment_with_its_location_passes():  # R6.6
    assert assessment_violations(True, [ASSESSMENT]) == []
    assert assessment_violations(False, [AZURE_APP]) == []


@pytest.mark.parametrize("kind, solutions", [
    (DealKind.SOLUTION_ASSESSMENT, [ASSESSMENT, SECOND]),
    (DealKind.SOLUTION_ASSESSMENT, [ASSESSMENT.model_copy(update={"assessment_location": ""})]),
    (DealKind.IP_COSELL, [AZURE_APP, ASSESSMENT]),
])
def test_r6_6_draft_and_invariant_give_the_identical_violation(kind, solutions):  # R6.6
    expected = assessment_violations(kind is DealKind.SOLUTION_ASSESSMENT, solutions)
    draft = _rule(solutions_violations(kind, solutions, managed_customer()), "R6.6")
    deal = (_assessment_deal(solutions) if kind is DealKind.SOLUTION_ASSESSMENT
            else outbound_deal(kind=kind, solutions=solutions))
    assert draft == _rule(invariant_violations(deal), "R6.6") == expected != []


# -- R6.7 --------------------------------------------------------------------------------------

def test_r6_7_the_one_statement_returns_the_refusal_and_the_warning():  # R6.7
    macc = managed_customer(macc=True)
    refusal, = solution_choice_violations([PLAIN_APP], None, MarketplaceIntent.YES)
    assert (refusal.rule, refusal.warning) == ("R6.7", False) and "incentivized" in refusal.message
    warning, = solution_choice_violations([PLAIN_APP], macc)
    assert (warning.rule, warning.warning) == ("R6.7", True) and "MACC-eligible" in warning.message
    assert solution_choice_violations([AZURE_APP], macc, MarketplaceIntent.YES) == []  # eligible and incentivized


def test_r6_7_draft_edit_and_invariant_give_the_identical_refusal():  # R6.7
    expected = solution_choice_violations([PLAIN_APP], None, MarketplaceIntent.YES)
    draft = _rule(draft_violations(make_draft(solutions=[PLAIN_APP], marketplace_intent=MarketplaceIntent.YES)),
                  "R6.7")
    deal = outbound_deal(solutions=[PLAIN_APP])
    edit = _rule(edit_violations(deal, {"marketplace_intent": MarketplaceIntent.YES}), "R6.7")
    stored = _rule(invariant_violations(deal.model_copy(update={"marketplace_intent": MarketplaceIntent.YES})), "R6.7")
    assert draft == edit == stored == expected and len(expected) == 1


def test_r6_7_the_macc_warning_is_the_drafts_only_not_a_broken_invariant():  # R6.7
    macc = managed_customer(macc=True)
    warning = solution_choice_violations([PLAIN_APP], macc)
    assert _rule(draft_violations(make_draft(customer=macc, solutions=[PLAIN_APP])), "R6.7") == warning
    assert _rule(edit_violations(outbound_deal(solutions=[PLAIN_APP]), {"customer": macc}), "R6.7") == warning
    assert _rule(invariant_violations(outbound_deal(customer=macc, solutions=[PLAIN_APP])), "R6.7") == []


# -- R9.1 --------------------------------------------------------------------------------------

@pytest.mark.parametrize("substatus", [Substatus.WON, Substatus.LOST, Substatus.ERROR])
def test_r9_1_the_one_statement_returns_the_violation(substatus):  # R9.1
    found, = terminal_violations(closed_deal(substatus))
    assert found.rule == "R9.1" and "cannot be changed" in found.message
    assert terminal_violations(outbound_deal()) == []


@pytest.mark.parametrize("substatus", [Substatus.LOST, Substatus.DECLINED, Substatus.EXPIRED, Substatus.ERROR])
def test_r9_1_the_gate_and_the_invariant_give_the_identical_violation(substatus):  # R9.1
    before = closed_deal(substatus)
    after = before.model_copy(update={"name": "Renamed", "sale_type": SaleType.CO_SELL})
    expected = terminal_violations(before)
    assert action_violations(before, Action.EDIT, NOW) == expected
    assert _rule(transition_violations(before, after), "R9.1") == expected
    assert _rule(edit_violations(before, {"name": "Renamed"}), "R9.1") == expected
    assert transition_violations(before, before.model_copy(update={"favorite": True})) == []  # R3.3
