"""SVG snapshots of the deals dashboard: each tab at 80x24 and 160x48, plus the column
chooser, the filter and the help screen, on the fixed demo workspace at the fixed clock."""
from __future__ import annotations

import pytest

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]
TABS = [pytest.param("1", id="inbound"), pytest.param("2", id="outbound"),
        pytest.param("3", id="favorites"), pytest.param("4", id="closed")]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("key", TABS)
def test_dashboard_tab(snap_compare, demo_ctx, make_snapshot_app, settle_app, key, size):
    async def run_before(pilot):
        await settle_app(pilot)
        await pilot.press(key, "j", "j")  # the cursor off the first row shows both row styles
        await settle_app(pilot)

    assert snap_compare(make_snapshot_app(demo_ctx), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_dashboard_filtered_and_marked(snap_compare, demo_ctx, make_snapshot_app, settle_app, size):
    async def run_before(pilot):
        await settle_app(pilot)
        await pilot.press("e", "slash", *"co")
        await settle_app(pilot)
        await pilot.press("enter", "space", "space", "slash")  # two marked rows, the filter box focused
        await settle_app(pilot)

    assert snap_compare(make_snapshot_app(demo_ctx), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_column_chooser(snap_compare, demo_ctx, make_snapshot_app, settle_app, size):
    async def run_before(pilot):
        await settle_app(pilot)
        await pilot.press("c", "down", "down")
        await settle_app(pilot)

    assert snap_compare(make_snapshot_app(demo_ctx), terminal_size=size, run_before=run_before)


def test_help(snap_compare, demo_ctx, make_snapshot_app, settle_app):
    async def run_before(pilot):
        await settle_app(pilot)
        await pilot.press("question_mark")
        await settle_app(pilot)

    assert snap_compare(make_snapshot_app(demo_ctx), terminal_size=(160, 48), run_before=run_before)
