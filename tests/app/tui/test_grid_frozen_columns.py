"""Issue 13 in the grid: at 80x24 the deal name stays on screen however far the columns scroll
sideways (a frozen column), and columns are as wide as what they can hold, not as what the rows
on screen hold."""
from __future__ import annotations

from sqlalchemy import update

from dashboard_support import (  # noqa: F401  (config_dir: autouse fixture)
    bulk_deals, config_dir, make_app, pilot_test, screen_text, settle, table_of, visible_names,
)
from model.store.tables import DealRecord
from tui.settings import ALL_COLUMNS, Settings
from tui.widgets.deal_columns import COLUMNS


def grid_lines(app) -> list[str]:
    """The grid's lines as shown: the header and the rows."""
    lines = screen_text(app).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("▸"))  # the cursor's row
    return lines[start - 1:]


@pilot_test
async def test_the_deal_name_stays_while_the_columns_scroll_sideways(ctx):
    bulk_deals(ctx.store, 80)
    app = make_app(ctx, settings=Settings(columns={"inbound": list(ALL_COLUMNS)}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = table_of(app)
        assert table.virtual_size.width > table.size.width  # every column: the grid scrolls sideways
        name = visible_names(app)[0]
        await pilot.press("end", "home")
        for _ in range(len(table.columns)):
            await pilot.press("right")
        await settle(pilot)
        assert table.columns[table.cursor_column] == ALL_COLUMNS[-1] and table.scroll_x > 0
        lines = grid_lines(app)
        assert "Deal" in lines[0][:table.frozen_cells + table.mark_cells]
        assert "Updated" in lines[0] and "Customer" not in lines[0]  # scrolled: the middle columns left
        assert name[:10] in lines[1]  # ... but the deal name did not
        assert lines[1].index(name[:10]) < table.frozen_cells + table.mark_cells
        await pilot.press(*["left"] * len(table.columns))
        await settle(pilot)
        assert table.scroll_x == 0 and "Customer" in grid_lines(app)[0]


@pilot_test
async def test_a_click_on_a_scrolled_header_sorts_the_column_under_it(ctx):
    bulk_deals(ctx.store, 40)
    app = make_app(ctx, settings=Settings(columns={"inbound": list(ALL_COLUMNS)}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = table_of(app)
        await pilot.press(*["right"] * len(table.columns))
        await settle(pilot)
        lay = table._columns_layout()
        col, x, _w = lay[-1]
        screen_x = table.mark_cells + x - round(table.scroll_x)
        assert table.content_x(screen_x) == x  # right of the frozen name: shifted by the scroll
        name_col, name_x, _ = next(c for c in lay if c[0].key == "name")
        assert table.content_x(table.mark_cells + name_x) == name_x  # the frozen name: not shifted


@pilot_test
async def test_columns_are_sized_by_their_domain_not_by_the_rows_on_screen(ctx):
    ids = bulk_deals(ctx.store, 60)
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = table_of(app)
        before = {c.key: w for c, _x, w in table._columns_layout()}
    with ctx.store.write() as session:  # long names, short senders
        session.execute(update(DealRecord).where(DealRecord.id.in_(ids)).values(
            name=DealRecord.name + " for the Northwind data platform modernisation programme", sender_name="Al"))
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = table_of(app)
        widths = {c.key: w for c, _x, w in table._columns_layout()}
        assert widths == before  # what the rows hold does not move the columns
        assert widths["name"] > widths["customer"] >= len("Customer") and widths["sender"] >= COLUMNS["sender"].width
        assert widths["close_date"] == len("2027-01-01")
        # the table uses the width it has
        last_col, x, w = table._columns_layout()[-1]
        assert x + w <= table.size.width - table.mark_cells
