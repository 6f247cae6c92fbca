"""SVG snapshots of the deal detail screen and of every deal dialog, at 80x24
and 160x48, with the fixed clock (2026-11-20T09:00Z) and fixed data.

Each dialog is opened the way a user opens it (keys on the detail screen), so a
snapshot also shows the screen underneath. Update with
``pytest tests/snapshots/test_detail_snapshots.py --snapshot-update`` and look
at every changed SVG before committing it.
"""
from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from textual.widgets import Input, Select, TextArea

from detail_support import seed_catalogue
from factories import NOW, PLAIN_APP, SELLER_SE, ctx_as, make_draft, make_inbound
from model import services as svc
from model.domain.enums import HelpType, MarketplaceIntent, RegistrationStatus
from model.domain.schemas import Invitation, Note, Person
from model.store.tables import PartnerRecord
from tui.screens.deal_detail import DealDetailScreen
from tui.widgets.lifecycle import LifecycleProgress

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]

RECEIVED_ID = "5e1ec7ed-0000-4000-8000-000000000001"
WON_ID = "5e1ec7ed-0000-4000-8000-000000000002"


@pytest.fixture
def deals(ctx, clock, monkeypatch):
    """Three deals in three phases, with ids, times and history that never change."""
    seed_catalogue(ctx.store)  # the draft's customer, solutions and partner are looked up (R4.11, R6.5, R7.4)
    with ctx.store.write() as session:
        session.merge(PartnerRecord(partner_id="P-FAB-SVC", name="Fabrikam Services", location="Sweden"))
    counter = iter(range(1, 1000))
    monkeypatch.setattr("model.services.creation.uuid",
                        SimpleNamespace(uuid4=lambda: uuid.UUID(int=0xC0DE0000000040008000000000000000 + next(counter))))
    received = svc.receive_inbound(ctx, make_inbound(
        id=RECEIVED_ID, name="Contoso retail [bold]loyalty[/] app", value=Decimal("40000"),
        notes=[Note(at=NOW - timedelta(days=2), author="maria",
                    text="Customer asked for a partner who knows retail loyalty programmes")]),
        received_at=NOW - timedelta(days=11, hours=7))

    clock.set(NOW - timedelta(days=9))
    partner = Invitation(invitation_id="inv-fabrikam", partner_id="P-FAB-SVC", partner_name="Fabrikam Services",
                         close_date=date(2027, 4, 30), value=Decimal("15000"), currency="USD",
                         solutions=[PLAIN_APP.solution_id], help_type=HelpType.ARCHITECTURE,
                         notes="Fabrikam runs the data migration")
    progress = svc.create_deal(ctx, make_draft(
        name="Northwind analytics platform", crm_id="CRM-2291", campaign_id="FY27-DATA",
        marketplace_intent=MarketplaceIntent.YES, help_type=HelpType.ARCHITECTURE,
        team=[Person(name="Bob Seller", phone="+46 70 123 45 67", email="bob@contoso-partner.com"),
              Person(name="Cleo Architect", phone="+46 70 765 43 21", email="cleo@contoso-partner.com")],
        invitations=[partner], notes="Customer wants a data platform; Microsoft to help with architecture"))
    clock.set(NOW - timedelta(days=6))
    svc.mark_stage(ctx, progress.id)
    clock.set(NOW - timedelta(days=2))
    svc.mark_stage(ctx_as(ctx, SELLER_SE), progress.id)
    svc.add_note(ctx_as(ctx, SELLER_SE), progress.id, "Workshop held; business case agreed with the CFO")

    clock.set(NOW - timedelta(days=20))
    won = svc.receive_inbound(ctx, make_inbound(id=WON_ID, name="Fabrikam foods forecasting",
                                                value=Decimal("52000"), currency="USD"))
    clock.set(NOW - timedelta(days=19))
    svc.accept(ctx, won.id, notes="Good fit: forecasting on Azure")
    for days in (15, 11, 8, 5):
        clock.set(NOW - timedelta(days=days))
        svc.mark_stage(ctx, won.id)
    clock.set(NOW - timedelta(days=1))
    svc.won(ctx, won.id)
    svc.register(ctx, won.id, contract_confirmed=True)  # R10.5
    svc.review_registration(ctx, won.id, RegistrationStatus.ACTION_REQUIRED,
                            "Attach the signed customer agreement")
    clock.set(NOW)
    return SimpleNamespace(received=received.id, progress=progress.id, won=won.id)


async def settle(pilot, predicate, what: str, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)
    await pilot.pause()


async def show_detail(pilot, deal_id: str) -> DealDetailScreen:
    await settle(pilot, lambda: pilot.app.is_running, "app")
    screen = DealDetailScreen(deal_id)
    await pilot.app.push_screen(screen)
    await settle(pilot, lambda: screen.deal is not None and screen.query_one(LifecycleProgress).deal is not None,
                 "deal loaded")
    return screen


async def show_dialog(pilot, kind_name: str) -> None:
    """Wait for the dialog, with steady cursors (no blink) so the picture never changes."""
    await settle(pilot, lambda: type(pilot.app.screen).__name__ == kind_name and pilot.app.screen.is_mounted,
                 kind_name)
    for widget in pilot.app.screen.query("Input, TextArea"):
        widget.cursor_blink = False
    await pilot.pause()


