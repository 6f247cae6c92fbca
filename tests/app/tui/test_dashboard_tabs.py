"""The dashboard's tabs, header line and per-tab keys, driven from the keyboard."""
from __future__ import annotations

from model import services as svc
from model.domain.enums import Substatus, Tab
from model.domain.listing import DealQuery
from model.domain.rules.lifecycle import Action

from dashboard_support import (  # noqa: F401  (config_dir: autouse fixture)
    allowed_actions, bulk_deals, config_dir, make_app, offered_actions, pilot_test, screen_text, settle, table_of,
)


@pilot_test
async def test_number_keys_switch_tabs_and_rows_follow(ctx):
    """R3, R8.14: 1 2 3 4 show Inbound, Outbound, Favorites and Closed deals."""
    bulk_deals(ctx.store, 400)
    app = make_app(ctx)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = table_of(app)
        for key, tab in (("2", Tab.OUTBOUND), ("3", Tab.FAVORITES), ("4", Tab.CLOSED), ("1", Tab.INBOUND)):
            await pilot.press(key)
            await settle(pilot)
            assert table.query_spec.tab is tab
            assert table.total == svc.count_deals(ctx, DealQuery(tab=tab))
            rows = table.loaded_rows()
            assert rows, tab
            if tab is Tab.CLOSED:
                assert all(r.substatus in (Substatus.WON, Substatus.LOST, Substatus.DECLINED) for r in rows)
            elif tab is Tab.FAVORITES:
                assert all(r.favorite for r in rows)
            else:
                assert {r.direction.label.lower() for r in rows} == {tab.value}
                assert all(r.substatus not in (Substatus.WON, Substatus.LOST) for r in rows)


@pilot_test
async def test_header_shows_counts_pipeline_expiring_and_who_you_are(ctx):
    bulk_deals(ctx.store, 300)
    inbound = svc.tab_summary(ctx, DealQuery(tab=Tab.INBOUND))
    app = make_app(ctx)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        for tab in (Tab.INBOUND, Tab.OUTBOUND, Tab.FAVORITES, Tab.CLOSED):
            assert f"{tab.value.capitalize()} {svc.count_deals(ctx, DealQuery(tab=tab)):,}" in text
        assert f"{inbound.count:,} open deals" in text
        assert "total $" in text and "pipeline $" in text
        assert inbound.expiring_48h > 1 and f"⚠ {inbound.expiring_48h} expire in 48 h" in text
        assert "Alice Admin · Referral admin · all locations · 20 Nov 09:00 UTC" in text


@pilot_test
async def test_footer_lists_what_the_model_allows_the_deal_under_the_cursor(ctx):  # R8.2, R8.14, R10.3
    """One available_actions answers for every deal key: received, accepted and closed deals differ."""
    bulk_deals(ctx.store, 200)
    app = make_app(ctx)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        table = table_of(app)
        rows = table.loaded_rows()
        received = next(i for i, r in enumerate(rows) if r.substatus is Substatus.RECEIVED)
        accepted = next(i for i, r in enumerate(rows) if r.substatus is Substatus.ACCEPTED)
        for index in (received, accepted):
            table.cursor_row = index
            await settle(pilot)
            assert offered_actions(app) == allowed_actions(ctx, rows[index].id), rows[index].substatus
        table.cursor_row = received
        await settle(pilot)
        assert {Action.ACCEPT, Action.DECLINE} <= offered_actions(app)
        assert Action.WON not in offered_actions(app)  # R8.2: accept it first
        await pilot.press("4")
        await settle(pilot)
        closed = table.cursor_deal
        assert offered_actions(app) == allowed_actions(ctx, closed.id)
        assert not {Action.ACCEPT, Action.DECLINE, Action.MARK_STAGE, Action.WON, Action.LOST,
                    Action.CLOSE_AS_ERROR} & offered_actions(app)  # R8.14, R9.1
        assert Action.FAVORITE in offered_actions(app)


@pilot_test
async def test_outbound_tab_never_offers_accept_and_decline(ctx):  # R8.2
    bulk_deals(ctx.store, 100)
    app = make_app(ctx)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        offered = offered_actions(app)
        assert offered == allowed_actions(ctx, table_of(app).cursor_deal.id)
        assert Action.MARK_STAGE in offered and not {Action.ACCEPT, Action.DECLINE} & offered


@pilot_test
async def test_default_tab_comes_from_settings(ctx, config_dir):
    from tui.settings import Settings

    Settings(default_tab=Tab.CLOSED).save()
    bulk_deals(ctx.store, 100)
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert table_of(app).query_spec.tab is Tab.CLOSED


@pilot_test
async def test_cursor_moves_with_j_k_and_arrows_and_each_tab_remembers_it(ctx):
    bulk_deals(ctx.store, 200)
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = table_of(app)
        await pilot.press("j", "j", "down", "k")
        assert table.cursor_row == 2
        first = table.cursor_deal
        await pilot.press("2")
        await settle(pilot)
        assert table.cursor_row == 0
        await pilot.press("1")
        await settle(pilot)
        assert table.cursor_row == 2 and table.cursor_deal.id == first.id
        await pilot.press("end")
        await settle(pilot)
        assert table.cursor_row == table.total - 1 and table.cursor_deal is not None
        await pilot.press("home")
        assert table.cursor_row == 0
