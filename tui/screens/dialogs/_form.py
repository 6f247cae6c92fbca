"""What every deal dialog shares: a titled box of labelled fields, an error line
beside each field, Save/Cancel buttons, and the keys shown in the footer.

A form only parses what the user typed (a number, a date); whether a value is
*allowed* is the model's call. The action controller reopens a form with the
model's refusals, and ``show_errors`` puts each beside the field it names.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import ClassVar, Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Footer, Label, Select, Static, TextArea

from model.domain.errors import Violation
from tui.screens.dialogs.type_ahead import TYPE_AHEAD_BINDINGS, Input, TypeAhead, focus_now
from tui.text import clean, literal


class FormError(ValueError):
    """A value the form could not read (not a number, not a date), named by field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def field_key(violation: Violation) -> str | None:
    """The form field a violation names: ``team[0].email`` → ``team``, ``customer.contacts`` → ``customer``."""
    if not violation.field:
        return None
    return violation.field.split(".", 1)[0].split("[", 1)[0]


def split_violations(violations: Iterable[Violation], fields: Iterable[str]) -> tuple[list[Violation], list[Violation]]:
    """(those a form shows beside one of ``fields``, the rest)."""
    names = set(fields)
    mine, rest = [], []
    for v in violations:
        (mine if field_key(v) in names else rest).append(v)
    return mine, rest


def violation_text(violations: Iterable[Violation]) -> Text:
    return literal("\n".join(f"{v.message} ({v.rule})" for v in violations))


def parse_decimal(field: str, text: str, *, required: bool = True) -> Decimal | None:
    raw = text.strip().replace(",", "").replace("_", "").replace(" ", "")
    if not raw:
        if required:
            raise FormError(field, "enter an amount")
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise FormError(field, f"{text.strip()!r} is not a number") from None
    if not value.is_finite():
        raise FormError(field, f"{text.strip()!r} is not a number")
    return value


def parse_date(field: str, text: str, *, required: bool = True) -> date | None:
    raw = text.strip()
    if not raw:
        if required:
            raise FormError(field, "enter a date as YYYY-MM-DD")
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise FormError(field, f"{raw!r} is not a date; use YYYY-MM-DD") from None


def _value_of(control: Widget | None) -> object:
    """What a form control holds now (to tell the user's change from a redraw)."""
    for name in ("value", "text"):
        if control is not None and hasattr(control, name):
            return getattr(control, name)
    return None


