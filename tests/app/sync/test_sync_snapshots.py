"""SVG snapshots of sync in the dashboard (issue 12): the marks ↑ pending, ✗ refused, ≠ conflict
in the grid's gutter with the header line, and the conflict dialog, at 80x24. The data is the
stand-in's four referrals pulled at the fixed clock; settings are the defaults (no file)."""
from __future__ import annotations

import pytest

from dashboard_support import settle
from model import services as svc
from model.partner_center.client import PartnerCenter
from model.services import sync
from pc_standin import TOKEN
from transfer_support import pc_list_file

RECEIVED = "11111111-1111-4111-8111-111111111111"
ACCEPTED = "22222222-2222-4222-8222-222222222222"
OUTBOUND = "33333333-3333-4333-8333-333333333333"


@pytest.fixture
def marked_ctx(ctx, pc_settings):
    """One deal of each mark: RECEIVED accepted here (pending), OUTBOUND refused by Partner Center
    (failed), ACCEPTED changed on both sides (conflict); the won deal in step."""
    pc = pc_settings

    def client():
        return PartnerCenter(pc.url, TOKEN, sleep=lambda s: None)

    for r in pc_list_file()["value"]:
        pc.put(r)
    sync.sync_now(ctx, push=False, client=client())
    ref = pc.referrals[ACCEPTED]
    pc.change(ACCEPTED, details={**ref["details"], "dealValue": 99000})
    svc.edit(ctx, ACCEPTED, {"name": "Ours"})
    sync.sync_now(ctx, pull=False, client=client())                      # 412: conflict
    svc.edit(ctx, OUTBOUND, {"name": "Insights, phase 2"})
    pc.fail_next(400, None)
    sync.sync_now(ctx, pull=False, client=client())                      # 400: refused
    svc.accept(ctx, RECEIVED, name="Migration for Contoso", value=75000)
    assert {d.deal_id: d.state for d in sync.sync_status(ctx)} == \
        {ACCEPTED: "conflict", OUTBOUND: "failed", RECEIVED: "pending"}
    return ctx


def app_for(ctx):
    from tui.app import CosellApp
    from tui.settings import Settings

    settings = Settings.model_construct()
    settings._writable = False
    return CosellApp(ctx, settings=settings, poll_interval=None, tick_interval=3600, sweep=False)


@pytest.mark.parametrize("tab", [pytest.param("1", id="inbound"), pytest.param("2", id="outbound")])
def test_sync_marks_and_header(snap_compare, marked_ctx, tab):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press(tab)
        await settle(pilot)

    assert snap_compare(app_for(marked_ctx), terminal_size=(80, 24), run_before=run_before)


def test_sync_conflict_dialog(snap_compare, marked_ctx):
    async def run_before(pilot):
        from tui.screens.deal_detail import DealDetailScreen

        await settle(pilot)
        pilot.app.push_screen(DealDetailScreen(ACCEPTED))
        await settle(pilot)
        await pilot.press("c")
        for _ in range(50):
            await pilot.pause()

    assert snap_compare(app_for(marked_ctx), terminal_size=(80, 24), run_before=run_before)
