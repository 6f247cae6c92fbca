"""Each rule of R4–R7 refuses bad input in the wizard, with the message beside
the field it names, in the model's words; nothing is written meanwhile.

The wizard is opened on a draft that passes every step (``ready_draft``), one
thing is spoilt, and ``ctrl+n`` must stop on that step with the error line of
that field showing.
"""
from __future__ import annotations

from model.domain.enums import AccountTab, DealKind, HelpType, MarketplaceIntent, PartnerRole, SolutionSource
from model.domain.schemas import Customer, DealDraft, DealSolution
from tui.screens.new_deal import NewDealWizard
from wizard_support import (  # noqa: F401 - wctx is a fixture
    Harness, count_deals, error_text, goto, next_step, pick_customer, pilot_test, ready_draft, screen_text,
    seed_recent_deal, shown_errors, type_into, wait_for, wctx,
)

SIZE = (100, 40)
ASSESSMENT = DealSolution(solution_id="SA-DATA", name="Data & AI assessment", source=SolutionSource.ASSESSMENT,
                          assessment_location="Sweden")
FABRIC = DealSolution(solution_id="SOL-MS-1", name="Microsoft Fabric", source=SolutionSource.MICROSOFT,
                      macc_eligible=True)
HELPER = DealSolution(solution_id="SOL-3P-1", name="Fabrikam Helper", source=SolutionSource.THIRD_PARTY)


def wizard_on(ctx, draft=None):
    return Harness(ctx, (lambda: NewDealWizard(draft)) if draft is not None else NewDealWizard)


async def stays(pilot, step: str) -> dict[str, str]:
    """ctrl+n is refused: still on ``step``; returns the error lines showing."""
    await next_step(pilot)
    await pilot.pause()
    assert pilot.app.screen.current == step
    return shown_errors(pilot.app.screen)


@pilot_test
async def test_r4_1_the_customer_comes_first(wctx):
    app = wizard_on(wctx, DealDraft(name="Typed before"))  # a draft without a customer: the search opens first
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CustomerSearchScreen", what="modal opens first")
        await pilot.press("escape")  # no customer: leave the wizard? something was typed, so it asks
        await wait_for(pilot, lambda: type(app.screen).__name__ == "DiscardDialog", what="discard asked")
        await pilot.press("n")  # keep editing: step 1, still without a customer
        await wait_for(pilot, lambda: isinstance(app.screen, NewDealWizard))
        errors = await stays(pilot, "customer")
        assert errors == {"err-customer": "choose the customer first (R4.1)"}
        # and the choice shows what it means for the deal (R4.4, R4.7, R4.9)
        await pilot.press("enter")  # the focused "Search customers…" button
        await pick_customer(pilot, "lucerne", confirm=True)
        summary = str(app.screen.query_one("#customer-summary").render())
        assert "From: Other (DUNS)" in summary and "MACC contract: no" in summary
        assert "cannot be changed after creation without support (R4.9)" in summary
    assert app.results == []


@pilot_test
async def test_r4_10_contact_and_consent_required_when_microsoft_is_asked(wctx):
    app = wizard_on(wctx, ready_draft())
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, "sale_type")
        app.screen.query_one("#help").focus()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("down", "enter")  # General or other
        errors = await stays(pilot, "sale_type")
        assert "a customer contact (name, phone, email) is required when Microsoft is invited (R4.10)" \
            in errors["err-sale-customer"]
        assert "consent to share their contact details" in errors["err-sale-customer"]
        for _ in range(5):  # back to the customer step, where the contact is typed
            await pilot.press("escape")
        await pilot.pause()
        assert app.screen.current == "customer"
        errors = await stays(pilot, "customer")
        assert "is required when Microsoft is invited (R4.10)" in errors["err-customer-contacts"]
        assert "(R4.10)" in errors["err-customer-consent-to-share"]
        await type_into(pilot, "#contact-name", "Nina")
        await type_into(pilot, "#contact-phone", "+46 8 555")
        await type_into(pilot, "#contact-email", "nina@nw.example")
        app.screen.query_one("#consent").focus()
        await pilot.press("space")
        await goto(pilot, "review")
    assert app.results == []


@pilot_test
async def test_r5_details_name_the_missing_fields(wctx):
    draft = ready_draft(name="", location="", value=None, close_date=None, notes="")
    app = wizard_on(wctx, draft)
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, "details")
        errors = await stays(pilot, "details")
        assert errors == {
            "err-name": "a deal name is required (R5)",
            "err-location": "a location is required (it cannot be changed later) (R1.2)",
            "err-value": "an estimated value is required (R5)",
            "err-close-date": "an estimated close date is required (R5)",
            "err-notes": "notes are required: say what the customer needs (and, for co-sell, what help you "
                         "want) (R5)",
        }
        await type_into(pilot, "#close-date", "2027-13-45")
        errors = await stays(pilot, "details")
        assert errors["err-close-date"] == "'2027-13-45' is not a date: use YYYY-MM-DD"
        screen = app.screen
        assert "cannot be changed after the deal is created (R1.2)" in str(screen.query_one(".field-hint").render())
        assert not screen.query_one("#partner-role").parent.display  # not shown for IP co-sell (R5)


