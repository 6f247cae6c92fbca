"""Marked rows: one reason and one confirm for a bulk decline, one summary of
what was refused; favorites toggled row by row. Also the controller's refusal
path, which opens no dialog at all."""
from __future__ import annotations

from textual.widgets import Select

from detail_support import (
    make_app, notes_of, pilot_test, put_inbound, wait_for_new_screen, wait_for_screen, wait_until,
)
from model import services as svc
from model.domain.enums import Substatus
from model.domain.rules.lifecycle import Action
from model.domain.stages import Stage
from tui.deal_actions import run_deal_action
from tui.marked_actions import run_bulk_action
from tui.screens.dialogs import ConfirmDialog, ConflictDialog, ReasonDialog


async def started_app(pilot):
    await wait_until(pilot, lambda: pilot.app.screen is not None and pilot.app.is_running, what="app")
    await pilot.pause()
    return pilot.app.screen


@pilot_test
async def test_bulk_decline_asks_one_reason_for_all_marked_deals(ctx):  # R8.4
    received = [put_inbound(ctx, name=f"Inbound {i}", sender_email=f"seller{i}@microsoft.example") for i in range(3)]
    accepted = put_inbound(ctx, name="Already accepted")
    svc.accept(ctx, accepted.id)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        host = await started_app(pilot)
        ids = [d.id for d in received] + [accepted.id]
        worker = host.run_worker(run_bulk_action(host, Action.DECLINE, ids))
        dialog = await wait_for_screen(pilot, ReasonDialog)
        assert str(dialog.heading()) == "Decline 3 deals (R8.4)"
        assert "1 marked deal cannot be changed and is skipped" in str(dialog.intro)  # plural forms (issue 13)
        dialog.query_one("#reason", Select).value = "Not a fit for our solutions"
        await pilot.press("ctrl+s")
        confirm = await wait_for_screen(pilot, ConfirmDialog)
        assert str(confirm.title_text) == "Decline 3 deals?"
        await pilot.press("y")
        await wait_until(pilot, lambda: worker.is_finished, what="bulk decline")
        assert {d.name for d in worker.result} == {"Inbound 0", "Inbound 1", "Inbound 2"}
        summary = [n for n in notes_of(app) if n.startswith("Declined 3 of 4 deals")]
        assert len(summary) == 1
        assert "Already accepted: only a received inbound deal can be accepted or declined (R8.2)" in summary[0]
    for deal in received:
        saved = svc.get_deal(ctx, deal.id)
        assert saved.substatus is Substatus.DECLINED and saved.status_reason == "Not a fit for our solutions"
    assert svc.get_deal(ctx, accepted.id).substatus is Substatus.ACCEPTED


@pilot_test
async def test_bulk_decline_cancelled_at_the_confirm_writes_nothing(ctx):
    deals = [put_inbound(ctx, name=f"Inbound {i}") for i in range(2)]
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        host = await started_app(pilot)
        worker = host.run_worker(run_bulk_action(host, Action.DECLINE, [d.id for d in deals]))
        dialog = await wait_for_screen(pilot, ReasonDialog)
        dialog.query_one("#reason", Select).value = "Other"
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, ConfirmDialog)
        await pilot.press("y")
        # "Other" needs notes (R8.4): the same form comes back with the message beside the notes.
        again = await wait_for_new_screen(pilot, ReasonDialog, dialog)
        assert "say in the notes" in str(again.query_one("#error-notes").content)
        await pilot.press(*"dup", "enter")
        await wait_for_screen(pilot, ConfirmDialog)
        await pilot.press("n")
        await wait_until(pilot, lambda: worker.is_finished, what="cancelled")
        assert worker.result == []
    assert all(svc.get_deal(ctx, d.id).substatus is Substatus.RECEIVED for d in deals)


@pilot_test
async def test_bulk_favorite_toggles_each_row(ctx):  # R3.3
    a, b = put_inbound(ctx, name="A"), put_inbound(ctx, name="B")
    svc.set_favorite(ctx, b.id, True)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        host = await started_app(pilot)
        worker = host.run_worker(run_bulk_action(host, Action.FAVORITE, [a.id, b.id]))
        await wait_until(pilot, lambda: worker.is_finished, what="favorites")
        assert any("Favorites: 1 added, 1 removed" in n for n in notes_of(app))
    assert svc.get_deal(ctx, a.id).favorite and not svc.get_deal(ctx, b.id).favorite


@pilot_test
async def test_a_refused_action_shows_the_model_message_without_a_dialog(ctx):
    deal = put_inbound(ctx)
    svc.accept(ctx, deal.id)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        host = await started_app(pilot)
        worker = host.run_worker(run_deal_action(host, Action.ACCEPT, deal.id))
        await wait_until(pilot, lambda: worker.is_finished, what="refusal")
        assert worker.result is None and app.screen is host
        assert any("Cannot accept: only a received inbound deal can be accepted or declined (R8.2)" in n
                   for n in notes_of(app))


@pilot_test
async def test_a_stale_row_version_opens_the_conflict_dialog(ctx):
    deal = put_inbound(ctx)
    svc.accept(ctx, deal.id)  # version 2; the caller still shows version 1
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        host = await started_app(pilot)
        for key in ("escape", "r", "a"):
            worker = host.run_worker(run_deal_action(host, Action.MARK_STAGE, deal.id, version=1))
            dialog = await wait_for_screen(pilot, ConflictDialog)
            assert dialog.error.changed_by == "alice" and "accept" in dialog.error.changed_what
            assert "Reload: see their version, and decide again." in str(dialog.query_one(".conflict-help").content)
            await pilot.press(key)
            await wait_until(pilot, lambda: worker.is_finished, what=f"choice {key}")
            if key != "a":  # cancel, or reload without a form: nothing is marked
                assert worker.result is None and svc.get_deal(ctx, deal.id).stages_marked == []
        assert any(n.startswith("Reloaded: ") for n in notes_of(app))
        assert worker.result.stages_marked == [Stage.QUALIFIED]  # re-applied on the fresh version
