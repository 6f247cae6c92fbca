"""Issue 13: marking a deal lost with the reason "Other" and no notes is refused before the
"are you sure" (R8.11), and saying no to that question brings the form back exactly as typed."""
from __future__ import annotations

from textual.widgets import Input, Select

from detail_support import (
    make_app, open_detail, pilot_test, put_outbound, wait_for_new_screen, wait_for_screen, wait_idle,
)
from model import services as svc
from model.domain.enums import Substatus
from tui.screens.dialogs import ConfirmDialog, ReasonDialog


@pilot_test
async def test_lost_with_other_and_no_notes_is_refused_before_the_confirmation(ctx):  # R8.11
    deal = put_outbound(ctx)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, deal.id)
        await pilot.press("l")
        dialog = await wait_for_screen(pilot, ReasonDialog)
        dialog.query_one("#reason", Select).value = "Other"
        await pilot.press("ctrl+s")
        again = await wait_for_new_screen(pilot, ReasonDialog, dialog)  # straight back, no ConfirmDialog first
        assert "say in the notes" in str(again.query_one("#error-notes").content)
        assert app.focused is again.query_one("#notes", Input)
        await pilot.press(*"budget", "space", *"moved")
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, ConfirmDialog)
        await pilot.press("n")  # no: the form comes back with the reason and the notes as typed
        kept = await wait_for_new_screen(pilot, ReasonDialog, again)
        assert kept.query_one("#reason", Select).value == "Other"
        assert kept.query_one("#notes", Input).value == "budget moved"
        assert svc.get_deal(ctx, deal.id).substatus is Substatus.ACCEPTED  # nothing written
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, ConfirmDialog)
        await pilot.press("y")
        await wait_idle(pilot, screen)
    saved = svc.get_deal(ctx, deal.id)
    assert saved.substatus is Substatus.LOST and saved.status_reason == "Other"
