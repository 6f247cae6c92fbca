"""R10 deal registration: every unmet criterion listed at once, values in USD at the month's
rate (data/fx_rates.csv), eligible solution kinds (R10.2), the P2P contract owner (R7.6)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from factories import AZURE_APP, NOW, PLAIN_APP, managed_customer
from deal_support import closed_deal, outbound_deal
from model.domain.enums import (
    AccountMatch, AccountTab, DealKind, Direction, HelpType, MicrosoftStatus, RegistrationKind, RegistrationStatus,
    SaleType, Substatus,
)
from model.domain.rules.fx import known_currencies, rate, to_usd
from model.domain.rules.registration import (
    could_register, eligibility_violations, microsoft_engagement, registration_violations,
)
from model.domain.schemas import Customer, Invitation, Registration

NOV_2026 = datetime.fromisoformat("2026-11-20T09:00:00+00:00")
AUG_2027 = datetime.fromisoformat("2027-08-10T09:00:00+00:00")


def won(**kw):
    return closed_deal(Substatus.WON, **kw)


def rules(violations) -> list[str]:
    return [v.rule for v in violations]


def test_r10_1_eligible_partner_led_deal_has_no_violations():  # R10.1, R2.5
    assert eligibility_violations(won(), NOW) == []


def test_r10_1_every_unmet_criterion_is_listed_at_once():  # R10.1, R10.2, R7.6
    deal = outbound_deal(solutions=[PLAIN_APP], sale_type=SaleType.PRIVATE, share_with_microsoft=False,
                         value=Decimal("10000"), customer=managed_customer(source=AccountTab.UNMANAGED,
                                                                           match=AccountMatch.UNMANAGED),
                         owns_customer_contract=False)
    out = eligibility_violations(deal, NOW)
    assert [v.field for v in out] == ["status", "solutions", "sale_type", "value", "customer",
                                      "owns_customer_contract"]
    assert rules(out) == ["R10.1", "R10.2", "R10.1", "R10.1", "R10.1", "R7.6"]
    text = " | ".join(v.message for v in out)
    for words in ("must be won", "Azure IP co-sell", "partner-led or co-sell (it is private)", "25,000 USD",
                  "Microsoft-managed (it is microsoft-unmanaged)", "owns the end-customer contract"):
        assert words in text


@pytest.mark.parametrize("status, ok", [
    (MicrosoftStatus.INVITED, False), (MicrosoftStatus.DECLINED, False),
    (MicrosoftStatus.ACCEPTED, True), (MicrosoftStatus.WON, True),
])
def test_r10_1_cosell_needs_microsoft_accepted_or_won(status, ok):  # R10.1, R7.3
    deal = won(sale_type=SaleType.CO_SELL, help_type=HelpType.GENERAL, microsoft_status=status)
    out = eligibility_violations(deal, NOW)
    assert (out == []) is ok
    if not ok:
        assert rules(out) == ["R10.1"] and "Microsoft must have accepted" in out[0].message


def test_r10_1_partner_led_needs_no_microsoft_seller():  # R10.1, R2.5
    assert eligibility_violations(won(microsoft_status=MicrosoftStatus.NOT_INVITED), NOW) == []


# -- the 25,000 USD threshold in the deal's currency ----------------------------------------

def test_r10_1_fx_eur_24000_clears_the_usd_threshold_but_usd_24000_does_not():  # R10.1
    assert rate("EUR", NOV_2026.date()) == Decimal("1.109657")
    assert to_usd(Decimal("24000"), "EUR", NOV_2026.date()) == Decimal("26631.77")
    assert eligibility_violations(won(value=Decimal("24000"), currency="EUR", closed_at=NOV_2026), NOW) == []
    out = eligibility_violations(won(value=Decimal("24000"), currency="USD", closed_at=NOV_2026), NOW)
    assert rules(out) == ["R10.1"] and "it is 24,000 USD" in out[0].message


def test_r10_1_fx_message_shows_both_currencies():  # R10.1
    out = eligibility_violations(won(value=Decimal("22000"), currency="EUR", closed_at=NOV_2026), NOW)
    assert rules(out) == ["R10.1"]
    assert "22,000 EUR ≈ 24,412 USD" in out[0].message and "November 2026" in out[0].message


def test_r10_1_fx_uses_the_rate_of_the_month_the_deal_was_won():  # R10.1 (monthly rates)
    assert eligibility_violations(won(value=Decimal("23000"), currency="EUR", closed_at=NOV_2026), NOW) == []
    out = eligibility_violations(won(value=Decimal("23000"), currency="EUR", closed_at=AUG_2027), NOW)
    assert rules(out) == ["R10.1"]


def test_r10_1_exactly_25000_usd_is_enough():  # R10.1 ("at least")
    assert eligibility_violations(won(value=Decimal("25000")), NOW) == []
    assert rules(eligibility_violations(won(value=Decimal("24999.99")), NOW)) == ["R10.1"]


def test_r10_1_currency_without_a_rate_is_reported_not_treated_as_usd():  # R10.1
    out = eligibility_violations(won(currency="XYZ"), NOW)
    assert rules(out) == ["R10.1"] and "XYZ" in out[0].message
    assert "EUR" in known_currencies() and "SEK" in known_currencies()


# -- R10.2 solution kinds, R4.3–R4.5 customer accounts --------------------------------------

@pytest.mark.parametrize("kind", list(RegistrationKind))
def test_r10_2_each_registrable_solution_kind_qualifies(kind):  # R10.2
    solution = PLAIN_APP.model_copy(update={"registration_kind": kind})
    assert eligibility_violations(won(solutions=[solution]), NOW) == []


@pytest.mark.parametrize("customer, ok", [
    (managed_customer(), True),                                                         # R4.3
    (managed_customer(source=AccountTab.UNMANAGED, match=AccountMatch.UNMANAGED), False),  # R4.4
    (Customer(name="Duns AB", source=AccountTab.OTHER, match=AccountMatch.NOT_MATCHED), False),  # R4.5
    (Customer(name="Duns AB", source=AccountTab.OTHER, match=AccountMatch.MANAGED), True),       # R4.5 matched
])
def test_r10_1_customer_account_must_be_microsoft_managed(customer, ok):  # R10.1, R4.3–R4.5
    assert (eligibility_violations(won(customer=customer), NOW) == []) is ok


@pytest.mark.parametrize("kind, rule", [(DealKind.SERVICES_COSELL, "R10"), (DealKind.SOLUTION_ASSESSMENT, "R10")])
def test_r10_ip_cosell_only(kind, rule):  # R10 (IP co-sell only)
    sale_type = None if kind is DealKind.SOLUTION_ASSESSMENT else SaleType.PARTNER_LED
    out = eligibility_violations(won(kind=kind, sale_type=sale_type), NOW)
    assert rules(out)[0] == rule


# -- P2P: deal type by Microsoft's involvement, R7.6 contract owner ----------------------------

def p2p(**kw):
    inv = Invitation(invitation_id="i1", partner_name="Fabrikam Consulting", solutions=["SOL-3P-9"])
    base = dict(sale_type=SaleType.P2P, invitations=[inv])
    base.update(kw)
    return won(**base)


def test_r7_6_p2p_deal_registered_by_the_contract_owner():  # R7.6, R10.1
    assert microsoft_engagement(p2p(share_with_microsoft=True)) is SaleType.PARTNER_LED
    assert eligibility_violations(p2p(share_with_microsoft=True), NOW) == []


def test_r7_6_partner_without_the_end_customer_contract_does_not_register():  # R7.6
    out = eligibility_violations(p2p(share_with_microsoft=True, owns_customer_contract=False), NOW)
    assert rules(out) == ["R7.6"]


def test_r7_6_applies_to_a_p2p_deal_we_were_invited_to():  # R7.6
    invited_to = won(direction=Direction.INBOUND, sale_type=SaleType.P2P, share_with_microsoft=True,
                     owns_customer_contract=False, sender_name="Fabrikam Consulting")
    assert rules(eligibility_violations(invited_to, NOW)) == ["R7.6"]


def test_r10_1_private_p2p_deal_is_not_partner_led():  # R10.1, R2.6
    assert microsoft_engagement(p2p(share_with_microsoft=False)) is SaleType.PRIVATE
    assert rules(eligibility_violations(p2p(share_with_microsoft=False), NOW)) == ["R10.1"]


def test_r10_1_p2p_with_microsoft_asked_for_help_is_cosell():  # R10.1, R7.4
    deal = p2p(share_with_microsoft=True, help_type=HelpType.POC, microsoft_status=MicrosoftStatus.INVITED)
    assert microsoft_engagement(deal) is SaleType.CO_SELL
    assert "Microsoft must have accepted" in eligibility_violations(deal, NOW)[0].message


# -- R10.3 registering once; could_register for R8.12 -----------------------------------------

@pytest.mark.parametrize("status, ok", [
    (RegistrationStatus.NONE, True), (RegistrationStatus.ACTION_REQUIRED, True),
    (RegistrationStatus.REVIEW_PENDING, False), (RegistrationStatus.APPROVED, False),
])
def test_r10_3_register_once_unless_action_is_required(status, ok):  # R10.3, R10.4
    out = registration_violations(won(registration=Registration(status=status)), NOW)
    assert (out == []) is ok
    if not ok:
        assert rules(out) == ["R10.3"]


def test_could_register_ignores_outcome_and_microsofts_answer():  # R8.12, R10.1
    assert could_register(outbound_deal(sale_type=SaleType.CO_SELL, microsoft_status=MicrosoftStatus.INVITED))
    assert not could_register(outbound_deal(value=Decimal("100")))
    assert not could_register(outbound_deal(solutions=[PLAIN_APP]))
    assert could_register(outbound_deal(solutions=[AZURE_APP, PLAIN_APP]))
