"""Issue 13: `g` offers only the stages of the deals in view (``stages_in_view``), in stage-track
order, then no stage filter again; received deals have no stage yet (R8.5) and add none."""
from __future__ import annotations

from dashboard_support import (  # noqa: F401  (config_dir: autouse fixture)
    config_dir, make_app, pilot_test, screen_text, settle, table_of,
)
from detail_support import notes_of, put_inbound, put_outbound
from model import services as svc
from model.domain.stages import Stage
from tui.screens.dashboard_filters import next_stage_filter


def test_next_stage_filter_walks_the_stages_in_view_then_none():
    in_view = [Stage.ACCEPTED, Stage.PROPOSED]
    assert next_stage_filter(None, in_view) is Stage.ACCEPTED
    assert next_stage_filter(Stage.ACCEPTED, in_view) is Stage.PROPOSED
    assert next_stage_filter(Stage.PROPOSED, in_view) is None
    assert next_stage_filter(Stage.QUALIFIED, in_view) is Stage.PROPOSED  # a stage no longer in view: the next one
    assert next_stage_filter(None, []) is None


@pilot_test
async def test_g_cycles_through_the_stages_in_view_only(ctx):  # R8.5, R8.7
    accepted = put_inbound(ctx, name="Accepted one")
    svc.accept(ctx, accepted.id)
    proposed = put_inbound(ctx, name="Proposed one")
    svc.accept(ctx, proposed.id)
    for stage in (Stage.QUALIFIED, Stage.DEVELOPED, Stage.PROPOSED):
        svc.mark_stage(ctx, proposed.id, stage)
    put_inbound(ctx, name="Still received")
    put_outbound(ctx, name="Outbound, another tab")  # Created: not in view on Inbound
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = table_of(app)
        seen = []
        for _ in range(3):
            await pilot.press("g")
            await settle(pilot)
            seen.append(table.query_spec.stage)
            if table.query_spec.stage is not None:
                assert {r.stage for r in table.loaded_rows()} == {table.query_spec.stage}
        assert seen == [Stage.ACCEPTED, Stage.PROPOSED, None]
        assert "stage: Proposed" not in screen_text(app) and table.total == 3
        await pilot.press("g", "g")  # two quick presses are two steps, even while the stages are asked
        await settle(pilot)
        assert table.query_spec.stage is Stage.PROPOSED and [r.id for r in table.loaded_rows()] == [proposed.id]
        assert "stage: Proposed" in screen_text(app)


@pilot_test
async def test_g_with_no_stage_in_view_says_so(ctx):  # R8.5
    put_inbound(ctx)
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        assert table_of(app).query_spec.stage is None
        assert any("No deal in view has reached a stage" in n for n in notes_of(app))
