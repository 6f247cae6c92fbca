"""Pilot tests: one deal of each kind created through the wizard's keys (R4–R7, R8.5).

Each test drives the wizard as a user would (type, arrows, enter, ctrl+n) and
then checks what the store holds: nothing before Create, then one outbound
deal in stage Created with what was typed.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from model import services as svc
from model.domain.enums import (
    AccountTab, DealKind, HelpType, MarketplaceIntent, MicrosoftStatus, PartnerRole, SaleType, Tab,
)
from model.domain.stages import Stage
from model.domain.listing import DealQuery
from tui.screens.new_deal import NewDealWizard
from wizard_support import (  # noqa: F401 - wctx is a fixture
    Harness, next_step, pick_customer, pilot_test, seed_recent_deal, shown_errors, type_into, wait_for, wctx,
)

SIZE = (100, 40)


def outbound(ctx):
    return [svc.get_deal(ctx, r.id) for r in svc.list_deals(ctx, DealQuery(tab=Tab.OUTBOUND))]


async def fill_details(pilot, *, name, value, close, notes, kind_keys=(), location="Sweden"):
    if kind_keys:
        pilot.app.screen.query_one("#kind").focus()
        await pilot.pause()
        await pilot.press(*kind_keys)
    await type_into(pilot, "#name", name)
    await type_into(pilot, "#location", location)
    await type_into(pilot, "#value", value)
    await type_into(pilot, "#close-date", close)
    await type_into(pilot, "#notes", notes)


async def choose(pilot, selector: str, downs: int) -> None:
    """Open a Select with enter and pick the option ``downs`` below the current one."""
    pilot.app.screen.query_one(selector).focus()
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press(*(["down"] * downs), "enter")
    await pilot.pause()


async def add_recent(pilot, number: int) -> None:
    await wait_for(pilot, lambda: pilot.app.screen.step("team").recent, what="recent people")
    pilot.app.screen.query_one("#recent-list").focus()
    await pilot.press(str(number))
    await pilot.pause()


async def add_solution(pilot, text: str, *, source_keys=()) -> None:
    screen = pilot.app.screen
    step = screen.step("solutions")
    if source_keys:
        screen.query_one("#source").focus()
        await pilot.pause()
        await pilot.press(*source_keys)
    await type_into(pilot, "#solution-q", text)
    await wait_for(pilot, lambda: step.results and text.lower() in step.results[0].name.lower(),
                   what=f"solution {text!r}")
    await pilot.press("down", "enter")
    await pilot.pause()


async def create(pilot, app) -> None:
    assert app.screen.current == "review"
    await pilot.press("ctrl+n")
    await wait_for(pilot, lambda: app.results, what="the wizard to close with the deal")


@pilot_test
async def test_ip_cosell_partner_led_deal(wctx):
    """IP co-sell, managed MACC customer, marketplace Yes, shared with Microsoft → partner-led (R7.2)."""
    seed_recent_deal(wctx)
    app = Harness(wctx, NewDealWizard)
    async with app.run_test(size=SIZE) as pilot:
        await pick_customer(pilot, "northwind")
        assert app.screen.draft.customer.account_id == "ACC-NW-1"
        await next_step(pilot, "details")
        await fill_details(pilot, name="NW data", value="60 000", close="2027-03-31", notes="Data hub")
        await next_step(pilot, "marketplace")
        app.screen.query_one("#marketplace").focus()
        await pilot.pause()
        await pilot.press("up", "up", "enter")  # Undecided → Yes (R5.1)
        await next_step(pilot, "team")
        await add_recent(pilot, 2)
        await next_step(pilot, "solutions")
        await add_solution(pilot, "insights")
        await next_step(pilot, "sale_type")
        app.screen.query_one("#share").focus()
        await pilot.pause()
        await pilot.press("right", "enter")  # "Should Microsoft sellers see this deal?" Yes
        assert "Partner-led" in str(app.screen.query_one("#sale-type-preview").render())
        assert [d.name for d in outbound(wctx)] == ["Earlier deal"]  # nothing written yet
        await next_step(pilot, "review")
        await create(pilot, app)
    deal = app.results[0]
    stored = svc.get_deal(wctx, deal.id)
    assert stored.kind is DealKind.IP_COSELL and stored.sale_type is SaleType.PARTNER_LED
    assert stored.stage is Stage.CREATED and stored.tab is Tab.OUTBOUND  # R8.5
    assert stored.marketplace_intent is MarketplaceIntent.YES
    assert stored.value == Decimal("60000") and stored.close_date == date(2027, 3, 31)
    assert [p.email for p in stored.team] == ["bob@contoso-partner.com"]
    assert [s.solution_id for s in stored.solutions] == ["SOL-AZ-1"]
    assert stored.location == "Sweden"


@pilot_test
async def test_services_cosell_with_role_area_and_play(wctx):
    """Services co-sell (R2.2): partner role, solution area and play are asked and stored (R5, R5.2)."""
    app = Harness(wctx, NewDealWizard)
    async with app.run_test(size=SIZE) as pilot:
        await pick_customer(pilot, "contoso retail", confirm=True)  # Unmanaged: a second enter (R4.4)
        await next_step(pilot, "details")
        await fill_details(pilot, name="Rollout", value="45000", close="2027-02-15", notes="New stores",
                           kind_keys=("right", "enter"))
        await choose(pilot, "#partner-role", 5)  # prompt → … → Deployment services
        await type_into(pilot, "#partner-program", "SP Infra")
        await type_into(pilot, "#solution-area", "Infra")
        await type_into(pilot, "#solution-play", "Migrate")
        await next_step(pilot, "team")  # no marketplace step for services (R5.1)
        await type_into(pilot, "#member-name", "Dana")
        await type_into(pilot, "#member-phone", "+46 8 12")
        await type_into(pilot, "#member-email", "d@cp.se")
        await pilot.press("enter")
        await next_step(pilot, "solutions")
        await next_step(pilot, "sale_type")  # solutions are optional for services co-sell (R6.4)
        await next_step(pilot, "review")
        await create(pilot, app)
    stored = svc.get_deal(wctx, app.results[0].id)
    assert stored.kind is DealKind.SERVICES_COSELL
    assert stored.partner_role is PartnerRole.DEPLOYMENT
    assert stored.partner_program == "SP Infra" and [p.email for p in stored.team] == ["d@cp.se"]
    assert (stored.solution_area, stored.solution_play) == ("Infra", "Migrate")
    assert stored.customer.source is AccountTab.UNMANAGED and stored.solutions == []
    assert stored.sale_type is SaleType.PRIVATE and stored.marketplace_intent is None


@pilot_test
async def test_ip_and_services_cosell_asks_the_fields_of_both(wctx):
    """R2.7: one deal both IP and services co-sell: partner role, area and play like services (R5),
    the marketplace question and at least one solution like IP (R5.1, R6.4)."""
    seed_recent_deal(wctx)
    app = Harness(wctx, NewDealWizard)
    async with app.run_test(size=SIZE) as pilot:
        await pick_customer(pilot, "northwind")
        await next_step(pilot, "details")
        await fill_details(pilot, name="NW both", value="80000", close="2027-04-30", notes="IP and services",
                           kind_keys=("right", "right", "enter"))
        assert app.screen.step("details").kind() is DealKind.IP_AND_SERVICES
        assert app.screen.query_one("#partner-role").parent.display  # services fields are asked
        await next_step(pilot)
        assert app.screen.current == "details"  # partner role, area and play are required (R5)
        assert {"err-partner-role", "err-solution-area", "err-solution-play"} <= set(shown_errors(app.screen))
        await choose(pilot, "#partner-role", 2)
        await type_into(pilot, "#solution-area", "Data & AI")
        await type_into(pilot, "#solution-play", "Unify Your Data Platform")
        await next_step(pilot, "marketplace")  # asked, as for IP co-sell (R5.1)
        await next_step(pilot, "team")
        await add_recent(pilot, 3)
        await next_step(pilot)
        assert app.screen.current == "solutions"
        await next_step(pilot)
        assert app.screen.current == "solutions"  # a solution is required, as for IP co-sell (R6.4)
        await add_solution(pilot, "insights")
        await next_step(pilot, "sale_type")
        await next_step(pilot, "review")
        await create(pilot, app)
    stored = svc.get_deal(wctx, app.results[0].id)
    assert stored.kind is DealKind.IP_AND_SERVICES and stored.partner_role is not None
    assert (stored.solution_area, stored.solution_play) == ("Data & AI", "Unify Your Data Platform")
    assert [s.solution_id for s in stored.solutions] == ["SOL-AZ-1"]


@pilot_test
async def test_private_deal_on_a_duns_customer(wctx):
    """No help, not shared → private (R7.1); the customer comes from Other (DUNS) (R4.5)."""
    seed_recent_deal(wctx)
    app = Harness(wctx, NewDealWizard)
    async with app.run_test(size=SIZE) as pilot:
        await pick_customer(pilot, "lucerne publishing", confirm=True)
        await next_step(pilot, "details")
        await fill_details(pilot, name="Archive", value="12000", close="2027-05-01", notes="Search")
        await next_step(pilot, "marketplace")
        await next_step(pilot, "team")
        await add_recent(pilot, 3)
        await next_step(pilot, "solutions")
        await add_solution(pilot, "field service")
        await next_step(pilot, "sale_type")
        assert "Private" in str(app.screen.query_one("#sale-type-preview").render())
        await next_step(pilot, "review")
        await create(pilot, app)
    stored = svc.get_deal(wctx, app.results[0].id)
    assert stored.sale_type is SaleType.PRIVATE and not stored.share_with_microsoft
    assert stored.microsoft_status is MicrosoftStatus.NOT_INVITED
    assert stored.customer.source is AccountTab.OTHER and stored.customer.account_id == "ACC-LU-1"


@pilot_test
async def test_cosell_asking_microsoft_with_customer_contact(wctx):
    """Any help option → co-sell (R7.3); the customer contact and consent go with it (R4.10)."""
    seed_recent_deal(wctx)
    app = Harness(wctx, NewDealWizard)
    async with app.run_test(size=SIZE) as pilot:
        await pick_customer(pilot, "tailspin toys")
        await type_into(pilot, "#contact-name", "Tim")
        await type_into(pilot, "#contact-phone", "+44 20 79")
        await type_into(pilot, "#contact-email", "tim@ts.uk")
        app.screen.query_one("#consent").focus()
        await pilot.pause()
        await pilot.press("space")
        await next_step(pilot, "details")
        await fill_details(pilot, name="Tailspin AI", value="80000", close="2027-04-30", notes="Design review")
        await next_step(pilot, "marketplace")
        await next_step(pilot, "team")
        await add_recent(pilot, 2)
        await next_step(pilot, "solutions")
        await add_solution(pilot, "insights")
        await next_step(pilot, "sale_type")
        await choose(pilot, "#help", 2)  # No help → General → Customer technical architecture
        assert "Co-sell" in str(app.screen.query_one("#sale-type-preview").render())
        await next_step(pilot, "review")
        await create(pilot, app)
    stored = svc.get_deal(wctx, app.results[0].id)
    assert stored.sale_type is SaleType.CO_SELL and stored.help_type is HelpType.ARCHITECTURE
    assert stored.microsoft_status is MicrosoftStatus.INVITED and stored.share_with_microsoft
    assert [(c.name, c.email) for c in stored.customer.contacts] == [("Tim", "tim@ts.uk")]
    assert stored.customer.consent_to_share


@pilot_test
async def test_solution_assessment_with_one_assessment_and_location(wctx):
    """SA (R2.4): marketplace and sale-type steps are skipped; exactly one assessment and its location (R6.6)."""
    seed_recent_deal(wctx)
    app = Harness(wctx, NewDealWizard)
    visited = []
    async with app.run_test(size=SIZE) as pilot:
        await pick_customer(pilot, "wide world importers")
        await next_step(pilot, "details")
        await fill_details(pilot, name="WWI SA", value="15000", close="2027-01-31", notes="Assess",
                           kind_keys=("right", "right", "right", "enter"))
        await next_step(pilot, "team")
        visited.append(app.screen.current)
        await add_recent(pilot, 3)
        await next_step(pilot, "solutions")
        assert app.screen.step("solutions").source().value == "assessment"
        await add_solution(pilot, "data")
        assert app.screen.query_one("#assessment-location").value == "Sweden"  # from the deal's location
        await next_step(pilot, "review")
        visited.append(app.screen.current)
        await create(pilot, app)
    assert visited == ["team", "review"]
    stored = svc.get_deal(wctx, app.results[0].id)
    assert stored.kind is DealKind.SOLUTION_ASSESSMENT and stored.sale_type is None
    assert [(s.solution_id, s.assessment_location) for s in stored.solutions] == [("SA-DATA", "Sweden")]


@pilot_test
async def test_p2p_deal_inviting_two_partners(wctx):
    """Invite partner, twice (R7.4): each with its own close date, value and currency; the deal is P2P."""
    seed_recent_deal(wctx)
    app = Harness(wctx, NewDealWizard)
    async with app.run_test(size=SIZE) as pilot:
        await pick_customer(pilot, "northwind")
        await next_step(pilot, "details")
        await fill_details(pilot, name="Joint bid", value="200000", close="2027-06-30", notes="Two partners")
        await next_step(pilot, "marketplace")
        await next_step(pilot, "team")
        await add_recent(pilot, 2)
        await next_step(pilot, "solutions")
        await add_solution(pilot, "insights")
        await next_step(pilot, "sale_type")
        for partner, value, currency_downs, close in (("fabrikam", "50000", 0, None),
                                                      ("litware", "30000", 1, "2027-07-31")):
            app.screen.query_one("#invitations").focus()
            await pilot.press("i")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "InvitePartnerDialog", what="dialog")
            dialog = app.screen
            await pilot.press(*partner)
            await wait_for(pilot, lambda: dialog.found and dialog.found[0].name.lower().startswith(partner),
                           what=f"partner {partner}")
            await pilot.press("down", "enter")
            if close:
                await type_into(pilot, "#inv-close-date", "")
                dialog.query_one("#inv-close-date").value = ""
                await type_into(pilot, "#inv-close-date", close)
            await type_into(pilot, "#inv-value", value)
            if currency_downs:
                await choose(pilot, "#inv-currency", currency_downs)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: app.screen.__class__ is NewDealWizard, what="back in the wizard")
        invited = app.screen.step("sale_type").invitations
        assert [i.partner_name for i in invited] == ["Fabrikam Consulting Ltd", "Litware Systems AB"]
        assert "P2P" in str(app.screen.query_one("#sale-type-preview").render())
        await next_step(pilot, "review")
        await create(pilot, app)
    stored = svc.get_deal(wctx, app.results[0].id)
    assert stored.sale_type is SaleType.P2P
    shares = [(i.partner_id, i.close_date, i.value, i.currency) for i in stored.partner_invitations]
    assert shares[0] == ("P-FAB", date(2027, 6, 30), Decimal("50000"), "USD")
    assert shares[1][0:3] == ("P-LIT", date(2027, 7, 31), Decimal("30000")) and shares[1][3] != "USD"
    assert all(i.solutions == ["SOL-AZ-1"] and [p.email for p in i.team] == ["bob@contoso-partner.com"]
               for i in stored.partner_invitations)
