"""Keys typed faster than the screen answers them (a paste of keystrokes, a macro, ``tmux send-keys``
of a whole line with tabs) land in the fields they were typed for.

Why this is needed: Textual hands each key to the widget that has the focus *when the app reads the
key*, and the widget handles it later, from its own queue. A Tab (or an Enter that moves on) handled
the ordinary way travels to the focused field and back up to the screen's binding before the focus
moves; by then the keys read after it were already handed to the old field, so
``"Contoso deal" Tab "12000"`` became ``"Contoso deal12000"`` in the first field. Here those keys are
priority bindings, run as the app reads the key, and the focus moves with ``Screen.set_focus`` at
once (``Widget.focus`` would wait behind the queued keys too).

The same holds inside one field: an input types letters as it reads them but runs its own keys
(backspace, arrows, ctrl+u …) as bindings, which Textual only runs once the key has bubbled up to the
app; ``ctrl+u "tailspin"`` typed ahead typed the name first and then wiped it. ``Input`` here runs its
own keys as it reads them, in the order typed, and spreads a pasted line with tabs over the fields.

A form screen mixes in ``TypeAhead`` and lists ``TYPE_AHEAD_BINDINGS`` in its ``BINDINGS`` (Textual
only collects bindings from widget classes, not from a plain mixin), and uses this ``Input``.
"""
from __future__ import annotations

from textual import events
from textual.actions import SkipAction
from textual.binding import Binding
from textual.dom import NoScreen
from textual.widget import Widget
from textual.widgets import Input as _Input
from textual.widgets import TextArea

TYPE_AHEAD_BINDINGS = [
    Binding("tab", "type_ahead_move(1)", "Next field", show=False, priority=True, id="form.next_field"),
    Binding("shift+tab", "type_ahead_move(-1)", "Previous field", show=False, priority=True,
            id="form.previous_field"),
    Binding("enter", "type_ahead_enter", "Next field (in a field that enter moves on from)", show=False,
            priority=True, id="form.enter_next"),
]


def focus_now(widget: Widget) -> None:
    """Focus ``widget`` before the next key is read (``Widget.focus`` is queued behind typed keys)."""
    try:
        widget.screen.set_focus(widget)
    except NoScreen:  # a widget no longer on a screen has nothing to focus
        return


class Input(_Input):
    """Textual's input, with its own keys run in the order they were typed (see above), and a
    pasted line with tabs in it (a row copied from a spreadsheet) filled in field by field, as
    typing it with Tab between the parts would: the text up to the first tab here, the rest in the
    fields after this one."""

    # Textual calls the ``_on_*`` handler of every class up the MRO until one prevents the default:
    # these do their part and prevent it, or return and leave the key or the paste to Textual's input.

    def _on_paste(self, event: events.Paste) -> None:
        line = event.text.splitlines()[0] if event.text else ""
        here, tab, rest = line.partition("\t")
        if not tab:
            return
        event.stop()
        event.prevent_default()
        selection = self.selection
        if selection.is_empty:
            self.insert_text_at_cursor(here)
        else:
            self.replace(here, *selection)
        following = self.screen.focus_next()
        if following is not None and following is not self:
            following.post_message(events.Paste(rest))

    async def _on_key(self, event: events.Key) -> None:
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            if not binding.priority and await self.app.run_action(binding.action, self):
                event.stop()
                event.prevent_default()
                return


class TypeAhead:
    """Mixin for a ``Screen``: Tab, shift+Tab and an Enter that moves on change the focus at once.

    With ``HOLDS_EARLY_KEYS`` the screen also keeps the keys the app hands it before anything on it
    has the focus (typed while it opened: Textual drops them) until ``release_early_keys`` gives
    them, in order, to the widget it focused."""

    HOLDS_EARLY_KEYS = False

    def _forward_event(self, event: events.Event) -> None:
        if (self.HOLDS_EARLY_KEYS and isinstance(event, events.Key) and self.focused is None
                and not self.__dict__.get("_early_released", False)):
            self.__dict__.setdefault("_early_keys", []).append(event)
            return
        super()._forward_event(event)

    def release_early_keys(self, to: Widget | None = None) -> list[events.Key]:
        """Stop holding keys; post the held ones to ``to`` (in the order typed), or return them."""
        self.__dict__["_early_released"] = True
        keys = self.__dict__.pop("_early_keys", [])
        if to is None:
            return keys
        for key in keys:
            to.post_message(key)
        return []

    @property
    def focus_chain(self) -> list[Widget]:
        """Textual's focus chain in document order. Textual sorts it by where the widgets were last
        laid out, so right after a step is shown (not laid out yet) a Tab typed ahead went from
        "Estimated value"'s label row to its currency list before the amount. A form is composed in
        reading order, so its document order is the order to move in, laid out or not."""
        chain = super().focus_chain
        if len(chain) < 2:
            return chain
        rank = {id(node): i for i, node in enumerate(self.walk_children())}
        return sorted(chain, key=lambda widget: rank.get(id(widget), len(rank)))

    def enter_moves_on(self, widget: Widget) -> bool:
        """Whether enter in ``widget`` goes to the next field: the nearest container with a
        ``moves_on_enter(widget)`` says (a wizard step for its fields); a screen may override this.
        Without an answer enter does its own thing (pick, submit, save)."""
        for node in widget.ancestors:
            ask = getattr(node, "moves_on_enter", None)
            if ask is not None:
                return bool(ask(widget))
        return False

    def action_type_ahead_move(self, step: int) -> None:
        focused = self.focused
        if isinstance(focused, TextArea) and focused.tab_behavior == "indent":
            raise SkipAction()  # a text area that takes Tab as text keeps it
        if step > 0:
            self.focus_next()
        else:
            self.focus_previous()

    def action_type_ahead_enter(self) -> None:
        focused = self.focused
        if not isinstance(focused, _Input) or not self.enter_moves_on(focused):
            raise SkipAction()  # enter does what the field or the form says (pick, submit, save)
        self.focus_next()
