"""Issue 5, on-call: a deal crossing the 72 h / 24 h bands while the app is open is announced."""
from __future__ import annotations

from datetime import timedelta

from dashboard_support import config_dir, pilot_test, workers_done  # noqa: F401  (config_dir: autouse fixture)
from factories import NOW, make_inbound
from model import services as svc
from tui.app import CosellApp
from tui.expiry_watch import ExpiryWatch


def test_first_look_is_silent_then_each_crossing_is_told_once(ctx):  # R8.2
    deal = svc.receive_inbound(ctx, make_inbound(), received_at=NOW - timedelta(days=10))  # 4 days left
    watch = ExpiryWatch()
    assert watch.crossings([deal], NOW) == []
    assert watch.crossings([deal], NOW + timedelta(hours=23)) == []          # still > 72 h
    crossed = watch.crossings([deal], NOW + timedelta(hours=25))             # < 72 h now
    assert [(d.id, band) for d, band, _ in crossed] == [(deal.id, "72h")]
    assert watch.crossings([deal], NOW + timedelta(hours=26)) == []          # told once
    crossed = watch.crossings([deal], NOW + timedelta(hours=73))             # < 24 h now
    assert [band for _, band, _ in crossed] == ["24h"]


@pilot_test
async def test_the_open_dashboard_notifies_when_the_clock_crosses_a_band(ctx):  # R8.2
    svc.receive_inbound(ctx, make_inbound(name="Tromsø fisheries"), received_at=NOW - timedelta(days=10, hours=23))
    app = CosellApp(ctx, poll_interval=None, tick_interval=3600, sweep=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await workers_done(app)
        assert not any("Expiring soon" in str(n.title) for n in app._notifications)
        ctx.clock.advance(hours=2)   # 3d 1h left → 2d 23h: into the 72 h band
        app._tick()
        await workers_done(app)
        await pilot.pause()
        told = [str(n.message) for n in app._notifications if "Expiring soon" in str(n.title)]
        assert told and "Tromsø fisheries" in told[0] and "< 72 h" in told[0]
