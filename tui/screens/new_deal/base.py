"""What every wizard step shares: reading its widgets into the draft, and
showing the model's violations beside the fields they name.

A step owns the violation fields of its part of the deal ("name",
"team[0].email", "invitations[1].close_date" ...). After the wizard asks
``svc.draft_violations`` about the whole draft, each step shows only its own,
each in the error line under its field, in the model's words. Rules are never
restated here: a step knows where a message goes, not why it is raised.
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.binding import Binding
from textual.widgets import Label, RadioSet, Static

from model.domain.errors import Violation
from model.domain.schemas import DealDraft
from tui.screens.dialogs.type_ahead import Input, focus_now
from tui.text import literal

# List fields whose entries are shown together: the noun used for "member 2", "invited partner 1".
ITEM_NOUNS = {"team": "member", "invitations": "invited partner", "customer.contacts": "contact"}
_INDEX = re.compile(r"^\[(\d+)\]\.?")


def slot_id(key: str) -> str:
    """The DOM id of the error line for a field key: "customer.contacts" → "err-customer-contacts"."""
    return "err-" + (re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-") or "step")


def belongs(field: str | None, prefix: str) -> bool:
    """Whether a violation's field is ``prefix`` or one of its parts ("team[0].name" belongs to "team")."""
    if field is None:
        return prefix == ""
    return field == prefix or field.startswith(prefix + ".") or field.startswith(prefix + "[")


def describe(v: Violation, slot: str) -> str:
    """The message as shown under ``slot``; a list entry's number and part lead ("member 2, phone: …")."""
    rest = (v.field or "")[len(slot):] if slot and v.field and v.field.startswith(slot) else ""
    lead = ""
    m = _INDEX.match(rest)
    if m:
        noun = ITEM_NOUNS.get(slot, "entry")
        part = rest[m.end():].replace("_", " ").replace(".", " ")
        lead = f"{noun} {int(m.group(1)) + 1}" + (f", {part}" if part else "") + ": "
    rule = f" ({v.rule})" if v.rule and v.rule != "input" else ""
    kind = "warning: " if v.warning else ""  # a warning to confirm at Create (R6.7), not a refusal
    return f"{kind}{lead}{v.message}{rule}"


def parse_money(text: str, field: str) -> tuple[Decimal | None, list[Violation]]:
    """What was typed as an amount; "60 000", "60,000.50" read as numbers."""
    raw = text.strip().replace(" ", "").replace("\u00a0", "").replace(",", "")
    if not raw:
        return None, []
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None, [Violation("input", f"{text.strip()!r} is not a number", field)]
    if not value.is_finite():
        return None, [Violation("input", f"{text.strip()!r} is not a number", field)]
    return value, []


def parse_date(text: str, field: str) -> tuple[date | None, list[Violation]]:
    raw = text.strip()
    if not raw:
        return None, []
    try:
        return date.fromisoformat(raw), []
    except ValueError:
        return None, [Violation("input", f"{raw!r} is not a date: use YYYY-MM-DD", field)]


