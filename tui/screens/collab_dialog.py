"""The frame every collaboration dialog shares (invite a partner, invite Microsoft, upgrade):
a title, a scrolling body, Save/Cancel, the model's refusals beside their fields, and the one
way a dialog saves: ``tui.service_call.save_checked`` off the UI thread, a stale version
resolved in the conflict dialog (Re-apply, or Reload under the still filled-in dialog).
"""
from __future__ import annotations

from typing import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static

from model.domain.enums import HelpType
from model.domain.errors import CosellError, RuleViolation, Violation
from model.domain.rules.lifecycle import Action, available_actions
from model.domain.schemas import Deal
from tui.screens.dialogs.type_ahead import TYPE_AHEAD_BINDINGS, TypeAhead
from tui.screens.new_deal.base import ClearsStaleErrors, FieldError, focus_field_of, show_in
from tui.service_call import Cancelled, Reloaded, save_checked
from tui.text import literal

HELP_CHOICES = [(h.label, h) for h in HelpType if h is not HelpType.NONE]

DIALOG_CSS = """
CosellDialog { align: center middle; background: $background 60%; }
CosellDialog > #dialog { width: 100%; height: 100%; max-width: 110; max-height: 40; border: round $primary;
    background: $surface; padding: 0 1; }
CosellDialog #dialog-title { text-style: bold; height: auto; }
CosellDialog #dialog-body { height: 1fr; }
CosellDialog .form-row { height: auto; }
CosellDialog .form-label { width: 18; color: $text-muted; }
CosellDialog .form-row Input { width: 1fr; }
CosellDialog .form-row Select { width: 14; margin-left: 1; }
CosellDialog .form-row Select#help-type { width: 1fr; margin-left: 0; }
CosellDialog .section-title { margin-top: 1; text-style: bold; }
CosellDialog .hint { color: $text-muted; }
CosellDialog TextArea { height: 3; }
CosellDialog OptionList { height: auto; max-height: 6; }
CosellDialog SelectionList { height: auto; max-height: 6; }
CosellDialog RadioSet { width: 100%; }
CosellDialog #dialog-buttons { height: 1; margin-top: 1; }
CosellDialog #dialog-buttons Button { margin-right: 2; }
CosellDialog .field-error { display: none; color: $error; height: auto; padding-left: 18; }
CosellDialog .field-error.-shown { display: block; }
CosellDialog #err-step { padding-left: 0; margin-top: 1; }
"""


class CosellDialog(TypeAhead, ClearsStaleErrors, ModalScreen):
    """Shared frame: a title, a scrolling body, Save/Cancel, and the model's refusals beside fields."""

    DEFAULT_CSS = DIALOG_CSS
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "submit", "Save"),
                Binding("q", "ignore", show=False),  # not the app's quit: esc closes the dialog
                *TYPE_AHEAD_BINDINGS]
    TITLE = ""
    SUBMIT = "Save"
    strip = ""

    def __init__(self, deal: Deal | None = None):
        super().__init__(classes="cosell-dialog")
        self.deal = deal
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.heading(), id="dialog-title")
            with VerticalScroll(id="dialog-body"):
                yield from self.fields()
                yield FieldError("", id="err-step")
            with Horizontal(id="dialog-buttons"):
                yield Button(f"{self.SUBMIT} (ctrl+s)", id="submit", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)
        yield Footer(show_command_palette=False)  # ^p is listed once, as the app key

    def heading(self) -> Text:
        text = Text(self.TITLE, style="bold")
        if self.deal is not None:
            text.append(" · ")
            text.append_text(literal(self.deal.name))
        return text

    def fields(self) -> ComposeResult:  # pragma: no cover - every dialog overrides
        yield from ()

    def show_problems(self, violations: list[Violation]) -> None:
        shown = show_in(self, violations, self.strip)
        if shown:
            focus_field_of(shown[0])  # typing goes into the field the error names
            self.query_one("#dialog-body", VerticalScroll).scroll_to_widget(shown[0])

    def action_ignore(self) -> None:
        """Keys the dialog swallows on purpose."""

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#submit")
    def _submit_button(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:  # pragma: no cover - every dialog overrides
        raise NotImplementedError

    # -- running a service call off the UI thread ------------------------------------------
    ACTION: Action | None = None  # what the dialog does to a saved deal (asked again before a re-apply)

    def your_change(self) -> list[tuple[str, object]]:
        """What the conflict dialog shows as the user's change (nothing typed is lost either way)."""
        return []

    def call_service(self, call: Callable[[int], Deal]) -> None:
        """Run ``call(version)`` off the UI thread; dismiss with the updated deal, or show why not."""
        if self.busy or self.deal is None:
            return
        self.busy = True
        self.run_worker(self._save(call), group="dialog-service")

    async def _save(self, call: Callable[[int], Deal]) -> None:
        ctx = self.app.ctx
        try:
            result = await save_checked(self, call, self.deal, your_change=self.your_change(),
                                        recheck=lambda fresh: available_actions(fresh, ctx.user,
                                                                                ctx.clock.now())[self.ACTION])
        except Reloaded as reloaded:
            self._reloaded(reloaded.deal)
        except Cancelled:
            pass
        except RuleViolation as exc:
            self._refused(exc.violations)
        except CosellError as exc:
            self._refused([Violation("", str(exc))])
        else:
            self.dismiss(result)
        finally:
            self.busy = False

    def _refused(self, violations: list[Violation]) -> None:
        self.show_problems(violations)
        self.app.bell()

    def _reloaded(self, fresh: Deal) -> None:
        """Their version is under the dialog now; what the user typed stays for a second ctrl+s."""
        self.deal = fresh
        self.query_one("#dialog-title", Static).update(self.heading())
        self.show_problems([Violation("", "the deal was reloaded with the other change; check and press ctrl+s "
                                          "to apply yours to the current version")])
