"""The confirm (R9, R8.12) and conflict dialogs on their own."""
from __future__ import annotations

from textual.widgets import Button

from detail_support import MISSING, Host, pilot_test, started, wait_until
from model.domain.errors import ConflictError
from tui.screens.dialogs import ConfirmDialog, ConflictDialog


@pilot_test
async def test_confirm_answers_yes_no_and_defaults_to_cancel():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        for keys, expected in ((["y"], True), (["n"], False), (["escape"], False), (["enter"], False)):
            dialog = await app.open(pilot, ConfirmDialog("Decline it?", "Nothing can be changed after this (R9.1)."))
            assert app.focused is dialog.query_one("#cancel", Button)  # a stray Enter is harmless
            await pilot.press(*keys)
            await wait_until(pilot, lambda: app.result is not MISSING, what="answer")
            assert app.result is expected, keys


@pilot_test
async def test_confirm_button_and_warning_style():
    app = Host(ConfirmDialog("Marking won within 72 hours (R8.12)", "wait 2d 3h", confirm_label="Mark won anyway",
                             warning=True))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await started(pilot, app)
        assert dialog.has_class("-warning")
        assert str(dialog.query_one("#confirm", Button).label) == "Mark won anyway (y)"
        await pilot.click("#confirm")
        await wait_until(pilot, lambda: app.result is not MISSING, what="answer")
    assert app.result is True


def conflict(**kw) -> ConflictError:
    return ConflictError("0123456789abcdef", 3, 4, **kw)


@pilot_test
async def test_conflict_says_who_and_what_and_keeps_my_change():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        for key, expected in (("r", "reload"), ("a", "reapply"), ("escape", None)):
            dialog = await app.open(pilot, ConflictDialog(
                conflict(changed_by="bob", changed_what="edit: crm_id"), "Deal [b]x[/b]",
                [("Deal name", "My [i]name[/i]"), ("CRM ID", None)]))
            who = str(dialog.explanation())
            assert "Deal [b]x[/b] was changed by bob (edit: crm_id)" in who and "version 3 → 4" in who
            mine = str(dialog.change_summary())
            assert "Deal name: My [i]name[/i]" in mine and "CRM ID: —" in mine
            await pilot.press(key)
            await wait_until(pilot, lambda: app.result is not MISSING, what="choice")
            assert app.result == expected, key


@pilot_test
async def test_conflict_without_reapply_and_unknown_author():
    app = Host(ConflictDialog(conflict(), "Deal", [], can_reapply=False))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await started(pilot, app)
        assert "changed by another user" in str(dialog.explanation())
        assert dialog.query_one("#reapply", Button).disabled
        await pilot.press("a")
        assert app.result is MISSING  # re-apply is not offered here
        await pilot.press("r")
        await wait_until(pilot, lambda: app.result is not MISSING, what="choice")
    assert app.result == "reload"
