"""Work off the UI thread on the deal detail: a load cancelled because a newer one replaced it, or
because the screen closed, ends quietly; it is never shown as "Something went wrong (WorkerCancelled)"."""
from __future__ import annotations

from detail_support import (
    make_app, notes_of, open_detail, pilot_test, put_inbound, put_outbound, wait_for_screen, wait_idle, wait_until,
)
from model import services as svc
from model.domain.enums import HelpType, SaleType, Substatus
from tui.screens.dialogs import AcceptDialog
from tui.screens.invite import UpgradeDialog


def went_wrong(app) -> list[str]:
    return [n for n in notes_of(app) if "went wrong" in n or "Worker" in n]


async def storm_of_changes(pilot, app, screen, times: int = 5) -> None:
    """Others write while the screen reloads: each change replaces the running store watch."""
    for _ in range(times):
        app.refresh_deals()
        await pilot.pause(0)
    await wait_until(pilot, lambda: not [w for w in screen.workers if w.is_running], what="watches finished")


@pilot_test
async def test_accept_then_changes_and_closing_never_report_a_cancelled_worker(ctx):  # R8.3
    deal = put_inbound(ctx)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, deal.id)
        await pilot.press("a")
        await wait_for_screen(pilot, AcceptDialog)
        await pilot.press("ctrl+s")
        await wait_idle(pilot, screen)
        assert svc.get_deal(ctx, deal.id).substatus is Substatus.ACCEPTED
        await storm_of_changes(pilot, app, screen)
        app.refresh_deals()
        await pilot.press("escape")  # close the screen while its store watch runs
        await wait_until(pilot, lambda: app.screen is not screen, what="back")
        await pilot.pause(0.2)
        assert went_wrong(app) == [] and app.unexpected_errors == []


@pilot_test
async def test_upgrade_then_changes_never_report_a_cancelled_worker(ctx):  # R7.5
    deal = put_outbound(ctx, help_type=HelpType.NONE, share_with_microsoft=False)
    app = make_app(ctx)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_detail(pilot, deal.id)
        await pilot.press("u")
        await wait_for_screen(pilot, UpgradeDialog)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen, what="dialog closed")
        await wait_idle(pilot, screen)
        assert svc.get_deal(ctx, deal.id).sale_type is SaleType.PARTNER_LED
        await storm_of_changes(pilot, app, screen)
        assert screen.deal.sale_type is SaleType.PARTNER_LED
        assert went_wrong(app) == [] and app.unexpected_errors == []
