"""Issue 13: after a refused save the cursor is on the field the error names, so what the user
types next fixes that field instead of overwriting the one that had focus (Invite partner, R7.4)."""
from __future__ import annotations

from model import services as svc
from tui.screens.invite import InvitePartnerDialog
from wizard_support import (  # noqa: F401 - wctx is a fixture
    Harness, pilot_test, ready_draft, shown_errors, wait_for, wctx,
)

SIZE = (100, 40)


@pilot_test
async def test_invite_partner_error_on_value_moves_focus_to_value(wctx):  # R7.4
    deal = svc.create_deal(wctx, ready_draft())
    app = Harness(wctx, lambda: InvitePartnerDialog(deal=deal))
    async with app.run_test(size=SIZE) as pilot:
        dialog = app.screen
        await pilot.press(*"litware")
        await wait_for(pilot, lambda: dialog.found and dialog.found[0].partner_id == "P-LIT")
        dialog.query_one("#partner-results").focus()
        await pilot.press("enter")  # picked: the cursor moves on to Close date
        await wait_for(pilot, lambda: app.focused is dialog.query_one("#inv-close-date"))
        close_before = dialog.query_one("#inv-close-date").value
        await pilot.press("ctrl+s")  # no value yet: refused beside "Their share"
        await wait_for(pilot, lambda: "err-value" in shown_errors(dialog), what="value error shown")
        assert app.focused is dialog.query_one("#inv-value")
        await pilot.press(*"25000")
        assert dialog.query_one("#inv-value").value == "25000"
        assert dialog.query_one("#inv-close-date").value == close_before


@pilot_test
async def test_invite_partner_shows_every_error_of_a_save_at_once(wctx):  # R7.4
    deal = svc.create_deal(wctx, ready_draft())
    app = Harness(wctx, lambda: InvitePartnerDialog(deal=deal))
    async with app.run_test(size=SIZE) as pilot:
        dialog = app.screen
        await wait_for(pilot, lambda: dialog.is_mounted and dialog.found, what="the partner list")
        dialog.query_one("#inv-close-date").value = "2027-99"  # cannot be read; no partner, no value either
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "err-close-date" in shown_errors(dialog), what="errors shown")
        errors = shown_errors(dialog)
        assert "'2027-99' is not a date" in errors["err-close-date"]
        assert "choose the partner to invite (R7.4)" in errors["err-partner"]  # the model's, in the same save
        assert "err-value" in errors
        assert app.focused is dialog.query_one("#partner-results")  # the first field in error: pick there
        assert svc.get_deal(wctx, deal.id).invitations == deal.invitations  # nothing saved
