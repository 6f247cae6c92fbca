"""R10 (and R7.6, R8.12): deal registration eligibility, every unmet criterion listed.

"Deal type partner-led or co-sell" (R10.1) is about Microsoft's involvement,
not about whether partners were invited: the source says a partner-to-partner
deal *can* be registered, by the partner that owns the end-customer contract
(R7.6). So a P2P deal counts as partner-led when Microsoft sellers may see it,
as co-sell when Microsoft was asked for help, and as private otherwise.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from model.domain.enums import (
    AccountMatch, DealKind, HelpType, MicrosoftStatus, RegistrationKind, RegistrationStatus, SaleType, Substatus,
)
from model.domain.errors import Violation
from model.domain.rules.fx import to_usd, usd_day
from model.domain.schemas import Deal

MIN_USD = Decimal("25000")
REGISTRABLE = frozenset(RegistrationKind)  # R10.2


def has_registrable_solution(deal: Deal) -> bool:
    return any(s.registration_kind in REGISTRABLE for s in deal.solutions)


def microsoft_engagement(deal: Deal) -> SaleType | None:
    """The deal type R10.1 asks about: private, partner-led or co-sell (None for assessments).

    A P2P deal answers the same two questions of R7 as any other deal, so it
    is placed by those answers.
    """
    if deal.kind is DealKind.SOLUTION_ASSESSMENT or deal.sale_type is None:
        return None
    if deal.sale_type is not SaleType.P2P:
        return deal.sale_type
    if deal.help_type is not HelpType.NONE or deal.microsoft_status is not MicrosoftStatus.NOT_INVITED:
        return SaleType.CO_SELL
    return SaleType.PARTNER_LED if deal.share_with_microsoft else SaleType.PRIVATE


def _usd_violations(deal: Deal, on: date) -> list[Violation]:
    try:
        usd = to_usd(deal.value, deal.currency, on)
    except ValueError as exc:
        return [Violation("R10.1", str(exc), "currency")]
    if usd < MIN_USD:
        shown = f"{deal.value:,.0f} {deal.currency} ≈ {usd:,.0f} USD" if deal.currency != "USD" else f"{usd:,.0f} USD"
        return [Violation("R10.1", f"the value must be at least 25,000 USD (it is {shown} at the {on:%B %Y} "
                                   "exchange rate)", "value")]
    return []


def _standing_violations(deal: Deal, on: date, *, pending_match_ok: bool) -> list[Violation]:
    """The criteria that do not depend on the outcome or on Microsoft's answer."""
    out: list[Violation] = []
    if deal.kind is DealKind.SOLUTION_ASSESSMENT:
        out.append(Violation("R10", "solution assessment deals are not eligible for deal registration", "kind"))
    elif not deal.is_ip_cosell:
        out.append(Violation("R10", "only IP co-sell deals can be registered", "kind"))
    if not has_registrable_solution(deal):
        out.append(Violation("R10.2", "the deal needs an Azure IP co-sell, Biz apps premium or Biz apps standard "
                                      "solution", "solutions"))
    engagement = microsoft_engagement(deal)
    if engagement not in (SaleType.PARTNER_LED, SaleType.CO_SELL):
        shown = engagement.label.lower() if engagement else "a solution assessment"
        out.append(Violation("R10.1", f"the deal type must be partner-led or co-sell (it is {shown}); "
                                      "let Microsoft sellers see the deal or ask Microsoft for help", "sale_type"))
    out += _usd_violations(deal, on)
    match = deal.customer.match
    if match is not AccountMatch.MANAGED and not (pending_match_ok and match is AccountMatch.NOT_MATCHED):
        out.append(Violation("R10.1", "the customer account must be Microsoft-managed "
                                      f"(it is {match.label.lower()})", "customer"))
    if not deal.owns_customer_contract:
        out.append(Violation("R7.6", "in a P2P deal only the partner that owns the end-customer contract "
                                     "registers it", "owns_customer_contract"))
    return out


def could_register(deal: Deal, on: date | None = None) -> bool:
    """Eligible but for the outcome and Microsoft's answer: what R8.12's 72-hour warning is about.

    A customer still waiting for account matching (R4.5) may yet turn out
    Microsoft-managed, so it counts as possibly eligible.
    """
    when = on or usd_day(deal.closed_at, deal.close_date, deal.created_at)
    return not _standing_violations(deal, when, pending_match_ok=True)


def eligibility_violations(deal: Deal, now: datetime) -> list[Violation]:
    """R10.1: all criteria, each unmet one listed (the value in USD by the one rule, ``fx.usd_day``:
    the month it was won; an open deal's, its close date's)."""
    on = usd_day(deal.closed_at, deal.close_date, deal.created_at)
    out = _standing_violations(deal, on, pending_match_ok=False)
    if deal.substatus is not Substatus.WON:
        out.insert(0, Violation("R10.1", f"the deal must be won (it is {deal.substatus.value.lower()})", "status"))
    if microsoft_engagement(deal) is SaleType.CO_SELL and deal.microsoft_status not in (
            MicrosoftStatus.ACCEPTED, MicrosoftStatus.WON):
        out.append(Violation("R10.1", "for a co-sell deal Microsoft must have accepted the invitation or marked the "
                                      f"deal won (Microsoft: {deal.microsoft_status.label.lower()})", "microsoft_status"))
    return out


def registration_violations(deal: Deal, now: datetime) -> list[Violation]:
    """What stops `register` now: eligibility, plus not registering twice."""
    out = eligibility_violations(deal, now)
    if deal.registration.status not in (RegistrationStatus.NONE, RegistrationStatus.ACTION_REQUIRED):
        out.append(Violation("R10.3", f"the deal is already registered ({deal.registration.status.label.lower()})",
                             "registration"))
    return out
