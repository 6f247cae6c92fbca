"""The dashboard at 80 and 120 columns (a user review): the header says its important part whole,
the grid's titles and stage names are never cut and its columns do not move with the number of
matching rows, and the help's binding ids are readable (their description wraps instead)."""
from __future__ import annotations

from model import services as svc
from model.domain.enums import Tab
from model.domain.listing import DealQuery, TabSummary
from tui.widgets.deal_columns import COLUMNS
from tui.widgets.pipeline_summary import SummaryView, summary_text

from dashboard_support import (  # noqa: F401  (config_dir: autouse fixture)
    bulk_deals, config_dir, make_app, pilot_test, screen_text, settle, table_of,
)

TAB_KEYS = {"1": Tab.INBOUND, "2": Tab.OUTBOUND, "3": Tab.FAVORITES, "4": Tab.CLOSED}


def summary_line(app) -> str:
    return screen_text(app).splitlines()[2]  # under the tab bar (two lines)


def grid_header(app) -> str:
    lines = screen_text(app).splitlines()
    return lines[next(i for i, line in enumerate(lines) if line.startswith("▸")) - 1]


def on_screen(table) -> list:
    """The grid's columns that start on screen (scrolled to the left edge)."""
    view = table.scrollable_content_region.width - table.mark_cells
    return [(c, x, w) for c, x, w in table._columns_layout() if x < view], view


# -- 1. the header at 80 columns ----------------------------------------------------------------
def test_the_expiry_warning_is_whole_at_80_columns_with_100k_deals():
    """R8.2: the warning to answer soon comes before the totals, which the line drops first."""
    summary = TabSummary(count=100_000, total_usd=123.4e6, weighted_usd=45.6e6, expiring_48h=1541)
    view = SummaryView(tab=Tab.INBOUND, summary=summary, expiring_48h=1541, matching=99_999, marked=1_000)
    full = summary_text(view).plain
    assert "total" in full and "pipeline" in full and full.endswith("⚠ 1,541 expire in 48 h · 1,000 marked")
    for width in (78, 64, 56):
        line = summary_text(view, width).plain
        assert len(line) <= width and "…" not in line, line
        assert "⚠ 1,541 expire in 48 h" in line and "99,999 matches" in line and "1,000 marked" in line
    assert "pipeline" not in summary_text(view, 78).plain  # the least needed part goes first
    assert summary_text(view, 200).plain == full


@pilot_test
async def test_the_header_says_the_whole_expiry_phrase_at_80_columns(ctx):
    bulk_deals(ctx.store, 3000)
    expiring = svc.tab_summary(ctx, DealQuery(tab=Tab.INBOUND)).expiring_48h
    assert expiring >= 10
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"deal", "enter", "space", "space")  # a match count and marks too
        await settle(pilot)
        line = summary_line(app)
        assert f"⚠ {expiring:,} expire in 48 h" in line and "matches" in line and "2 marked" in line, line
        assert "…" not in line and len(line) <= 80


# -- 2. the grid's titles and stage names --------------------------------------------------------
@pilot_test
async def test_no_column_title_is_cut_at_80_columns(ctx):
    bulk_deals(ctx.store, 300)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        for key, tab in TAB_KEYS.items():
            await pilot.press(key)
            await settle(pilot)
            table = table_of(app)
            shown, view = on_screen(table)
            header = grid_header(app)
            assert [c.key for c, _x, _w in shown] == app.settings.columns_for(tab)[:len(shown)]
            assert {"name", "value"} <= {c.key for c, _x, _w in shown}  # the triage columns stay on screen
            for col, x, w in shown:
                assert x + w <= view, f"{tab.value}: {col.key} runs past the screen's edge"
                assert col.title in header, f"{tab.value}: {col.title!r} cut in {header!r}"
            assert "Expires i" not in header or "Expires in" in header
        await pilot.press("1")
        await settle(pilot)
        titles = {c.key: c.title for c, _x, _w in on_screen(table_of(app))[0]}
        assert titles.get("expires") == "Expires"  # a short title at 80 columns, the countdown beside it


@pilot_test
async def test_stage_names_are_whole_at_120_columns(ctx):
    bulk_deals(ctx.store, 400)
    app = make_app(ctx)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("2")  # outbound: deals at every open stage
        await settle(pilot)
        table = table_of(app)
        col, x, w = next(c for c in table._columns_layout() if c[0].key == "stage")
        assert w >= len("Negotiated 80%") and w >= COLUMNS["stage"].domain
        text = screen_text(app)
        assert "Negotiated 80%" in text and "Qualified 20%" in text
        start = table.mark_cells + x
        cells = [line[start:start + w] for line in text.splitlines()[5:-1]]
        assert cells and not [c for c in cells if "…" in c]


@pilot_test
async def test_column_widths_are_the_same_with_one_matching_row_and_many(ctx):
    bulk_deals(ctx.store, 300)
    for size in ((120, 36), (80, 24)):
        app = make_app(ctx)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            table = table_of(app)
            many = [(c.key, x, w) for c, x, w in table._columns_layout()]
            assert table.total > 20
            await pilot.press("slash", *"crm-000077")
            await settle(pilot)
            assert table.total == 1
            assert [(c.key, x, w) for c, x, w in table._columns_layout()] == many, size


# -- 3. help ------------------------------------------------------------------------------------
@pilot_test
async def test_help_shows_every_binding_id_whole_at_120_and_80_columns(ctx):
    from textual.widgets import DataTable

    bulk_deals(ctx.store, 20)
    for size in ((120, 36), (80, 24)):
        app = make_app(ctx)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await pilot.press("question_mark")
            await settle(pilot)
            help_screen = app.screen
            assert type(help_screen).__name__ == "HelpScreen"
            table = help_screen.query_one(DataTable)
            ids = [k.binding_id for k in help_screen.keys]
            widest = max(len(i) for i in ids)
            key_col, does_col, id_col = table.ordered_columns
            assert id_col.width >= widest and does_col.width >= 16, size
            assert table.virtual_size.width <= table.size.width, size  # nothing scrolls off to the right
            text = screen_text(app)
            assert "Binding id" in text and "nav.up" in text and "nav.page_down" in text, size
            for k in help_screen.keys[:5]:  # the rows on screen: each id whole
                assert k.binding_id in text
            await pilot.press(*["j"] * len(ids))  # to the last key: the table scrolls down, ids stay whole
            await settle(pilot)
            last = [i for i in ids if i][-1]
            assert last in screen_text(app), size


@pilot_test
async def test_scrolling_sideways_never_shows_part_of_an_amount(ctx):
    """Past the frozen deal name, the grid scrolls to a column's start: "295,000 NOK" of 3,295,000 NOK
    would read as another amount."""
    from tui.settings import ALL_COLUMNS, Settings

    bulk_deals(ctx.store, 60)
    app = make_app(ctx, settings=Settings(columns={"inbound": list(ALL_COLUMNS)}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = table_of(app)
        frozen = table.frozen_cells
        starts = {x - frozen for _c, x, _w in table._columns_layout() if x >= frozen}
        for _ in range(len(ALL_COLUMNS)):
            await pilot.press("right")
            await settle(pilot)
            scrolled = round(table.scroll_x)
            assert scrolled in starts or scrolled == round(table.max_scroll_x), scrolled
        assert table.scroll_x > 0
