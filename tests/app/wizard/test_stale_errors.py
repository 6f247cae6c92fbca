"""Issue 13: a ✗ line goes as soon as its field is changed (the consent box ticked, the phone
typed), instead of staying up until the next save; a refill before it was shown does not."""
from __future__ import annotations

from tui.screens.new_deal import NewDealWizard
from wizard_support import (  # noqa: F401 - wctx is a fixture
    Harness, goto, next_step, pilot_test, ready_draft, shown_errors, type_into, wctx,
)

SIZE = (100, 40)


@pilot_test
async def test_consent_and_contact_errors_clear_when_their_fields_change(wctx):  # R4.10
    app = Harness(wctx, lambda: NewDealWizard(ready_draft()))
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, "sale_type")
        app.screen.query_one("#help").focus()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("down", "enter")  # General or other: Microsoft is asked (R4.10)
        for _ in range(5):
            await pilot.press("escape")
        await pilot.pause()
        assert app.screen.current == "customer"
        await next_step(pilot)
        await pilot.pause()
        errors = shown_errors(app.screen)
        assert "err-customer-contacts" in errors and "err-customer-consent-to-share" in errors
        app.screen.query_one("#consent").focus()
        await pilot.press("space")
        await pilot.pause()
        errors = shown_errors(app.screen)
        assert "err-customer-consent-to-share" not in errors and "err-customer-contacts" in errors
        await type_into(pilot, "#contact-phone", "+46 8 555")  # the contact's phone: its group's line goes
        await pilot.pause()
        assert "err-customer-contacts" not in shown_errors(app.screen)
