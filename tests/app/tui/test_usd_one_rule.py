"""Issue 13: one USD conversion rule (``model.domain.rules.fx.usd_day``) for the list, JSON, CSV,
the detail and the registration check (R10.1). A 23,000 EUR deal showed one USD figure in the
detail (converted at today's rate) and another in the list (at the close date's)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from detail_support import put_outbound
from model import services as svc
from model.domain.enums import Tab
from model.domain.listing import DealQuery
from model.domain.rules.fx import rate, to_usd, usd_day
from model.domain.rules.registration import eligibility_violations
from tui.screens.deal_detail_sections import money

CLOSE = date(2027, 3, 31)  # months away from the clock's November 2026, at another rate


def shown_usd(deal, now) -> str:
    return money(deal, now).plain.split("≈ ")[1]


def row_of(ctx, tab: Tab, deal_id: str):
    return next(r for r in svc.list_deals(ctx, DealQuery(tab=tab)) if r.id == deal_id)


def test_rates_differ_between_the_months_so_the_test_can_fail(ctx):
    assert rate("EUR", CLOSE) != rate("EUR", ctx.now().date())


def test_an_open_deal_converts_at_its_close_date_everywhere(ctx):  # R10.1
    deal = put_outbound(ctx, value=Decimal("23000"), currency="EUR", close_date=CLOSE)
    expected = to_usd(Decimal("23000"), "EUR", CLOSE)
    assert usd_day(deal.closed_at, deal.close_date, deal.created_at) == CLOSE
    assert row_of(ctx, Tab.OUTBOUND, deal.id).value_usd == float(expected)
    assert shown_usd(deal, ctx.now()) == f"{expected:,.0f} USD"
    (too_small,) = [v for v in eligibility_violations(deal, ctx.now()) if v.field == "value"]
    assert f"≈ {expected:,.0f} USD" in too_small.message


def test_a_closed_deal_converts_at_the_month_it_closed_everywhere(ctx):  # R10.1
    deal = put_outbound(ctx, value=Decimal("23000"), currency="EUR", close_date=CLOSE)
    closed = svc.lost(ctx, deal.id, "Price")
    expected = to_usd(Decimal("23000"), "EUR", ctx.now().date())
    assert row_of(ctx, Tab.CLOSED, closed.id).value_usd == float(expected)
    assert shown_usd(closed, ctx.now()) == f"{expected:,.0f} USD"
    # At November's rate the same 23,000 EUR reach 25,000 USD: the check agrees with the list.
    assert expected >= Decimal("25000")
    assert [v for v in eligibility_violations(closed, ctx.now()) if v.field == "value"] == []
