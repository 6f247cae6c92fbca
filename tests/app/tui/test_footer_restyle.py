"""Issue 10 (B3): a cursor move that only changes which keys are enabled dims or undims the footer's
keys in place; it does not compose the footer again (which mounts its keys anew and lays out the
screen, the largest cost left in a tab switch or End). A new key or label still recomposes it."""
from __future__ import annotations

from textual.app import App
from textual.binding import Binding
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from dashboard_support import pilot_test
from tui.widgets.key_footer import KeyFooter


class _Keys(App):
    BINDINGS = [Binding("a", "accept", "Accept", id="accept", tooltip="Accept the deal"),
                Binding("d", "decline", "Decline", id="decline"),
                Binding("question_mark", "help", "Help", id="app.help")]

    def __init__(self) -> None:
        super().__init__()
        self.can_accept = True

    def compose(self):
        yield Static("grid")
        yield KeyFooter()

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "accept":
            return self.can_accept or None  # None: shown, dimmed
        return True

    def action_accept(self) -> None:
        pass

    def action_decline(self) -> None:
        pass


def _keys(app) -> dict[str, FooterKey]:
    return {k.key: k for k in app.query(FooterKey)}


@pilot_test
async def test_only_the_enabled_state_changed_restyles_the_keys_where_they_are():
    app = _Keys()
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        before = _keys(app)
        assert set(before) == {"a", "d", "question_mark"} and not before["a"].has_class("-disabled")
        app.can_accept = False
        app.refresh_bindings()
        await pilot.pause()
        after = _keys(app)
        assert all(after[k] is before[k] for k in before)  # the same widgets: not composed again
        assert after["a"].has_class("-disabled") and after["a"]._disabled
        assert after["a"].tooltip == "Accept the deal"
        await pilot.press("a")  # a dimmed key's click rings the bell; the key itself is refused
        app.can_accept = True
        app.refresh_bindings()
        await pilot.pause()
        assert not _keys(app)["a"].has_class("-disabled") and not _keys(app)["a"]._disabled


@pilot_test
async def test_a_changed_label_composes_the_footer_again():
    app = _Keys()
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        before = _keys(app)
        app.bind("x", "bell", description="Ring")
        app.refresh_bindings()
        await pilot.pause()
        after = _keys(app)
        assert "x" in after and after["a"] is not before["a"]
