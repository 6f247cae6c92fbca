"""Sorting on any column (`s`, header click) and the column chooser (`c`, R11.3) that survives restarts."""
from __future__ import annotations

from model import services as svc
from model.domain.enums import Substatus, Tab
from model.domain.listing import DealQuery

from dashboard_support import (  # noqa: F401  (config_dir: autouse fixture)
    bulk_deals, config_dir, make_app, pilot_test, screen_text, settle, table_of,
)
from tui.settings import DEFAULT_COLUMNS, config_path, load_settings


def header_line(app) -> str:
    lines = screen_text(app).splitlines()
    return next(line for line in lines if "Deal" in line and "Customer" in line)


@pilot_test
async def test_inbound_defaults_to_time_left(ctx):
    """Received inbound deals come soonest-expiring first (R8.2, R13.1)."""
    bulk_deals(ctx.store, 300)
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = table_of(app)
        assert table.effective_sort == ("expires", False)
        assert "Expires in ▲" in header_line(app)
        rows = table.loaded_rows()
        waiting = [r.substatus is Substatus.RECEIVED for r in rows]
        assert any(waiting) and not all(waiting)
        # Every deal still waiting for an answer comes before every answered one (whose old
        # expiry date means nothing any more), soonest first.
        assert waiting == sorted(waiting, reverse=True)
        expiries = [r.expires_at for r in rows if r.substatus is Substatus.RECEIVED]
        assert expiries == sorted(expiries)


@pilot_test
async def test_s_cycles_the_sort_of_the_focused_column(ctx):
    bulk_deals(ctx.store, 300)
    app = make_app(ctx)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        table = table_of(app)
        await pilot.press("home")
        table.cursor_column = 0
        await pilot.press("right", "right", "right", "right")  # ♥ Deal Customer Stage Value
        assert table.columns[table.cursor_column] == "value"
        await pilot.press("s")
        await settle(pilot)
        values = [r.value_usd for r in table.loaded_rows()]
        assert table.query_spec.sort == "value" and not table.query_spec.descending
        assert values == sorted(values) and "Value ▲" in header_line(app)
        await pilot.press("s")
        await settle(pilot)
        values = [r.value_usd for r in table.loaded_rows()]
        assert table.query_spec.descending and values == sorted(values, reverse=True)
        assert "Value ▼" in header_line(app)
        top = svc.list_deals(ctx, DealQuery(tab=Tab.INBOUND, sort="value", descending=True, limit=1))[0]
        assert table.row_at(0).id == top.id
        await pilot.press("s")  # third press: back to the tab's default
        await settle(pilot)
        assert table.query_spec.sort is None and table.effective_sort == ("expires", False)
        # The choice is per tab: Outbound keeps its own sort.
        await pilot.press("s", "2")
        await settle(pilot)
        assert table.query_spec.sort is None
        await pilot.press("1")
        await settle(pilot)
        assert table.query_spec.sort == "value"


@pilot_test
async def test_clicking_a_header_sorts_by_it(ctx):
    bulk_deals(ctx.store, 200)
    app = make_app(ctx)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        table = table_of(app)
        header = header_line(app)
        x = header.index("Customer")
        await pilot.click(table, offset=(x + 1, 0))
        await settle(pilot)
        assert table.query_spec.sort == "customer"
        names = [r.customer_name for r in table.loaded_rows()]
        assert names == sorted(names)


@pilot_test
async def test_column_chooser_persists_per_tab_across_restarts(ctx, config_dir):
    """R11.3: partner role and program can be shown; the choice survives a restart."""
    bulk_deals(ctx.store, 100)
    app = make_app(ctx)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        assert "Partner role" not in header_line(app)
        await pilot.press("c")
        await pilot.pause()
        chooser = app.screen
        assert type(chooser).__name__ == "ColumnChooser"
        options = chooser.query_one("#column-list")
        # Tick partner role and program, untick the sender.
        for key in ("partner_role", "partner_program", "sender"):
            options.highlighted = options.get_option_index(f"col-{key}")
            await pilot.press("space")
        await pilot.press("enter")
        await settle(pilot)
        header = header_line(app)
        assert "Partner role" in header and "Program" in header and "Sender" not in header
        assert table_of(app).columns[-2:] == ["partner_role", "partner_program"]
    assert config_path().exists()
    saved, problem = load_settings()
    assert problem is None and "partner_role" in saved.columns["inbound"]
    assert "outbound" not in saved.columns  # other tabs keep their defaults

    restarted = make_app(ctx)
    async with restarted.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        header = header_line(restarted)
        assert "Partner role" in header and "Program" in header and "Sender" not in header
        await pilot.press("2")
        await settle(pilot)
        assert table_of(restarted).columns == DEFAULT_COLUMNS["outbound"]


@pilot_test
async def test_column_chooser_escape_changes_nothing(ctx, config_dir):
    bulk_deals(ctx.store, 20)
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        before = list(table_of(app).columns)
        await pilot.press("c", "space", "escape")
        await settle(pilot)
        assert table_of(app).columns == before
    assert not config_path().exists()


@pilot_test
async def test_column_chooser_state_in_characters_without_colour(ctx, monkeypatch):
    """Issue 13: under NO_COLOR a shown column reads "[x]" and a hidden one "[ ]", not a grey level."""
    monkeypatch.setenv("NO_COLOR", "1")
    bulk_deals(ctx.store, 5)
    app = make_app(ctx)
    assert app.no_color
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await pilot.pause()
        text = screen_text(app)
        assert "[x] Customer" in text  # shown by default
        assert "[ ] Partner role" in text  # hidden by default (R11.3)
