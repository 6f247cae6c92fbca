"""Issue 13: a save shows every error it finds at once (not one per try), the cursor goes to the
first field in error, and a ✗ line goes as soon as its field is changed."""
from __future__ import annotations

from textual.widgets import Input, Select

from detail_support import MISSING, Host, pilot_test, started, wait_until
from factories import make_inbound
from model.domain.errors import Violation
from tui.screens.dialogs import AcceptDialog, EditDialog, ReasonDialog


def shown(dialog, widget_id: str) -> str:
    widget = dialog.query_one(f"#{widget_id}")
    return str(widget.content) if widget.display else ""


@pilot_test
async def test_every_unreadable_field_of_a_save_is_shown_at_once():  # R8.3
    app = Host(AcceptDialog(make_inbound()))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await started(pilot, app)
        dialog.query_one("#close_date", Input).value = "2027-13-40"
        dialog.query_one("#value", Input).value = "lots"
        dialog.query_one("#name", Input).focus()
        await pilot.press("ctrl+s")
        assert app.result is MISSING
        assert "'lots' is not a number" in shown(dialog, "error-value")
        assert "not a date; use YYYY-MM-DD" in shown(dialog, "error-close_date")  # both, in one save
        assert app.focused is dialog.query_one("#value", Input)  # the first of them, in form order


@pilot_test
async def test_the_edit_form_too_and_a_fixed_field_loses_its_line_at_once():  # R8.6
    app = Host(EditDialog(make_inbound()))
    async with app.run_test(size=(80, 30)) as pilot:
        dialog = await started(pilot, app)
        dialog.query_one("#value", Input).value = ""
        dialog.query_one("#close_date", Input).value = "soon"
        await pilot.press("ctrl+s")
        assert "enter an amount" in shown(dialog, "error-value")
        assert "'soon' is not a date" in shown(dialog, "error-close_date")
        assert app.focused is dialog.query_one("#value", Input)
        await pilot.press(*"45000")  # fixing the value takes its line away; the date's stays until fixed
        await pilot.pause()
        assert shown(dialog, "error-value") == "" and not dialog.query_one("#row-value").has_class("-invalid")
        assert "'soon' is not a date" in shown(dialog, "error-close_date")


@pilot_test
async def test_a_refusal_line_stays_until_its_own_field_changes():  # R8.4
    errors = [Violation("R8.4", "say in the notes what the other reason is", "notes")]
    app = Host(ReasonDialog(verb="Decline", rule="R8.4", reasons=("Price", "Other"), subjects=["One deal"],
                            values={"reason": "Other", "notes": ""}, errors=errors))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await started(pilot, app)
        await pilot.pause()
        assert "say in the notes" in shown(dialog, "error-notes")  # the prefill is no change
        dialog.query_one("#reason", Select).value = "Price"  # another field: the notes' line stays
        await pilot.pause()
        assert "say in the notes" in shown(dialog, "error-notes")
        assert app.focused is dialog.query_one("#notes", Input)
        await pilot.press(*"budget")
        await pilot.pause()
        assert shown(dialog, "error-notes") == ""
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.result is not MISSING, what="saved")
    assert app.result == {"reason": "Price", "notes": "budget"}