@pytest.fixture
def snap(snap_compare, ctx, make_snapshot_app, settle_app):
    """``snap(size, run_before)``: the real app (default settings, no polling, no tick), settled, compared.

    A dialog's action waits in its worker while the dialog is open, so with a dialog on top only the
    screen is waited for (``show_dialog``), not every worker.
    """

    def compare(size, run_before) -> bool:
        async def prepared(pilot):
            await run_before(pilot)
            if isinstance(pilot.app.screen, DealDetailScreen):
                await settle_app(pilot)

        return snap_compare(make_snapshot_app(ctx), terminal_size=size, run_before=prepared)

    return compare


@pytest.mark.parametrize("size", SIZES)
def test_detail_received(snap, ctx, deals, size):
    async def run_before(pilot):
        await show_detail(pilot, deals.received)

    assert snap(size, run_before)


@pytest.mark.parametrize("size", SIZES)
def test_detail_in_progress(snap, ctx, deals, size):
    async def run_before(pilot):
        await show_detail(pilot, deals.progress)

    assert snap(size, run_before)


@pytest.mark.parametrize("size", SIZES)
def test_detail_won_and_registered(snap, ctx, deals, size):
    async def run_before(pilot):
        await show_detail(pilot, deals.won)

    assert snap(size, run_before)


@pytest.mark.parametrize("size", SIZES)
def test_dialog_accept(snap, ctx, deals, size):
    async def run_before(pilot):
        await show_detail(pilot, deals.received)
        await pilot.press("a")
        await show_dialog(pilot, "AcceptDialog")

    assert snap(size, run_before)


@pytest.mark.parametrize("size", SIZES)
def test_dialog_decline_reason(snap, ctx, deals, size):
    async def run_before(pilot):
        await show_detail(pilot, deals.received)
        await pilot.press("d")
        await show_dialog(pilot, "ReasonDialog")
        pilot.app.screen.query_one("#reason", Select).value = "No capacity to take it on"
        await pilot.pause()

    assert snap(size, run_before)


@pytest.mark.parametrize("size", SIZES)
def test_dialog_confirm_terminal(snap, ctx, deals, size):
    async def run_before(pilot):
        await show_detail(pilot, deals.received)
        await pilot.press("d")
        await show_dialog(pilot, "ReasonDialog")
        pilot.app.screen.query_one("#reason", Select).value = "No capacity to take it on"
        await pilot.press("ctrl+s")
        await show_dialog(pilot, "ConfirmDialog")

    assert snap(size, run_before)


@pytest.mark.parametrize("size", SIZES)
def test_dialog_confirm_early_win(snap, ctx, deals, size):  # R8.12
    def prepare():
        deal = svc.create_deal(ctx, make_draft(name="Tailspin toys telemetry"))
        for _ in range(4):
            svc.mark_stage(ctx, deal.id)
        return deal.id

    deal_id = prepare()

    async def run_before(pilot):
        await show_detail(pilot, deal_id)
        await pilot.press("w")
        await show_dialog(pilot, "ConfirmDialog")
        await pilot.press("y")
        await settle(pilot, lambda: "72 hours" in str(getattr(pilot.app.screen, "title_text", "")), "72-hour warning")
        await show_dialog(pilot, "ConfirmDialog")

    assert snap(size, run_before)


@pytest.mark.parametrize("size", SIZES)
def test_dialog_edit(snap, ctx, deals, size):
    async def run_before(pilot):
        await show_detail(pilot, deals.progress)
        await pilot.press("e")
        await show_dialog(pilot, "EditDialog")

    assert snap(size, run_before)


@pytest.mark.parametrize("size", SIZES)
def test_dialog_conflict(snap, ctx, deals, size):
    async def run_before(pilot):
        await show_detail(pilot, deals.progress)
        await pilot.press("e")
        await show_dialog(pilot, "EditDialog")
        pilot.app.screen.query_one("#name", Input).value = "Northwind analytics platform (phase 1)"
        await asyncio.to_thread(svc.edit, ctx_as(ctx, SELLER_SE), deals.progress, {"crm_id": "CRM-2291-B"})
        await pilot.press("ctrl+s")
        await show_dialog(pilot, "ConflictDialog")

    assert snap(size, run_before)


@pytest.mark.parametrize("size", SIZES)
def test_dialog_register(snap, ctx, deals, size):
    def prepare():
        deal = svc.receive_inbound(ctx, make_inbound(id="5e1ec7ed-0000-4000-8000-000000000003",
                                                     name="Woodgrove bank copilot", value=Decimal("88000"),
                                                     currency="USD"), received_at=NOW - timedelta(days=10))
        svc.accept(ctx, deal.id)
        for _ in range(4):
            svc.mark_stage(ctx, deal.id)
        svc.won(ctx, deal.id)
        return deal.id

    deal_id = prepare()

    async def run_before(pilot):
        await show_detail(pilot, deal_id)
        await pilot.press("r")
        await show_dialog(pilot, "RegisterDialog")

    assert snap(size, run_before)


@pytest.mark.parametrize("size", SIZES)
def test_dialog_note(snap, ctx, deals, size):
    async def run_before(pilot):
        await show_detail(pilot, deals.progress)
        await pilot.press("N")
        await show_dialog(pilot, "NoteDialog")
        pilot.app.screen.query_one("#text", TextArea).text = "Pricing call with the CFO on Tuesday"
        await pilot.pause()

    assert snap(size, run_before)
