"""R5: add an entry to the deal's notes, the on-the-record log between the
partner, Microsoft and other partners. Entries are appended, never edited."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static, TextArea

from model.domain.schemas import Deal
from tui.screens.dialogs._form import FormDialog, FormError
from tui.text import literal


class NoteDialog(FormDialog):
    """Dismisses with ``{"text": str}``. Enter is a new line here; ctrl+s saves."""

    CSS_PATH = ["form.tcss", "note.tcss"]
    FIELDS = ("text",)
    SUBMIT_LABEL = "Add note"

    def __init__(self, deal: Deal, **kw) -> None:
        super().__init__(**kw)
        self.deal = deal

    def heading(self) -> Text:
        return Text.assemble("Add a note to ", literal(self.deal.name, "italic"), " (R5)")

    def compose_body(self) -> ComposeResult:
        yield Static(Text("Notes are on the record: Microsoft and invited partners read them, "
                          "and they cannot be edited afterwards."), classes="dialog-intro")
        yield from self.field("text", "Note", TextArea(self.values.get("text", ""), id="text", compact=True,
                                                       soft_wrap=True, show_line_numbers=False))

    def collect(self) -> dict:
        text = self.area("text").strip()
        if not text:
            raise FormError("text", "write the note first")
        return {"text": text}