class SearchInput(Input):
    """A search box whose ``down`` goes to its results list (scroll containers would take it otherwise)."""

    BINDINGS = [Binding("down", "to_results", "Results", show=False)]

    def __init__(self, *args, results: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.results = results

    def action_to_results(self) -> None:
        focus_now(self.screen.query_one(self.results))


class ChoiceSet(RadioSet):
    """A radio set whose keyboard highlight starts on the chosen button (Textual's starts on the first),
    so arrows move from the current answer."""

    def on_focus(self) -> None:
        if self.pressed_index >= 0:
            self._selected = self.pressed_index


def control_value(widget: Widget) -> object:
    """What a form control holds now (to tell a change from a redraw)."""
    for name in ("value", "pressed_index", "selected"):
        if hasattr(widget, name):
            value = getattr(widget, name)
            return list(value) if isinstance(value, (list, tuple, set)) else value
    return None


class FieldError(Static):
    """The error line under one field; hidden while there is nothing to say."""

    DEFAULT_CLASSES = "field-error"

    def __init__(self, key: str, *, id: str | None = None):
        super().__init__("", id=id or slot_id(key))
        self.key = key
        self.messages: list[str] = []
        self.values_shown: dict[int, object] = {}  # the fields' values the messages are about

    def show(self, messages: list[str]) -> None:
        self.messages = list(messages)
        self.values_shown = {id(c): control_value(c) for c in self._fields_above()} if messages else {}
        text = Text()
        for i, message in enumerate(messages):
            if i:
                text.append("\n")
            text.append("✗ ", style="bold")
            text.append_text(literal(message))
        self.update(text)
        self.set_class(bool(messages), "-shown")

    def _fields_above(self) -> list[Widget]:
        """The controls between the previous error line and this one (the ones it speaks about)."""
        siblings = list(self.parent.children) if self.parent else []
        above: list[Widget] = []
        for node in reversed(siblings[:siblings.index(self)] if self in siblings else []):
            if isinstance(node, FieldError):
                break
            above += [w for w in [node, *node.query("*")] if w.focusable]
        return above


def show_in(container: Widget, violations: list[Violation], strip: str = "") -> list[FieldError]:
    """Put each message under the most specific error line in ``container`` that matches its field.

    ``strip`` removes a leading part of each field first (a dialog for one
    invitation shows "invitations[2].close_date" under its "close_date").
    Messages no line claims go to the general line (key ""), if there is one.
    Returns the error lines now showing something, top first.
    """
    slots = list(container.query(FieldError))
    by_slot: dict[FieldError, list[str]] = {s: [] for s in slots}
    general = next((s for s in slots if s.key == ""), None)
    for v in violations:
        field = re.sub(strip, "", v.field) if strip and v.field else v.field
        v = Violation(v.rule, v.message, field, warning=v.warning)
        matching = [s for s in slots if s.key and belongs(field, s.key)]
        target = max(matching, key=lambda s: len(s.key)) if matching else general
        if target is None:
            continue
        by_slot[target].append(describe(v, target.key))
    for slot, messages in by_slot.items():
        slot.show(messages)
    return [s for s in slots if s.messages]


def focus_field_of(error: FieldError) -> bool:
    """Focus the field an error line belongs to (the nearest focusable widget above it), so what
    the user types next goes where the error is, not into the field that had focus before."""
    siblings = list(error.parent.children) if error.parent else []
    i = siblings.index(error) if error in siblings else -1
    for node in reversed(siblings[:max(i, 0)]):
        for widget in [node, *node.query("*")]:
            if widget.focusable:
                focus_now(widget)
                return True
    return False


def error_line_after(widget: Widget, within: Widget) -> FieldError | None:
    """The error line a field's messages show in: the first ``FieldError`` after the widget (or after
    the row holding it), looking no further out than ``within``."""
    node = widget
    while node is not None and node is not within and node.parent is not None:
        siblings = list(node.parent.children)
        for after in siblings[siblings.index(node) + 1:]:
            if isinstance(after, FieldError):
                return after
        node = node.parent
    return None


_UNSEEN = object()


class ClearsStaleErrors:
    """A form whose ✗ line goes away as soon as the user changes its field (the fix is not
    judged until the next save, but a message about the old value must not stay up)."""

    def _changed(self, message) -> None:
        control = getattr(message, "control", None)
        if control is None:
            return
        line = error_line_after(control, self)
        if line is None:
            return
        value = control_value(control)
        # The field's own line and the lines of what it is part of ("customer.contacts" for its phone).
        lines = [line] + [f for f in self.query(FieldError) if f is not line and f.key and line.key
                          and belongs(line.key, f.key)]
        for shown in lines:
            # Only a change of the value a message was about clears it (not a prefill before it was shown).
            if shown.messages and shown.values_shown.get(id(control), _UNSEEN) != value:
                shown.show([])

    def on_input_changed(self, message) -> None:
        self._changed(message)

    def on_checkbox_changed(self, message) -> None:
        self._changed(message)

    def on_select_changed(self, message) -> None:
        self._changed(message)

    def on_radio_set_changed(self, message) -> None:
        self._changed(message)

    def on_selection_list_selection_toggled(self, message) -> None:
        self._changed(message)


def row(label: str, *widgets: Widget, key: str | None = None, classes: str = "") -> ComposeResult:
    """A labelled form line, with the error line of ``key`` under it."""
    with Horizontal(classes=f"form-row {classes}".strip()):
        yield Label(label, classes="form-label")
        yield from widgets
    if key is not None:
        yield FieldError(key)


class WizardStep(ClearsStaleErrors, VerticalScroll):
    """One page of the wizard. Subclasses say which fields they own and how to read their widgets."""

    key = ""
    title = ""
    owns_fields: tuple[str, ...] = ()

    def __init__(self) -> None:
        super().__init__(id=f"step-{self.key.replace('_', '-')}", classes="wizard-step")

    @property
    def wizard(self):
        return self.screen

    @property
    def ctx(self):
        return self.app.ctx

    # -- subclasses --------------------------------------------------------------------
    def enter(self, draft: DealDraft) -> None:
        """Called each time the step is shown: refresh what depends on earlier steps."""

    def save(self, draft: DealDraft) -> list[Violation]:
        """Write the widgets' values into ``draft``; return what could not be read (not a rule)."""
        return []

    def focus_first(self) -> None:
        for widget in self.query("Input, Select, RadioSet, OptionList, TextArea, Checkbox, SelectionList, Button"):
            if widget.focusable:
                focus_now(widget)
                return

    def moves_on_enter(self, widget: Widget) -> bool:
        """Whether enter in ``widget`` (an input of this step) goes to the next field (``TypeAhead``)."""
        return widget.id in self.enter_next

    enter_next: tuple[str, ...] = ()  # the ids of inputs where enter moves on

    # -- violations --------------------------------------------------------------------
    def owns(self, field: str | None) -> bool:
        return any(belongs(field, prefix) for prefix in self.owns_fields)

    def show_violations(self, violations: list[Violation]) -> list[FieldError]:
        return show_in(self, violations)

    def clear_violations(self) -> None:
        for slot in self.query(FieldError):
            slot.show([])

    def focus_error(self, shown: list[FieldError]) -> None:
        """Move to the field of the first error shown (the widget just above its error line)."""
        if shown:
            focus_field_of(shown[0])
            self.scroll_to_widget(shown[0])


def step_heading(title: str, hint: str = "") -> ComposeResult:
    yield Static(title, classes="step-title")
    if hint:
        yield Static(hint, classes="step-hint")
