"""Issue 10 (B3): the footer never composes itself again after its first drawing. A cursor move that
only changes which keys are enabled dims or undims the keys in place; keys that come and go (the
Closed tab has no deal keys, End lands on a deal with others) are the same widgets shown, hidden or
moved, and only a key never shown before is mounted. What is drawn stays what a fresh footer draws."""
from __future__ import annotations

from textual.app import App
from textual.binding import Binding
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from dashboard_support import pilot_test, screen_text
from tui.widgets.key_footer import KEEP_WIDGETS, KeyFooter


class _Keys(App):
    BINDINGS = [Binding("a", "accept", "Accept", id="accept", tooltip="Accept the deal"),
                Binding("d", "decline", "Decline", id="decline"),
                Binding("question_mark", "help", "Help", id="app.help")]

    def __init__(self, drop_first=()) -> None:
        super().__init__()
        self.can_accept = True
        self.offers_decline = True
        self.drop_first = drop_first
        self.declined = 0

    def compose(self):
        yield Static("grid")
        yield KeyFooter(drop_first=self.drop_first)

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "accept":
            return self.can_accept or None  # None: shown, dimmed
        if action == "decline":
            return self.offers_decline  # False: not listed
        return True

    def action_accept(self) -> None:
        pass

    def action_decline(self) -> None:
        self.declined += 1


def _keys(app) -> dict[str, FooterKey]:
    return {k.key: k for k in app.query(FooterKey) if k.display}


def _footer_line(app) -> str:
    return screen_text(app).splitlines()[-1]


def _composes(app) -> list[int]:
    """Counts the footer's compositions from now on."""
    footer = app.query_one(KeyFooter)
    count = [0]
    original = footer.compose

    def compose():
        count[0] += 1
        return original()

    footer.compose = compose
    return count


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
async def test_a_key_that_goes_and_comes_back_is_the_same_widget_in_its_place():
    app = _Keys()
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        composes = _composes(app)
        first = _footer_line(app)
        before = _keys(app)
        app.offers_decline = False
        app.refresh_bindings()
        await pilot.pause()
        assert set(_keys(app)) == {"a", "question_mark"} and "Decline" not in _footer_line(app)
        assert _keys(app)["a"] is before["a"]
        app.offers_decline = True
        app.refresh_bindings()
        await pilot.pause()
        again = _keys(app)
        assert all(again[k] is before[k] for k in before)
        assert _footer_line(app) == first  # "a Accept  d Decline  ? Help", in binding order again
        assert composes[0] == 0
        await pilot.click(again["d"])  # a key shown again still runs when clicked
        assert app.declined == 1


@pilot_test
async def test_a_new_key_is_mounted_in_binding_order_and_the_others_stay():
    app = _Keys()
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        composes = _composes(app)
        before = _keys(app)
        app.bind("x", "bell", description="Ring")
        app.refresh_bindings()
        await pilot.pause()
        after = _keys(app)
        assert "x" in after and all(after[k] is before[k] for k in before) and composes[0] == 0
        line = _footer_line(app)
        assert line.index("Accept") < line.index("Decline") < line.index("Help") < line.index("Ring")


@pilot_test
async def test_short_of_room_the_kept_keys_still_leave_out_in_drop_first_order():
    app = _Keys(drop_first=("decline", "accept"))
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        footer = app.query_one(KeyFooter)
        await pilot.resize_terminal(22, 10)  # room for "a Accept" and "? Help", not "d Decline" too
        await pilot.pause()
        await pilot.pause()
        assert footer.left_out == ["decline"] and set(_keys(app)) == {"a", "question_mark"}
        await pilot.resize_terminal(80, 10)
        await pilot.pause()
        await pilot.pause()
        assert footer.left_out == [] and set(_keys(app)) == {"a", "d", "question_mark"}
        assert "d Decline" in _footer_line(app)


@pilot_test
async def test_hidden_keys_are_let_go_past_the_limit():
    app = _Keys()
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        footer = app.query_one(KeyFooter)
        for i in range(KEEP_WIDGETS + 5):  # accept remapped every time: a key never shown, a new widget
            app.update_keymap({"accept": f"f{i + 1}"})
            await pilot.pause()
        assert len(footer.children) <= KEEP_WIDGETS + 1
        assert f"f{KEEP_WIDGETS + 5} Accept" in _footer_line(app).replace("F", "f")
        assert len([k for k in app.query(FooterKey) if k.display]) == 3
