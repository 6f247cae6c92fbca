"""Issue 10 (B1): launched, the dashboard's background work waits for the first page of deals.

``tui.launch`` gives the app ``started``: the sweep, the expiry watch, the sync summary and the
change poll then begin once the first page is on screen (nothing competes with the first frame
for the interpreter lock), and still do their job (R8.2 on time). The collector is tuned for
start-up and back to its default once the page is shown.
"""
from __future__ import annotations

import gc
from datetime import timedelta

from factories import NOW, make_inbound
from model import services as svc
from model.domain.enums import Substatus
from tui import launch
from tui.app import CosellApp

from dashboard_support import config_dir, pilot_test, table_of, workers_done  # noqa: F401  (config_dir: autouse)


async def _until(pilot, condition, tries: int = 200) -> None:
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("never happened")


@pilot_test
async def test_launched_the_background_work_starts_after_the_first_page_and_still_sweeps(ctx):  # R8.2
    overdue = svc.receive_inbound(ctx, make_inbound(name="Overdue AB"), received_at=NOW - timedelta(days=15))
    svc.receive_inbound(ctx, make_inbound(name="Fresh AB"))
    seen_at_start: list[int] = []
    app = CosellApp(ctx, poll_interval=None, tick_interval=3600, sweep=True,
                    started=lambda: seen_at_start.append(table_of(app).total))
    async with app.run_test(size=(120, 36)) as pilot:
        await _until(pilot, lambda: seen_at_start)
        assert seen_at_start == [2]  # the first page (both deals) was loaded before anything else began
        await workers_done(app)
        await pilot.pause()
        assert svc.get_deal(ctx, overdue.id).substatus is Substatus.EXPIRED
        assert any("expired unanswered" in str(n.message) for n in app._notifications)
        app.refresh_deals()  # later loads start nothing twice
        await workers_done(app)
        await pilot.pause()
        assert seen_at_start == [2]


@pilot_test
async def test_without_started_the_background_work_begins_at_mount(ctx):
    app = CosellApp(ctx, poll_interval=None, tick_interval=3600, sweep=False)
    async with app.run_test(size=(120, 36)):
        assert app._background_started


def test_start_up_collects_rarely_then_freezes_what_it_made_and_returns_to_the_default():
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    quiet = launch._QuietStart()
    try:
        assert gc.get_threshold()[0] == launch.STARTUP_GC_THRESHOLD
        quiet.started()
        assert gc.get_threshold() == before and gc.get_freeze_count() > frozen
        quiet.started()  # once only
        quiet.close()
        assert gc.get_threshold() == before
    finally:
        gc.unfreeze()  # this test process goes on: give what was frozen back to the collector
        gc.set_threshold(*before)
