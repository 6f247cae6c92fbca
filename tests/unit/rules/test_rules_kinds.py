"""R2.7: a deal can be IP and services co-sell at once, and then carries the requirements of both
(the action rules of model.domain.rules: edit, registration)."""
from __future__ import annotations

from datetime import timedelta

from deal_support import closed_deal, outbound_deal
from factories import NOW
from model.domain.enums import DealKind, MarketplaceIntent, PartnerRole, Substatus
from model.domain.rules.lifecycle import edit_violations
from model.domain.rules.registration import eligibility_violations

BOTH = dict(kind=DealKind.IP_AND_SERVICES, partner_role=PartnerRole.DEPLOYMENT, solution_area="Security",
            solution_play="Data security")


def test_r2_7_kind_properties():  # R2.7
    assert DealKind.IP_AND_SERVICES.is_ip_cosell and DealKind.IP_AND_SERVICES.is_services_cosell
    assert DealKind.IP_COSELL.is_ip_cosell and not DealKind.IP_COSELL.is_services_cosell
    assert DealKind.SERVICES_COSELL.is_services_cosell and not DealKind.SERVICES_COSELL.is_ip_cosell
    assert not DealKind.SOLUTION_ASSESSMENT.is_ip_cosell and not DealKind.SOLUTION_ASSESSMENT.is_services_cosell
    deal = outbound_deal(**BOTH)
    assert deal.is_ip_cosell and deal.is_services_cosell


def test_r2_7_edit_keeps_both_sets_of_fields():  # R2.7, R5, R5.1
    deal = outbound_deal(**BOTH)
    assert edit_violations(deal, {"marketplace_intent": MarketplaceIntent.NO}) == []  # IP's field
    assert edit_violations(deal, {"partner_role": PartnerRole.TRANSACTION}) == []  # services' field
    assert [v.field for v in edit_violations(deal, {"solution_area": None})] == ["solution_area"]


def test_r2_7_ip_and_services_is_registrable_like_ip():  # R2.7, R10
    won = closed_deal(Substatus.WON, **BOTH)
    assert eligibility_violations(won, NOW + timedelta(days=1)) == []
    services = closed_deal(Substatus.WON, **{**BOTH, "kind": DealKind.SERVICES_COSELL})
    assert "kind" in {v.field for v in eligibility_violations(services, NOW + timedelta(days=1))}
