"""Another user (or another session) changed the deal between loading and saving.

The optimistic version check refused the save (``ConflictError``); this dialog
says who changed what, shows the user's own change so nothing typed is lost,
and offers Reload (their version, then your form again, still filled in),
Re-apply (your change on top of theirs) or Cancel.
"""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static

from model.domain.errors import ConflictError
from tui.text import literal

RELOAD, REAPPLY = "reload", "reapply"


class ConflictDialog(ModalScreen[str | None]):
    """Dismisses with ``"reload"``, ``"reapply"`` or None (cancel)."""

    CSS_PATH = ["form.tcss", "conflict.tcss"]
    BINDINGS = [
        Binding("r", "choose('reload')", "Reload", id="conflict.reload"),
        Binding("a", "choose('reapply')", "Re-apply mine", id="conflict.reapply"),
        Binding("escape", "choose('')", "Cancel", id="conflict.cancel"),
    ]

    def __init__(self, error: ConflictError, deal_name: str, your_change: list[tuple[str, object]],
                 *, can_reapply: bool = True, form: bool = True) -> None:
        super().__init__()
        self.error, self.deal_name = error, deal_name
        self.your_change = list(your_change)
        self.can_reapply = can_reapply
        self.form = form  # whether Reload brings back a form to fill in (else it just shows their version)

    def explanation(self) -> Text:
        who = literal(self.error.changed_by or "another user", "bold")
        text = Text.assemble(literal(self.deal_name, "italic"), " was changed by ", who)
        if self.error.changed_what:
            text.append_text(Text.assemble(" (", literal(self.error.changed_what), ")"))
        text.append(f" since you loaded it (version {self.error.expected} → {self.error.found}). "
                    "Nothing of yours was saved.")
        return text

    def change_summary(self) -> Text:
        text = Text("Your change:", style="bold")
        if not self.your_change:
            text.append(" (no values)")
        for label, value in self.your_change:
            shown = "—" if value in (None, "") else value
            text.append_text(Text.assemble("\n  ", f"{label}: ", literal(shown)))
        return text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text("The deal was changed by someone else"), classes="dialog-title")
            yield Static(self.explanation(), classes="conflict-who")
            yield Static(self.change_summary(), classes="conflict-mine")
            reload = ("Reload: see their version, then your form again with what you typed." if self.form
                      else "Reload: see their version, and decide again.")
            yield Static(Text(f"{reload}\nRe-apply: save your change on top of theirs."), classes="conflict-help")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Reload (r)", id="reload", variant="primary", compact=True)
                yield Button("Re-apply mine (a)", id="reapply", compact=True, disabled=not self.can_reapply)
                yield Button("Cancel (esc)", id="cancel", compact=True)
        yield Footer(show_command_palette=False)  # ^p is listed once, as the app key

    def on_mount(self) -> None:
        self.query_one("#reload", Button).focus()

    def action_choose(self, choice: str) -> None:
        if choice == REAPPLY and not self.can_reapply:
            return
        self.dismiss(choice or None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_choose({"reload": RELOAD, "reapply": REAPPLY}.get(event.button.id, ""))