@pilot_test
async def test_r5_services_cosell_requires_role_area_and_play(wctx):
    app = wizard_on(wctx, ready_draft(kind=DealKind.SERVICES_COSELL, solutions=[]))
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, "details")
        assert app.screen.query_one("#partner-role").parent.display
        errors = await stays(pilot, "details")
        assert errors == {
            "err-partner-role": "a partner role is required for services co-sell (R5)",
            "err-solution-area": "a solution area is required for services co-sell (R5)",
            "err-solution-play": "a solution play is required for services co-sell (R5)",
        }


@pilot_test
async def test_r5_1_and_r6_7_marketplace_yes_needs_an_incentivized_solution(wctx):
    app = wizard_on(wctx, ready_draft(marketplace_intent=MarketplaceIntent.YES, solutions=[FABRIC]))
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, "solutions")
        assert "Marketplace intent is Yes" in str(app.screen.query_one("#solutions-context").render())
        errors = await stays(pilot, "solutions")
        assert errors == {"err-solutions": "marketplace intent is Yes: choose at least one incentivized solution "
                                           "(R6.7)"}


@pilot_test
async def test_r6_7_a_macc_customer_without_a_macc_eligible_solution_is_warned_then_confirms(wctx):
    """R6.7 "make sure": a warning beside the solutions, which the user confirms at Create; the deal is
    then created with the confirmation passed on (``confirm_warnings=True``)."""
    app = wizard_on(wctx, ready_draft(solutions=[HELPER]))
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, "solutions")
        results = app.screen.step("solutions")
        await wait_for(pilot, lambda: results.results)
        assert results.results[0].macc_eligible  # MACC-eligible solutions listed first while searching
        await next_step(pilot, "sale_type")  # a warning does not stop the steps...
        assert error_text(app.screen, "err-solutions").startswith("warning: the customer has a MACC contract")
        await goto(pilot, "review")  # ...and the review lists it
        assert "make sure a MACC-eligible solution is chosen" in error_text(app.screen, "err-review")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConfirmDialog", what="the confirmation")
        dialog = app.screen
        assert "(R6.7)" in str(dialog.title_text) and "MACC-eligible" in str(dialog.message)
        await pilot.press("n")  # not confirmed: nothing is written, the wizard stays
        await wait_for(pilot, lambda: isinstance(app.screen, NewDealWizard) and not app.screen.creating)
        assert app.results == [] and count_deals(wctx) == 0
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConfirmDialog", what="asked again")
        await pilot.press("y")
        await wait_for(pilot, lambda: app.results, what="created after the confirmation")
    (deal,) = app.results
    assert [s.solution_id for s in deal.solutions] == ["SOL-3P-1"] and deal.customer.macc


@pilot_test
async def test_r6_1_team_members_need_name_phone_and_email(wctx):
    seed_recent_deal(wctx)
    app = wizard_on(wctx, ready_draft(team=[]))
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, "team")
        errors = await stays(pilot, "team")
        assert errors == {"err-team": "add at least one team member with name, phone and email (R6.1)"}
        await type_into(pilot, "#member-name", "Zed")
        await type_into(pilot, "#member-phone", "12")
        await type_into(pilot, "#member-email", "zed")
        await pilot.press("enter")
        errors = shown_errors(app.screen)
        assert errors["err-member"] == ("phone: '12' is not a phone number (R6.1) | "
                                        "email: 'zed' is not an email address (R6.1)")
        step = app.screen.step("team")
        assert step.members == []
        await wait_for(pilot, lambda: step.recent)
        app.screen.query_one("#recent-list").focus()
        await pilot.press("1")  # the user (no phone on record): into the form to complete, not onto the team
        assert step.members == [] and app.screen.query_one("#member-email").value == "alice@contoso-partner.com"
        assert "phone: a phone number is required (R6.1)" in error_text(app.screen, "err-member")
        app.screen.query_one("#recent-list").focus()
        await pilot.press("3")  # R6.2: one key adds a complete person from a recent deal
        assert [p.name for p in step.members] == ["Carla Architect"]
        await goto(pilot, "solutions")


@pilot_test
async def test_r6_4_an_ip_cosell_deal_needs_a_solution(wctx):
    app = wizard_on(wctx, ready_draft(solutions=[]))
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, "solutions")
        errors = await stays(pilot, "solutions")
        assert errors == {"err-solutions": "an IP co-sell deal needs at least one solution (R6.4)"}


