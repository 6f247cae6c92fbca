"""R8.2 on time while the dashboard is open: overdue inbound deals are swept on start."""
from __future__ import annotations

from datetime import timedelta

from factories import NOW, make_inbound
from model import services as svc
from model.domain.enums import Substatus
from tui.app import CosellApp

from dashboard_support import config_dir, pilot_test, workers_done  # noqa: F401  (config_dir: autouse fixture)


@pilot_test
async def test_overdue_inbound_deal_expires_when_the_app_starts(ctx):  # R8.2, R12.2
    deal = svc.receive_inbound(ctx, make_inbound(), received_at=NOW - timedelta(days=15))
    app = CosellApp(ctx, poll_interval=None, tick_interval=3600, sweep=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await workers_done(app)
        await pilot.pause()
        assert svc.get_deal(ctx, deal.id).substatus is Substatus.EXPIRED
        assert any("expired unanswered" in str(n.message) for n in app._notifications)


@pilot_test
async def test_a_deal_within_its_14_days_is_left_alone(ctx):  # R8.2
    deal = svc.receive_inbound(ctx, make_inbound(), received_at=NOW - timedelta(days=13))
    app = CosellApp(ctx, poll_interval=None, tick_interval=3600, sweep=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await workers_done(app)
        await pilot.pause()
        assert svc.get_deal(ctx, deal.id).substatus is Substatus.RECEIVED
