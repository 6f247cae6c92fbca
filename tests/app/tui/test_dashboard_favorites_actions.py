"""Keys that act on deals from the dashboard: the heart (R3.3), accept (R8.3), bulk decline (R8.4)."""
from __future__ import annotations

from model import services as svc
from model.domain.enums import Substatus, Tab
from model.domain.listing import DealQuery

from dashboard_support import (  # noqa: F401  (config_dir: autouse fixture)
    bulk_deals, config_dir, make_app, pilot_test, screen_text, settle, table_of,
)


async def wait_screen(pilot, name: str) -> None:
    for _ in range(200):
        if type(pilot.app.screen).__name__ == name:
            return
        await pilot.pause(0.01)
    raise AssertionError(f"{name} did not open (on {pilot.app.screen})")


@pilot_test
async def test_f_toggles_the_heart_and_the_deal_shows_in_favorites(ctx):
    """R3.3: the heart toggles on the row and shows in both the row's tab and Favorites."""
    bulk_deals(ctx.store, 200)
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = table_of(app)
        await pilot.press("j")
        row = table.cursor_deal
        assert not row.favorite
        await pilot.press("f")
        await settle(pilot)
        assert svc.get_deal(ctx, row.id).favorite
        assert table.cursor_deal.id == row.id and table.cursor_deal.favorite
        line = next(l for l in screen_text(app).splitlines() if row.name[:14] in l)
        assert line.startswith("▸ ♥")
        await pilot.press("3")
        await settle(pilot)
        assert row.id in {r.id for r in table.loaded_rows()}
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("f")  # toggling again removes the tag
        await settle(pilot)
        assert not svc.get_deal(ctx, row.id).favorite
        assert row.id not in {r.id for r in svc.list_deals(ctx, DealQuery(tab=Tab.FAVORITES, limit=500))}


@pilot_test
async def test_space_marks_rows_and_f_hearts_every_marked_deal(ctx):
    bulk_deals(ctx.store, 200)
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = table_of(app)
        first, second = table.row_at(0), table.row_at(1)
        await pilot.press("space", "space")  # marks and moves down
        assert set(table.marked) == {first.id, second.id}
        assert "2 marked" in screen_text(app)
        lines = screen_text(app).splitlines()
        assert any(l.startswith(" ●") and first.name[:12] in l for l in lines)
        await pilot.press("f")
        await settle(pilot)
        assert svc.get_deal(ctx, first.id).favorite and svc.get_deal(ctx, second.id).favorite
        assert not table.marked
        assert not svc.get_deal(ctx, table.cursor_deal.id).favorite  # the cursor row was not marked


@pilot_test
async def test_bulk_decline_asks_one_reason_for_every_marked_deal(ctx):
    """R8.4: d on marked rows declines them all with one reason."""
    bulk_deals(ctx.store, 300)
    app = make_app(ctx)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        table = table_of(app)
        received = [r for r in table.loaded_rows() if r.substatus is Substatus.RECEIVED][:3]
        for row in received:
            index = next(i for i, r in enumerate(table.loaded_rows()) if r.id == row.id)
            table.cursor_row = index
            await pilot.press("space")
        assert set(table.marked) == {r.id for r in received}
        await pilot.press("d")
        await wait_screen(pilot, "ReasonDialog")
        dialog = app.screen
        reason = dialog.query_one("#reason")
        reason.value = dialog.reasons[0]
        await pilot.press("ctrl+s")
        await wait_screen(pilot, "ConfirmDialog")
        await pilot.press("y")
        await wait_screen(pilot, "DashboardScreen")
        await settle(pilot)
        for row in received:
            deal = svc.get_deal(ctx, row.id)
            assert deal.substatus is Substatus.DECLINED and deal.status_reason.startswith(dialog.reasons[0])
        assert not table.marked
        assert not {r.id for r in received} & {r.id for r in table.loaded_rows()}  # they left Inbound