class FormDialog(TypeAhead, ModalScreen[dict | None]):
    """Base of the deal forms. Subclasses compose their rows with ``field`` and read them in ``collect``.

    Dismisses with a dict of the values (what the service call needs) or ``None``.
    """

    CSS_PATH = "form.tcss"
    FIELDS: ClassVar[tuple[str, ...]] = ()
    SUBMIT_LABEL: ClassVar[str] = "Save"

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("ctrl+s", "submit", "Save", id="dialog.submit"),
        *TYPE_AHEAD_BINDINGS,
    ]

    def __init__(self, *, values: dict | None = None, errors: Iterable[Violation] = ()) -> None:
        super().__init__()
        self.values: dict = dict(values or {})
        self.initial_errors: list[Violation] = list(errors)
        self._present: set[str] = set()
        self._unreadable: list[FormError] = []  # what this save could not read, every field of it
        self._shown_for: dict[str, object] = {}  # a field in error: its value when the error was shown

    # -- composition --------------------------------------------------------
    def heading(self) -> Text:
        raise NotImplementedError

    def compose_body(self) -> ComposeResult:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.heading(), classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield from self.compose_body()
            yield Static("", id="form-errors", classes="form-errors")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.SUBMIT_LABEL, id="submit", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)
        yield Footer(show_command_palette=False)  # ^p is listed once, as the app key

    def field(self, name: str, label: str, widget: Widget, *, hint: Text | str | None = None) -> ComposeResult:
        """One row: label and widget, then an optional hint and the (hidden until needed) error line."""
        self._present.add(name)
        with Horizontal(classes="field-row", id=f"row-{name}"):
            yield Label(label, classes="field-label")
            yield widget
        if hint is not None:
            yield Static(hint if isinstance(hint, Text) else Text(hint), classes="field-hint", id=f"hint-{name}")
        yield Static("", id=f"error-{name}", classes="field-error")

    def on_mount(self) -> None:
        self.show_errors(self.initial_errors)
        first_error = next((field_key(v) for v in self.initial_errors if field_key(v) in self._present), None)
        self.focus_field(first_error)

    def focus_field(self, name: str | None) -> None:
        """Focus the named field (where an error is), else the first focusable field."""
        if name is not None:
            row = self.query(f"#row-{name}")
            if row:
                for widget in row.first().query("Input, Select, TextArea, Checkbox"):
                    if widget.focusable:
                        focus_now(widget)
                        return
        for widget in self.query("Input, Select, TextArea"):
            if widget.focusable:
                focus_now(widget)
                return

    # -- errors ----------------------------------------------------------------
    def show_errors(self, violations: Iterable[Violation]) -> None:
        """Each violation beside its field; the rest (or a field this form lacks) above the buttons."""
        violations = list(violations)
        mine, rest = split_violations(violations, self._present)
        for name in self._present:
            here = [v for v in mine if field_key(v) == name]
            self._show_line(name, violation_text(here) if here else None)
        general = self.query_one("#form-errors", Static)
        general.update(violation_text(rest))
        general.display = bool(rest)

    def show_form_errors(self, errors: list[FormError]) -> None:
        """Every field this save could not read, at once; the cursor goes to the first (in form order)."""
        for error in errors:
            self._show_line(error.field, literal(str(error)))
        order = list(self.FIELDS) or sorted(self._present)
        first = min(errors, key=lambda e: order.index(e.field) if e.field in order else len(order))
        self.focus_field(first.field)

    def show_form_error(self, error: FormError) -> None:
        self.show_form_errors([error])

    def _show_line(self, name: str, message: Text | None) -> None:
        """The error line under field ``name``: ``message``, or hidden for None."""
        line = self.query_one(f"#error-{name}", Static)
        line.update(message or "")
        line.display = message is not None
        self.query_one(f"#row-{name}").set_class(message is not None, "-invalid")
        if message is None:
            self._shown_for.pop(name, None)
        else:
            self._shown_for[name] = _value_of(self._control(name))

    def _control(self, name: str) -> Widget | None:
        rows = self.query(f"#row-{name}")
        found = rows.first().query("Input, Select, TextArea, Checkbox") if rows else []
        return found.first() if found else None

    def _changed(self, control: Widget) -> None:
        """A field in error changed: its ✗ line goes (the next save judges the new value), so no
        message about the old value stays up. A prefill before the line was shown does not count."""
        row = next((node for node in control.ancestors_with_self if (node.id or "").startswith("row-")), None)
        name = row.id.removeprefix("row-") if row is not None else None
        if name in self._shown_for and self._shown_for[name] != _value_of(control):
            self._show_line(name, None)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._changed(event.input)

    def on_select_changed(self, event: Select.Changed) -> None:
        self._changed(event.select)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._changed(event.text_area)

    def on_checkbox_changed(self, event) -> None:
        self._changed(event.checkbox)

    # -- reading ---------------------------------------------------------------
    def prefill(self, name: str, default: object) -> str:
        """What a field starts with: what the user typed last time (a reopened form), else the deal's value,
        without control characters or escape sequences (an input shows its text as typed)."""
        value = self.values.get(name, default)
        return "" if value is None else clean(getattr(value, "value", value))

    def collect(self) -> dict:
        """The values as the service wants them; raises FormError for what cannot be read (or reads
        through ``read``, so every unreadable field of one save is shown at once)."""
        raise NotImplementedError

    def read(self, parse, field: str, text: str, **kw):
        """``parse(field, text)``; what cannot be read is noted for this save and read as None."""
        try:
            return parse(field, text, **kw)
        except FormError as error:
            self._unreadable.append(error)
            return None

    def text(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value

    def choice(self, name: str):
        value = self.query_one(f"#{name}", Select).value
        return None if value is Select.NULL else value

    def area(self, name: str) -> str:
        return self.query_one(f"#{name}", TextArea).text

    # -- actions ---------------------------------------------------------------
    def action_submit(self) -> None:
        self.show_errors([])
        self._unreadable = []
        try:
            values = self.collect()
        except FormError as error:
            self._unreadable.append(error)
        if self._unreadable:
            self.show_form_errors(self._unreadable)
            return
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "submit":
            self.action_submit()
        elif event.button.id == "cancel":
            self.action_cancel()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in any field saves: every field is prefilled, so one change and Enter is the common case."""
        event.stop()
        self.action_submit()
