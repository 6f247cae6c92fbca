"""Issue 13: the key footer is one line at 80x24 and 160x48, so the grid keeps its rows; the keys it
has no room for are left out least important first, and every one of them is in `?` (help), which
is never left out; `ctrl+p` is listed there too, once."""
from __future__ import annotations

import pytest

from dashboard_support import (  # noqa: F401  (config_dir: autouse fixture)
    bulk_deals, config_dir, make_app, pilot_test, screen_text, settle, table_of,
)
from detail_support import make_app as make_detail_app, open_detail, put_outbound, wait_until
from tui.screens.help import keys_of
from tui.widgets.key_footer import KeyFooter


def footer_of(app) -> KeyFooter:
    return app.screen.query_one(KeyFooter)


async def deal_keys_listed(pilot, app) -> None:
    """Until the footer lists the cursor deal's keys (asked off the UI thread)."""
    await wait_until(pilot, lambda: "Act" in screen_text(app).splitlines()[-1], what="deal keys in the footer")
    await pilot.pause(0.1)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
@pilot_test
async def test_the_dashboard_footer_is_one_line_and_the_grid_keeps_its_rows(ctx, size):
    bulk_deals(ctx.store, 200)
    app = make_app(ctx)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await deal_keys_listed(pilot, app)
        footer = footer_of(app)
        assert footer.region.height == 1 and footer.region.y == size[1] - 1
        last = screen_text(app).splitlines()[-1]
        assert "? Help" in last and len(last) <= size[0]
        assert "Act" in last and "f ♥" in last  # the deal keys stay
        # Tabs (2), summary, filter bar, the grid's header, the footer: every other line shows deals
        # (at 80 columns the grid scrolls sideways, and its scrollbar takes one more).
        scrollbar = 1 if size[0] == 80 else 0
        assert table_of(app)._visible_rows() == size[1] - 6 - scrollbar
        listed = {ab.binding.id for ab in app.screen.active_bindings.values() if ab.binding.show}
        helped = {k.binding_id for k in keys_of(app.screen)}
        assert set(footer.left_out) <= listed <= helped  # what the footer has no room for, `?` lists
        if size[0] == 160:
            assert footer.left_out == [] and last.count("^p Palette") == 1
        else:
            assert footer.left_out[0] == "app.palette" and "^p" not in last


@pilot_test
async def test_the_footer_follows_the_width(ctx):
    bulk_deals(ctx.store, 100)
    app = make_app(ctx)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await deal_keys_listed(pilot, app)
        assert "c Columns" in screen_text(app).splitlines()[-1]
        await pilot.resize_terminal(80, 24)
        await wait_until(pilot, lambda: "c Columns" not in screen_text(app).splitlines()[-1], what="narrow footer")
        last = screen_text(app).splitlines()[-1]
        assert "? Help" in last and len(last.rstrip()) <= 80 and footer_of(app).region.height == 1


@pilot_test
async def test_ctrl_p_is_in_the_help_of_the_dashboard_and_the_detail(ctx):
    bulk_deals(ctx.store, 20)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        keys = {k.binding_id: k.keys for k in keys_of(app.screen)}
        assert keys["app.palette"] == "^p" and keys["app.help"] == "?"
    deal = put_outbound(ctx)
    app = make_detail_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, deal.id)
        keys = [k for k in keys_of(screen) if k.binding_id == "app.palette"]
        assert [k.keys for k in keys] == ["^p"]
        last = screen_text(app).splitlines()[-1]
        assert footer_of(app).region.height == 1 and "? Help" in last and last.count("Palette") <= 1
