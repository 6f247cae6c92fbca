"""Decline (R8.4), lost (R8.11) and close as error (R8.13): a reason from the
model's list plus notes. One dialog serves a single deal or every marked row of
a bulk decline, which is asked once for all of them. Closing as error *may*
name a reason (R8.13): there the list can be left empty; "Other" still needs
notes, which is the model's check.

A reason is picked by its number too (``1``–``9``, the number shown before it), so declining
from the list is ``d``, the number, ``ctrl+s`` and the confirmation: four keys."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Select, Static

from tui.screens.dialogs._form import FormDialog, FormError
from tui.screens.dialogs.type_ahead import Input
from tui.text import literal


class ReasonDialog(FormDialog):
    """Dismisses with ``{"reason": str | None, "notes": str}`` (None only when the reason is optional)."""

    CSS_PATH = ["form.tcss", "reason.tcss"]
    FIELDS = ("reason", "notes")
    SUBMIT_LABEL = "Continue"
    BINDINGS = [Binding(str(n), f"pick({n})", f"Reason {n}", show=False, id=f"dialog.reason_{n}",
                        tooltip=f"Choose reason {n} of the list") for n in range(1, 10)]

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
        yield from self.field("reason", "Reason", Select([(f"{i}  {r}", r) for i, r in enumerate(self.reasons, 1)],
                                                         prompt=prompt,
                                                         value=reason if reason in self.reasons else Select.NULL,
                                                         id="reason", compact=True))
        yield from self.field("notes", "Notes", Input(self.values.get("notes", ""), id="notes", compact=True,
                                                      placeholder="optional; required for Other"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Digits pick a reason, except while typing the notes (there they are just digits)."""
        if action == "pick":
            return not isinstance(self.focused, Input) and int(parameters[0]) <= len(self.reasons)
        return True

    def action_pick(self, number: int) -> None:
        select = self.query_one("#reason", Select)
        select.value = self.reasons[number - 1]
        select.focus()

    def collect(self) -> dict:
        reason = self.choice("reason")
        if reason is None and self.reason_required:
            raise FormError("reason", "choose a reason from the list")
        return {"reason": reason, "notes": self.text("notes").strip()}
