"""The grid under load and over time: paging through thousands of deals, live refresh from
other writers (issue 5), countdowns that tick, and data rendered literally."""
from __future__ import annotations

import time
from datetime import timedelta

from model import services as svc
from model.domain.enums import Tab
from model.domain.listing import DealQuery
from tui.widgets.deal_pages import MAX_PAGES, PAGE

from factories import make_inbound
from dashboard_support import (  # noqa: F401  (config_dir: autouse fixture)
    NOW, bulk_deals, config_dir, make_app, pilot_test, screen_text, settle, table_of, visible_names,
)


@pilot_test
async def test_paging_through_thousands_of_deals_fetches_only_what_is_shown(ctx):
    bulk_deals(ctx.store, 6000)
    total = svc.count_deals(ctx, DealQuery(tab=Tab.INBOUND))
    assert total > 2500
    app = make_app(ctx)
    async with app.run_test(size=(120, 36)) as pilot:
        started = time.perf_counter()
        await settle(pilot)
        first_page = time.perf_counter() - started
        table = table_of(app)
        assert table.total == total and table.virtual_size.height == total + 1
        assert len(table.loaded_rows()) <= 2 * PAGE  # not every row
        await pilot.press("pagedown", "pagedown", "pagedown")
        await settle(pilot)
        assert table.cursor_row == 3 * table._visible_rows()
        assert visible_names(app) and len(visible_names(app)) == table._visible_rows()
        await pilot.press("end")
        await settle(pilot)
        last = svc.list_deals(ctx, DealQuery(tab=Tab.INBOUND, offset=total - 1, limit=1))[0]
        assert table.cursor_deal.id == last.id
        assert last.name[:14] in screen_text(app)
        # Jumping around keeps memory bounded.
        for _ in range(30):
            table.scroll_to(y=(table.scroll_y + 3 * PAGE) % total, animate=False)
            await settle(pilot)
        assert len(table.cache.pages) <= MAX_PAGES
        await pilot.press("home")
        await settle(pilot)
        assert visible_names(app)[0] == table.row_at(0).name
    assert first_page < 5  # generous: the point is "not all rows", measured in benchmarks


@pilot_test
async def test_another_writer_changes_show_up_without_moving_the_cursor(ctx):
    """Live refresh: a change made elsewhere (here: through the services) reaches the grid within 2 s."""
    ids = bulk_deals(ctx.store, 300)
    app = make_app(ctx, poll_interval=0.2)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = table_of(app)
        await pilot.press("slash", *"deal")
        await settle(pilot)
        await pilot.press("enter", "j", "j", "j")
        await settle(pilot)
        under_cursor = table.cursor_deal
        target = table.row_at(5)
        svc.set_favorite(ctx, target.id, True)
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            await pilot.pause(0.05)
            if table.row_at(5) is not None and table.row_at(5).favorite:
                break
        assert table.row_at(5).id == target.id and table.row_at(5).favorite
        assert table.cursor_deal.id == under_cursor.id  # cursor stayed on the same deal
        assert table.query_spec.text == "deal"          # filter kept
        # A new inbound deal arriving elsewhere bumps the counts too.
        before = table.total
        svc.receive_inbound(ctx, make_inbound(name="Deal arriving live"))
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline and table.total == before:
            await pilot.pause(0.05)
        assert table.total == before + 1
        assert table.cursor_deal.id == under_cursor.id
    assert ids


@pilot_test
async def test_countdowns_tick_without_a_restart(ctx):
    """R8.2: the countdown and its colour band move with the clock (the app's 30 s tick)."""
    deal = svc.receive_inbound(ctx, make_inbound(name="Ticking deal"), received_at=NOW - timedelta(days=13))
    app = make_app(ctx, tick_interval=0.05)
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot)
        line = next(l for l in screen_text(app).splitlines() if "Ticking deal" in l)
        assert "1d 0h" in line
        table = table_of(app)
        style = table.get_component_rich_style("deal-table--expiry-72h", partial=True)
        ctx.clock.advance(hours=1, minutes=30)
        await pilot.pause(0.2)
        await settle(pilot)
        line = next(l for l in screen_text(app).splitlines() if "Ticking deal" in l)
        assert "22h 30m" in line
        ctx.clock.advance(hours=23)
        await pilot.pause(0.2)
        line = next(l for l in screen_text(app).splitlines() if "Ticking deal" in l)
        assert "overdue" in line
        assert style != table.get_component_rich_style("deal-table--expiry-overdue", partial=True)
    assert deal.expires_at == NOW + timedelta(days=1)


@pilot_test
async def test_data_is_rendered_literally(ctx):
    """A deal named with markup or escape sequences shows those characters and changes no style."""
    svc.receive_inbound(ctx, make_inbound(name="[bold red]x[/] \x1b[31mred\x1b[0m deal",
                                          customer=make_inbound().customer.model_copy(update={"name": "[link=x]Acme[/link]"}),
                                          sender_name="[blink]Eve[/]"))
    app = make_app(ctx)
    async with app.run_test(size=(160, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "[bold red]x[/] red deal" in text
        assert "[link=x]Acme[/link]" in text or "[link=x]Acme[/li…" in text
        assert "[blink]Eve[/]" in text
        assert "\x1b" not in text
        # No style leaked from the name: every cell of the name has the row's plain style.
        table = table_of(app)
        strip = table.render_line(1)
        name_segments = [seg for seg in strip if "[bold red]" in seg.text or "red deal" in seg.text]
        assert name_segments and all(not (seg.style and seg.style.bold and seg.style.color
                                          and seg.style.color.name == "red") for seg in name_segments)