@pilot_test
async def test_r6_6_an_assessment_deal_takes_exactly_one_assessment_with_its_location(wctx):
    second = ASSESSMENT.model_copy(update={"solution_id": "SA-SEC", "name": "Security assessment"})
    app = wizard_on(wctx, ready_draft(kind=DealKind.SOLUTION_ASSESSMENT, solutions=[ASSESSMENT, second],
                                      help_type=HelpType.NONE, share_with_microsoft=False))
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, "solutions")
        app.screen.query_one("#assessment-location").value = ""
        errors = await stays(pilot, "solutions")
        assert errors["err-solutions"] == ("a solution assessment deal takes exactly one assessment type and no "
                                           "other solution (R6.6)")
        assert errors["err-solutions-assessment-location"].startswith("choose the location where the assessment")
        app.screen.query_one("#chosen-solutions").focus()
        await pilot.press("down", "delete")
        await type_into(pilot, "#assessment-location", "Norway")
        await goto(pilot, "review")
        assert app.screen.draft.solutions[0].assessment_location == "Norway"


@pilot_test
async def test_r7_the_two_questions_decide_the_sale_type_live(wctx):
    app = wizard_on(wctx, ready_draft(share_with_microsoft=False))
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, "sale_type")
        preview = lambda: str(app.screen.query_one("#sale-type-preview").render())  # noqa: E731
        assert "Private" in preview()  # R7.1
        app.screen.query_one("#share").focus()
        await pilot.pause()
        await pilot.press("right", "enter")
        assert "Partner-led" in preview()  # R7.2
        app.screen.query_one("#help").focus()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("down", "down", "enter")
        assert "Co-sell" in preview() and "14 days" in preview()  # R7.3
        assert app.screen.query_one("#share").disabled


@pilot_test
async def test_r7_4_invite_partner_names_each_missing_field(wctx):
    # a services co-sell deal without solutions (allowed, R6.4): the invitation still needs one (R7.4)
    app = wizard_on(wctx, ready_draft(kind=DealKind.SERVICES_COSELL, solutions=[], partner_role=PartnerRole.DEPLOYMENT,
                                      solution_area="Infrastructure", solution_play="Migrate"))
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, "sale_type")
        app.screen.query_one("#invitations").focus()
        await pilot.press("i")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "InvitePartnerDialog")
        dialog = app.screen
        dialog.query_one("#inv-close-date").value = ""
        await pilot.press("ctrl+s")
        await pilot.pause()
        errors = shown_errors(dialog)
        assert errors == {
            "err-partner": "choose the partner to invite (R7.4)",
            "err-close-date": "the invited partner's estimated close date is required (R7.4)",
            "err-value": "an estimated value is required (R7.4)",
            "err-solutions": "add at least one solution for the invited partner (R7.4)",
        }
        assert app.screen is dialog
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.step("sale_type").invitations == []


@pilot_test
async def test_esc_goes_back_without_losing_what_was_typed_and_nothing_is_written(wctx):
    app = wizard_on(wctx, ready_draft(name=""))
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, "details")
        await type_into(pilot, "#name", "Kept")
        await pilot.press("escape")
        assert app.screen.current == "customer"
        await next_step(pilot, "details")
        assert app.screen.query_one("#name").value == "Kept"
        await goto(pilot, "review")
        assert "Deal name       Kept" in screen_text(app)
        from wizard_support import count_deals

        assert count_deals(wctx) == 0  # nothing until Create
        for _ in range(7):  # back through every step, and once more: leave?
            await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "DiscardDialog"
        await pilot.press("n")
        await pilot.pause()
        assert app.screen.current == "customer"
        await pilot.press("escape", "y")
        await wait_for(pilot, lambda: app.results == [None])
        assert count_deals(wctx) == 0


@pilot_test
async def test_review_shows_type_and_why_not_registrable(wctx):
    """R10 outlook before creating: an unmanaged customer and a private deal are named as unmet."""
    customer = Customer(name="Contoso Retail AB", account_id="ACC-CR-1", source=AccountTab.UNMANAGED)
    app = wizard_on(wctx, ready_draft(customer=customer, share_with_microsoft=False, value=None))
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, "details")
        await type_into(pilot, "#value", "9000")
        await goto(pilot, "review")
        text = str(app.screen.query_one("#review-registration").render())
        assert "not eligible as it stands" in text
        assert "the deal type must be partner-led or co-sell (it is private)" in text
        assert "at least 25,000 USD (it is 9,000 USD" in text
        assert "must be Microsoft-managed (it is microsoft-unmanaged)" in text
        assert "Private" in str(app.screen.query_one("#review-type").render())
    app = wizard_on(wctx, ready_draft())
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, "review")
        text = str(app.screen.query_one("#review-registration").render())
        assert "could be registered (R10) once these hold" in text and "72 hours" in text
