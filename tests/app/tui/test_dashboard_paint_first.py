"""Issue 10 (B3): what a key shows is painted on the frame after the key, not one frame later.

A key that moves the cursor off screen (End) scrolls the grid on the key, so the frame after it
shows the cursor's rows (Textual's ``scroll_to`` waited for a refresh first). A tab drawn from
memory is painted before the reload that confirms it starts (its answer held that frame back).
A saved deal's row shows every field the row and the deal share, sale type and location too.
"""
from __future__ import annotations

from model import services as svc
from model.domain.enums import SaleType, Tab
from model.domain.schemas import Deal, DealRow
from tui.widgets import deal_table_keys

from dashboard_support import (  # noqa: F401  (config_dir: autouse fixture)
    bulk_deals, config_dir, make_app, pilot_test, settle, table_of,
)


@pilot_test
async def test_end_scrolls_on_the_key(ctx):
    bulk_deals(ctx.store, 300)
    app = make_app(ctx)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = table_of(app)
        table.action_last()  # no refresh in between: the scroll is already there
        assert table.cursor_row == table.total - 1
        assert round(table.scroll_y) == table.total - table._visible_rows()
        table.action_first()
        assert round(table.scroll_y) == 0


@pilot_test
async def test_a_kept_tab_is_confirmed_after_the_frame_that_shows_it(ctx):
    """R3.2: the outbound tab drawn from memory; its confirming read starts once that is painted."""
    bulk_deals(ctx.store, 300)
    app = make_app(ctx)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = table_of(app)
        started = []
        real = table._start_reload
        table._start_reload = lambda anchor: (started.append(table.query_spec.tab), real(anchor))
        app.screen.action_show_tab("outbound")
        assert table.confirming and table.total > 0 and started == []  # drawn now, not asked yet
        await settle(pilot)
        assert started == [Tab.OUTBOUND] and not table.confirming
        assert table.total == svc.count_deals(ctx, table.query_spec)


@pilot_test
async def test_a_newer_query_drops_the_pending_confirmation(ctx):
    bulk_deals(ctx.store, 300)
    app = make_app(ctx)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = table_of(app)
        started = []
        real = table._start_reload
        table._start_reload = lambda anchor: (started.append(table.query_spec.tab), real(anchor))
        app.screen.action_show_tab("outbound")
        app.screen.action_show_tab("closed")  # before the outbound one was painted
        await settle(pilot)
        assert Tab.OUTBOUND not in started and table.query_spec.tab is Tab.CLOSED


def test_a_saved_deal_updates_every_field_its_row_shares():
    fields = set(deal_table_keys._ROW_FIELDS)
    assert {"sale_type", "location", "version", "stage", "favorite"} <= fields and "id" not in fields
    assert fields == (set(DealRow.model_fields) & set(Deal.model_fields)) - {"id"}


@pilot_test
async def test_update_row_shows_a_new_sale_type_and_location(ctx):
    bulk_deals(ctx.store, 50)
    app = make_app(ctx)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = table_of(app)
        row = table.cursor_deal
        deal = svc.get_deal(ctx, row.id)
        other = next(s for s in SaleType if s is not row.sale_type)
        saved = deal.model_copy(update={"sale_type": other, "location": "Elsewhere", "version": deal.version + 1})
        assert table.update_row(saved)
        after = table.cursor_deal
        assert (after.sale_type, after.location, after.version) == (other, "Elsewhere", deal.version + 1)


@pilot_test
async def test_a_run_of_changes_reads_the_other_tabs_ahead_once_after_it(ctx):
    """R3: after each change the kept tabs are dropped; they are read again once the grid is idle."""
    bulk_deals(ctx.store, 300)
    app = make_app(ctx)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = table_of(app)
        assert table.views.has(app.screen._query_for(Tab.OUTBOUND))  # read ahead after the first frame
        reads = []
        real = table._read_ahead_worker
        table._read_ahead_worker = lambda *a: (reads.append(len(a[2])), real(*a))
        for _ in range(3):  # three actions in a row, each answered before the next
            app.screen.reload_data()
            await _until_answered(pilot, table)
            assert reads == [] and table.busy  # not yet: the grid is not idle
        await settle(pilot)
        assert reads == [3]  # once, the three other tabs
        assert table.views.has(app.screen._query_for(Tab.CLOSED))


async def _until_answered(pilot, table) -> None:
    """Until the reload's answer is in and the screen asked for the read ahead (it waits for a pause)."""
    for _ in range(500):
        if not (table.fetching or table.confirming) and table._ahead_timer is not None:
            return
        await pilot.pause()
    raise AssertionError("the reload was not answered")


@pilot_test
async def test_after_another_query_the_other_tabs_are_read_ahead_at_once(ctx):
    """R3: with no data change since the last read ahead, a switch's answer reads the missing tab ahead
    with no pause (the next key may be another switch)."""
    bulk_deals(ctx.store, 300)
    app = make_app(ctx)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = table_of(app)
        assert table.views.take(app.screen._query_for(Tab.CLOSED)) is not None  # forgotten, nothing changed
        reads = []
        real = table._read_ahead_worker
        table._read_ahead_worker = lambda *a: (reads.append(len(a[2])), real(*a))
        await pilot.press("2")
        for _ in range(200):
            if not table.confirming and reads:
                break
            await pilot.pause()
        assert reads == [1] and table._ahead_timer is None
        await settle(pilot)
        assert table.views.has(app.screen._query_for(Tab.CLOSED))
