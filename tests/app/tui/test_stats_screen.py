"""R13 in the dashboard: `S` opens the numbers (answer time R13.1, accept rate R13.2, what needs
reporting R13.3) and `R` narrows the grid to the deals that need reporting."""
from __future__ import annotations

from datetime import date, timedelta

from dashboard_support import (  # noqa: F401  (config_dir: autouse fixture)
    NOW, config_dir, make_app, pilot_test, screen_text, settle, table_of,
)
from detail_support import put_inbound, wait_for_screen, wait_until
from model import services as svc
from tui.screens.deal_detail import DealDetailScreen
from tui.screens.stats import StatsScreen


def seed(ctx):
    late = put_inbound(ctx, name="Late to report", close_date=date(2026, 11, 19))
    svc.accept(ctx, late.id)  # answered at once; open past its close date (R13.3)
    waiting = put_inbound(ctx, name="Still waiting")
    return late, waiting


@pilot_test
async def test_stats_screen_shows_the_figures_and_opens_a_deal_to_report(ctx):  # R13.1, R13.2, R13.3
    late, _waiting = seed(ctx)
    app = make_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("percent_sign")
        screen = await wait_for_screen(pilot, StatsScreen)
        await wait_until(pilot, lambda: screen.stats is not None, what="stats loaded")
        text = screen_text(app)
        week = next(line for line in text.splitlines() if line.strip().startswith("this week"))
        assert week.split() == ["this", "week", "1", "0", "min", "100", "%", "1/0", "0"]
        assert "1 inbound deal waits for an answer" in text
        assert "1 deal needs reporting" in text and "Late to report" in text
        await pilot.press("enter")
        detail = await wait_for_screen(pilot, DealDetailScreen)
        assert detail.deal_id == late.id


@pilot_test
async def test_needs_reporting_quick_filter_on_the_grid(ctx):  # R13.3
    late, _waiting = seed(ctx)
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = table_of(app)
        assert table.total == 2
        await pilot.press("R")
        await wait_until(pilot, lambda: table.query_spec.ids is not None, what="filter applied")
        await settle(pilot)
        assert [r.id for r in table.loaded_rows()] == [late.id]
        assert "needs reporting (R13.3)" in screen_text(app)
        await pilot.press("escape")  # clears every filter, this one too
        await settle(pilot)
        assert table.query_spec.ids is None and table.total == 2