@pilot_test
async def test_a_accepts_the_deal_under_the_cursor_and_the_row_updates(ctx):
    """R8.3 through the dashboard: `a` opens the accept form; saving moves the row to Accepted."""
    bulk_deals(ctx.store, 100)
    app = make_app(ctx)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        table = table_of(app)
        row = next(r for r in table.loaded_rows() if r.substatus is Substatus.RECEIVED)
        table.cursor_row = next(i for i, r in enumerate(table.loaded_rows()) if r.id == row.id)
        await pilot.press("a")
        await wait_screen(pilot, "AcceptDialog")
        await pilot.press("ctrl+s")
        await wait_screen(pilot, "DashboardScreen")
        await settle(pilot)
        assert svc.get_deal(ctx, row.id).substatus is Substatus.ACCEPTED
        updated = next(r for r in table.loaded_rows() if r.id == row.id)
        assert updated.substatus is Substatus.ACCEPTED
        # Triage (issue 13): the cursor goes on to the next deal waiting for an answer, not after this one.
        assert table.cursor_deal.id != row.id and table.cursor_deal.substatus is Substatus.RECEIVED


@pilot_test
async def test_a_refused_action_shows_the_models_message(ctx):
    """Rules come from the model: `w` on a deal with stages left shows R8.9's words."""
    bulk_deals(ctx.store, 100)
    app = make_app(ctx)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        table = table_of(app)
        row = table.cursor_deal
        await pilot.press("w")
        await settle(pilot)
        for _ in range(100):
            if app._notifications:
                break
            await pilot.pause(0.01)
        messages = " ".join(n.message for n in app._notifications)
        assert "R8.9" in messages and "not yet marked: Qualified" in messages
        assert type(app.screen).__name__ == "DashboardScreen"  # refused before any dialog opened
        assert svc.get_deal(ctx, row.id).substatus is not Substatus.WON


@pilot_test
async def test_enter_opens_the_deal_and_esc_comes_back_to_the_same_row(ctx):
    bulk_deals(ctx.store, 100)
    app = make_app(ctx)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j")
        row = table_of(app).cursor_deal
        await pilot.press("enter")
        await wait_screen(pilot, "DealDetailScreen")
        assert app.screen.deal_id == row.id
        await pilot.press("escape")
        await wait_screen(pilot, "DashboardScreen")
        await settle(pilot)
        assert table_of(app).cursor_deal.id == row.id


@pilot_test
async def test_n_opens_the_new_deal_wizard(ctx):
    """`n` starts the wizard (which opens on its customer search, R4.1); backing out lands on the grid."""
    app = make_app(ctx)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        for _ in range(200):
            if any(type(s).__name__ == "NewDealWizard" for s in app.screen_stack):
                break
            await pilot.pause(0.01)
        assert any(type(s).__name__ == "NewDealWizard" for s in app.screen_stack)
        for _ in range(6):  # the wizard may ask before throwing a draft away
            if type(app.screen).__name__ == "DashboardScreen":
                break
            await pilot.press("escape")
            await pilot.pause(0.05)
        assert type(app.screen).__name__ == "DashboardScreen"


@pilot_test
async def test_x_on_marked_rows_closes_them_all_as_error_without_a_reason(ctx):  # R8.13
    """Marked rows take the marked-row actions (tui.marked_actions.BULK); the reason is optional."""
    bulk_deals(ctx.store, 300)
    app = make_app(ctx)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        table = table_of(app)
        marked = table.loaded_rows()[:2]
        for index in range(2):
            table.cursor_row = index
            await pilot.press("space")
        await settle(pilot)
        await pilot.press("x")
        await wait_screen(pilot, "ReasonDialog")
        assert app.screen.subjects == [r.name for r in marked]
        await pilot.press("ctrl+s")  # no reason chosen
        await wait_screen(pilot, "ConfirmDialog")
        await pilot.press("y")
        await wait_screen(pilot, "DashboardScreen")
        await settle(pilot)
        for row in marked:
            deal = svc.get_deal(ctx, row.id)
            assert deal.substatus is Substatus.ERROR and deal.status_reason is None
        assert not table.marked
