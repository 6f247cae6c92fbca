"""`enter` in the filter box (a user review: it seemed to do nothing): the grid takes the focus with
its cursor on the first match, and when exactly one deal matches, that deal opens."""
from __future__ import annotations

from dashboard_support import (  # noqa: F401  (config_dir: autouse fixture)
    bulk_deals, config_dir, deal_id, make_app, pilot_test, settle, table_of,
)


def screen_name(app) -> str:
    return type(app.screen).__name__


async def typed(pilot, *keys: str):
    """The dashboard settled, then ``keys`` pressed and answered; the grid."""
    await settle(pilot)
    await pilot.press(*keys)
    await settle(pilot)
    return table_of(pilot.app)


@pilot_test
async def test_enter_moves_to_the_first_match_in_the_grid(ctx):
    bulk_deals(ctx.store, 300)
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        table = await typed(pilot, "j", "j", "j", "slash", *"migration")
        assert table.total > 1 and app.focused.id == "filter"
        table.cursor_row = 2  # wherever the cursor was, enter brings it to the first match
        await pilot.press("enter")
        await settle(pilot)
        assert app.focused is table and table.cursor_row == 0 and screen_name(app) == "DashboardScreen"
        assert table.query_spec.text == "migration"  # the filter stays


@pilot_test
async def test_enter_opens_the_only_match(ctx):
    bulk_deals(ctx.store, 300)
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        table = await typed(pilot, "slash", *"crm-000077")
        assert table.total == 1
        await pilot.press("enter")
        await settle(pilot)
        assert screen_name(app) == "DealDetailScreen" and app.screen.deal_id == table.cursor_deal.id
        await pilot.press("escape")
        await settle(pilot)
        assert screen_name(app) == "DashboardScreen" and app.focused is table


@pilot_test
async def test_enter_typed_before_the_answer_waits_for_it(ctx):
    """Typed in one burst (pasted, or over SSH): enter acts on the rows of the text typed, not of a part."""
    bulk_deals(ctx.store, 300)
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        box = app.screen.query_one("#filter")
        box.value = "crm-000077"   # typed, and enter, before the grid had a moment to ask
        await box.action_submit()
        assert table_of(app).query_spec.text == ""
        await settle(pilot)
        assert screen_name(app) == "DealDetailScreen" and app.screen.deal_id == deal_id(77)
        await pilot.press("escape")
        await settle(pilot)
        assert table_of(app).query_spec.text == "crm-000077"


@pilot_test
async def test_enter_with_nothing_matching_goes_to_the_empty_grid(ctx):
    bulk_deals(ctx.store, 50)
    app = make_app(ctx)
    async with app.run_test(size=(100, 24)) as pilot:
        table = await typed(pilot, "slash", *"no such deal", "enter")
        assert screen_name(app) == "DashboardScreen" and app.focused is table and table.total == 0
