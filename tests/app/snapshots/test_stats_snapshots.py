"""SVG snapshots of the R13 stats screen (`S` on the dashboard) on the fixed demo workspace:
answer time and accept rate this week and month, and the deals that need reporting."""
from __future__ import annotations

import pytest

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


@pytest.mark.parametrize("size", SIZES)
def test_stats_screen(snap_compare, demo_ctx, make_snapshot_app, settle_app, size):
    async def run_before(pilot):
        await settle_app(pilot)
        await pilot.press("percent_sign")
        for _ in range(200):
            screen = pilot.app.screen
            if type(screen).__name__ == "StatsScreen" and screen.stats is not None:
                break
            await pilot.pause(0.02)
        await settle_app(pilot)

    assert snap_compare(make_snapshot_app(demo_ctx), terminal_size=size, run_before=run_before)
