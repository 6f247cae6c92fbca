"""Issue 10 (B2, B3): after a quiet spell, the dashboard's frames keep Textual's 60 fps beat
instead of skipping one: the frame a key's rows come in (the one after the key's echo) waits at
most one beat (~17 ms), not up to two (~33 ms, Textual's ``Timer`` catch-up)."""
from __future__ import annotations

from textual.screen import UPDATE_PERIOD

from dashboard_support import (  # noqa: F401  (config_dir: autouse fixture)
    bulk_deals, config_dir, make_app, pilot_test, settle,
)
from tui.widgets.frame_pacing import FrameTimer, next_beat


def test_the_next_beat_is_the_first_one_at_or_after_now():
    assert next_beat(0.0, 0.001, 0.01) == 1
    assert next_beat(0.0, 0.0105, 0.01) == 2  # a pause ended just past beat 1: beat 2, not beat 3
    assert next_beat(0.0, 0.02, 0.01) == 2
    assert next_beat(0.0, 7.2345, 0.01) == 724
    assert 0 <= next_beat(0.0, 7.2345, 0.01) * 0.01 - 7.2345 < 0.01  # never more than one beat away


@pilot_test
async def test_the_dashboard_paints_on_a_frame_timer(ctx):
    bulk_deals(ctx.store, 30)
    app = make_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        timer = app.screen._update_timer
        assert isinstance(timer, FrameTimer) and timer is app.screen._update_timer
        assert timer._interval == UPDATE_PERIOD
        await pilot.press("end")  # frames still come: the grid paints its last rows
        await settle(pilot)
        assert app.screen.table.cursor_row == app.screen.table.total - 1
        assert "▸" in "".join(seg.text for strip in app.screen._compositor.render_strips() for seg in strip)
