"""R10 (and R7.6, R8.12): deal registration eligibility, every unmet criterion listed."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from model.enums import DealKind, MicrosoftStatus, RegistrationKind, RegistrationStatus, SaleType, Substatus
from model.errors import Violation
from model.rules.fx import to_usd
from model.schemas import Deal

MIN_USD = Decimal("25000")
REGISTRABLE = frozenset(RegistrationKind)  # R10.2


def has_registrable_solution(deal: Deal) -> bool:
    return any(s.registration_kind in REGISTRABLE for s in deal.solutions)


def could_register(deal: Deal) -> bool:
    """Eligible but for the outcome: what R8.12's 72-hour warning is about."""
    return (deal.kind is DealKind.IP_COSELL and has_registrable_solution(deal)
            and deal.sale_type in (SaleType.PARTNER_LED, SaleType.CO_SELL))


def eligibility_violations(deal: Deal, now: datetime) -> list[Violation]:
    """R10.1: all criteria, each unmet one listed."""
    out: list[Violation] = []
    if deal.kind is DealKind.SOLUTION_ASSESSMENT:
        out.append(Violation("R10", "solution assessment deals are not eligible for deal registration"))
    elif deal.kind is not DealKind.IP_COSELL:
        out.append(Violation("R10", "only IP co-sell deals can be registered"))
    if deal.substatus is not Substatus.WON:
        out.append(Violation("R10.1", "the deal must be won"))
    if not has_registrable_solution(deal):
        out.append(Violation("R10.2", "the deal needs an Azure IP co-sell, Biz apps premium or Biz apps standard solution"))
    if deal.sale_type not in (SaleType.PARTNER_LED, SaleType.CO_SELL):
        shown = deal.sale_type.label if deal.sale_type else "assessment"
        out.append(Violation("R10.1", f"the deal type must be partner-led or co-sell (it is {shown})"))
    if deal.sale_type is SaleType.CO_SELL and deal.microsoft_status not in (MicrosoftStatus.ACCEPTED, MicrosoftStatus.WON):
        out.append(Violation("R10.1", "for a co-sell deal Microsoft must have accepted the invitation or marked the deal won "
                                      f"(Microsoft: {deal.microsoft_status.label.lower()})"))
    try:
        usd = to_usd(deal.value, deal.currency, (deal.closed_at or now).date())
        if usd < MIN_USD:
            out.append(Violation("R10.1", f"the value must be at least 25,000 USD (it is {usd:,.0f} USD)"))
    except ValueError as exc:
        out.append(Violation("R10.1", str(exc)))
    if not deal.customer.managed:
        out.append(Violation("R10.1", f"the customer account must be Microsoft-managed (it is {deal.customer.match.label.lower()})"))
    if deal.invitations and not deal.owns_customer_contract:
        out.append(Violation("R7.6", "in a P2P deal only the partner that owns the end-customer contract registers it"))
    return out


def registration_violations(deal: Deal, now: datetime) -> list[Violation]:
    """What stops `register` now: eligibility, plus not registering twice."""
    out = eligibility_violations(deal, now)
    if deal.registration.status not in (RegistrationStatus.NONE, RegistrationStatus.ACTION_REQUIRED):
        out.append(Violation("R10.3", f"the deal is already registered ({deal.registration.status.label.lower()})"))
    return out
