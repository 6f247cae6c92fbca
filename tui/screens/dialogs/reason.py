"""Decline (R8.4), lost (R8.11) and close as error (R8.13): a reason from the
model's list plus notes. One dialog serves a single deal or every marked row of
a bulk decline, which is asked once for all of them. Closing as error *may*
name a reason (R8.13): there the list can be left empty; "Other" still needs
notes, which is the model's check."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Select, Static

from tui.screens.dialogs._form import FormDialog, FormError
from tui.text import literal


class ReasonDialog(FormDialog):
    """Dismisses with ``{"reason": str | None, "notes": str}`` (None only when the reason is optional)."""

    CSS_PATH = ["form.tcss", "reason.tcss"]
    FIELDS = ("reason", "notes")
    SUBMIT_LABEL = "Continue"

    def __init__(self, *, verb: str, rule: str, reasons: tuple[str, ...], subjects: list[str],
                 intro: str = "", reason_required: bool = True, **kw) -> None:
        super().__init__(**kw)
        self.verb, self.rule, self.reasons = verb, rule, tuple(reasons)
        self.reason_required = reason_required
        self.subjects = list(subjects)
        self.intro = intro

    def heading(self) -> Text:
        if len(self.subjects) == 1:
            return Text.assemble(f"{self.verb} ", literal(self.subjects[0], "italic"), f" ({self.rule})")
        return Text(f"{self.verb} {len(self.subjects)} deals ({self.rule})")

    def compose_body(self) -> ComposeResult:
        if self.intro:
            yield Static(Text(self.intro), classes="dialog-intro")
        if len(self.subjects) > 1:
            shown = self.subjects[:6]
            lines = Text("\n").join(literal(f"• {name}") for name in shown)
            if len(self.subjects) > len(shown):
                lines.append(f"\n… and {len(self.subjects) - len(shown)} more")
            yield Static(lines, classes="dialog-subjects")
        reason = self.values.get("reason")
        prompt = "Choose a reason" if self.reason_required else "No reason given (optional)"
        yield from self.field("reason", "Reason", Select([(r, r) for r in self.reasons], prompt=prompt,
                                                         value=reason if reason in self.reasons else Select.NULL,
                                                         id="reason", compact=True))
        yield from self.field("notes", "Notes", Input(self.values.get("notes", ""), id="notes", compact=True,
                                                      placeholder="optional; required for Other"))

    def collect(self) -> dict:
        reason = self.choice("reason")
        if reason is None and self.reason_required:
            raise FormError("reason", "choose a reason from the list")
        return {"reason": reason, "notes": self.text("notes").strip()}
