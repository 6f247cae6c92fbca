"""Confirm before a step that cannot be undone (R9: nothing can be changed after
a terminal transition), and the R8.12 early-win warning, which is the model's
message put as a question."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static


class ConfirmDialog(ModalScreen[bool]):
    """Dismisses with True (confirmed) or False. Cancel has the focus, so a stray Enter is harmless."""

    CSS_PATH = ["form.tcss", "confirm.tcss"]
    BINDINGS = [
        Binding("y", "confirm", "Yes", id="confirm.yes"),
        Binding("n", "cancel", "No", id="confirm.no"),
        Binding("escape", "cancel", "Cancel", id="confirm.cancel"),
    ]

    def __init__(self, title: Text | str, message: Text | str, *, confirm_label: str = "Confirm",
                 cancel_label: str = "Cancel", warning: bool = False, focus_confirm: bool = False) -> None:
        super().__init__(classes="-warning" if warning else "")
        self.title_text = title if isinstance(title, Text) else Text(title)
        self.message = message if isinstance(message, Text) else Text(message)
        self.confirm_label, self.cancel_label = confirm_label, cancel_label
        self.focus_confirm = focus_confirm

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Static(self.message, classes="dialog-message")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.confirm_label} (y)", id="confirm",
                             variant="warning" if self.has_class("-warning") else "primary", compact=True)
                yield Button(f"{self.cancel_label} (n)", id="cancel", compact=True)
        yield Footer(show_command_palette=False)  # ^p is listed once, as the app key

    def on_mount(self) -> None:
        self.query_one("#confirm" if self.focus_confirm else "#cancel", Button).focus()

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm")
