"""Issue 13: after creating a deal in the wizard, the user is taken to it (its detail screen)."""
from __future__ import annotations

from dashboard_support import (  # noqa: F401  (config_dir: autouse fixture)
    config_dir, make_app, pilot_test, settle,
)
from detail_support import put_outbound, wait_for_screen, wait_until
from tui.screens.deal_detail import DealDetailScreen


@pilot_test
async def test_the_new_deal_opens_once_created(ctx):
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "CustomerSearchScreen", what="search")
        await pilot.press("ctrl+t", *"Acme", "enter", "enter", "enter")  # a customer typed by hand: to step 1
        wizard = await wait_until(pilot, lambda: app.screen if type(app.screen).__name__ == "NewDealWizard"
                                  else None, what="wizard")
        deal = put_outbound(ctx)  # what the wizard's create returns, made here to keep the test on the hand-over
        wizard.dismiss(deal)
        detail = await wait_for_screen(pilot, DealDetailScreen)
        assert detail.deal_id == deal.id
