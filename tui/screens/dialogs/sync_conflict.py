"""A deal changed both here and in Partner Center: the user decides which version stands.

The sync's 412 overwrote nothing (``model.services.sync``): the local deal is still as the user
left it and Partner Center's version is kept beside it. This dialog says so and offers the two
ways out ``resolve`` knows, the same choice as ``cosell sync --resolve ID``:

- Keep mine: the next sync makes Partner Center match this deal (pushed right away when sync
  is set up);
- Take theirs: Partner Center's version replaces the local one (its history records it);
- Cancel: nothing changes; the deal stays in conflict and keeps its ≠ mark.
"""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static

from tui.text import literal

KEEP_MINE, TAKE_THEIRS = "mine", "theirs"


class SyncConflictDialog(ModalScreen[str | None]):
    """Dismisses with ``"mine"``, ``"theirs"`` or None (cancel)."""

    CSS_PATH = "sync_conflict.tcss"
    BINDINGS = [
        Binding("m", "choose('mine')", "Keep mine", id="sync_conflict.keep_mine",
                tooltip="Partner Center gets this deal as it is here, with the next sync"),
        Binding("t", "choose('theirs')", "Take theirs", id="sync_conflict.take_theirs",
                tooltip="Partner Center's version replaces the deal here"),
        Binding("escape", "choose('')", "Cancel", id="sync_conflict.cancel", tooltip="Decide later"),
    ]

    def __init__(self, deal_name: str, reason: str) -> None:
        super().__init__()
        self.deal_name, self.reason = deal_name, reason

    def explanation(self) -> Text:
        text = Text.assemble(literal(self.deal_name, "italic"), " was changed both here and in Partner Center. "
                             "Nothing was overwritten on either side.")
        if self.reason:
            text.append_text(Text.assemble("\n", literal(self.reason)))   # Partner Center's words (the 412)
        return text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text("In conflict with Partner Center"), classes="dialog-title")
            yield Static(self.explanation(), classes="sync-conflict-why")
            yield Static(Text("Keep mine: the next sync makes Partner Center match this deal.\n"
                              "Take theirs: Partner Center's version replaces yours here."),
                         classes="sync-conflict-help")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Keep mine (m)", id="mine", variant="primary", compact=True)
                yield Button("Take theirs (t)", id="theirs", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#mine", Button).focus()

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice or None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_choose({"mine": KEEP_MINE, "theirs": TAKE_THEIRS}.get(event.button.id, ""))
