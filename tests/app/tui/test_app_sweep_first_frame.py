"""B11, R8.2: the dashboard's first rows never wait for the app's own sweep; it starts once the
reads that paint them are done, and then expires what is overdue."""
from __future__ import annotations

import threading
from datetime import timedelta

import tui.widgets.deal_table as deal_table
from factories import NOW, make_inbound
from model import services as svc
from model.domain.enums import Substatus
from tui.app import CosellApp
from tui.expiry_watch import PAGE_GROUPS

from dashboard_support import config_dir, pilot_test, workers_done  # noqa: F401  (config_dir: autouse fixture)


@pilot_test
async def test_the_sweep_waits_for_the_first_page_of_deals(ctx, monkeypatch):  # R8.2, B11
    overdue = [svc.receive_inbound(ctx, make_inbound(name=f"Old {i}"), received_at=NOW - timedelta(days=15))
               for i in range(3)]
    release = threading.Event()
    real_view, real_sweep = deal_table.deal_view, svc.sweep

    def slow_view(*args, **kwargs):  # the first page is held back until the test lets it go
        release.wait(timeout=10)
        return real_view(*args, **kwargs)

    in_flight_at_sweep: list[list[str]] = []

    def watched_sweep(c):
        in_flight_at_sweep.append([w.group for w in list(app.workers)
                                   if w.group in PAGE_GROUPS and not w.is_finished])
        return real_sweep(c)

    monkeypatch.setattr(deal_table, "deal_view", slow_view)
    monkeypatch.setattr(svc, "sweep", watched_sweep)
    app = CosellApp(ctx, poll_interval=None, tick_interval=3600, sweep=True)
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(200):  # until the sweep's worker runs (it then waits for the page, not for us)
            await pilot.pause()
            if any(w.group == "sweep" for w in list(app.workers)):
                break
        for _ in range(5):
            await pilot.pause()
        assert in_flight_at_sweep == []  # the page is still held back: the sweep has not begun
        release.set()
        await workers_done(app)
        await pilot.pause()
        assert in_flight_at_sweep == [[]]  # it began once the page was read, and only then
        assert all(svc.get_deal(ctx, d.id).substatus is Substatus.EXPIRED for d in overdue)
