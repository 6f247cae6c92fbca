"""Issue 5, on-call: a deal crossing the 72 h / 24 h bands while the app is open is announced."""
from __future__ import annotations

from datetime import timedelta

from dashboard_support import config_dir, pilot_test, workers_done  # noqa: F401  (config_dir: autouse fixture)
from factories import NOW, make_inbound
from model import services as svc
from tui.app import CosellApp
from tui.expiry_watch import BANDS, ExpiryWatch


def look(ctx, watch: ExpiryWatch):
    """One look of the dashboard's watch (as ``CosellApp._expiry_worker``): what may have moved, then who crossed."""
    now = ctx.clock.now()
    moves, inside = svc.expiry_moves(ctx, watch.since or now, BANDS, watch.inside)
    if watch.since is None:
        watch.start(now, inside)
        return []
    return watch.crossings(moves, inside, now)


def test_first_look_is_silent_then_each_crossing_is_told_once(ctx):  # R8.2
    deal = svc.receive_inbound(ctx, make_inbound(), received_at=NOW - timedelta(days=10))  # 4 days left
    watch = ExpiryWatch()
    assert look(ctx, watch) == []                                             # the first look is silent
    ctx.clock.advance(hours=23)
    assert look(ctx, watch) == []                                             # still > 72 h
    ctx.clock.advance(hours=2)
    crossed = look(ctx, watch)                                                # < 72 h now
    assert [(d.id, band) for d, band, _ in crossed] == [(deal.id, "72h")]
    ctx.clock.advance(hours=1)
    assert look(ctx, watch) == []                                             # told once
    ctx.clock.advance(hours=47)
    crossed = look(ctx, watch)                                                # < 24 h now
    assert [band for _, band, _ in crossed] == ["24h"]
    ctx.clock.advance(hours=1)
    assert look(ctx, watch) == []


def test_a_deal_received_inside_a_band_is_told_and_a_quiet_look_reads_no_deal(ctx):  # R8.2
    svc.receive_inbound(ctx, make_inbound(name="Early"), received_at=NOW - timedelta(days=12))  # 2 days left
    watch = ExpiryWatch()
    assert look(ctx, watch) == []                                             # the first look is silent
    ctx.clock.advance(minutes=1)
    assert svc.expiry_moves(ctx, watch.since, BANDS, watch.inside)[0] == []  # inside already, no edge passed
    assert look(ctx, watch) == []
    late = svc.receive_inbound(ctx, make_inbound(name="Synced late"), received_at=NOW - timedelta(days=11, hours=1))
    ctx.clock.advance(minutes=1)
    crossed = look(ctx, watch)                                                # arrived with < 72 h left
    assert [(d.id, band) for d, band, _ in crossed] == [(late.id, "72h")]
    ctx.clock.advance(minutes=1)
    assert look(ctx, watch) == []


def test_a_watch_that_missed_a_band_tells_the_most_urgent_one(ctx):  # R8.2
    deal = svc.receive_inbound(ctx, make_inbound(), received_at=NOW - timedelta(days=10))  # 4 days left
    watch = ExpiryWatch()
    assert look(ctx, watch) == []                                             # the first look is silent
    ctx.clock.advance(days=3, hours=2)                       # a laptop asleep across both edges
    crossed = look(ctx, watch)
    assert [(d.id, band) for d, band, _ in crossed] == [(deal.id, "24h")]


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
