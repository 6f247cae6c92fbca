"""Column chooser (`c`, R11.3): which columns the grid shows on this tab.

Dismisses with the chosen column keys (in the grid's order) or None when
cancelled; the dashboard stores the choice in the settings file per tab, so
it survives a restart.
"""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Label
from textual.widgets.selection_list import Selection

from model.domain.enums import Tab
from tui.screens.dialogs.toggles import SelectionList  # its state reads without colour (NO_COLOR)
from tui.settings import DEFAULT_COLUMNS
from tui.widgets.deal_columns import COLUMNS


class ColumnList(SelectionList):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="columns.down"),
        Binding("k", "cursor_up", "Up", show=False, id="columns.up"),
    ]


class ColumnChooser(ModalScreen[list[str] | None]):
    DEFAULT_CSS = """
    ColumnChooser { align: center middle; }
    ColumnChooser > Vertical {
        width: 60; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $panel; padding: 0 1;
    }
    ColumnChooser Label { width: 1fr; color: $text-muted; }
    ColumnChooser ColumnList { height: auto; max-height: 20; border: none; }
    """

    BINDINGS = [
        Binding("enter", "apply", "Apply", priority=True, id="columns.apply", tooltip="Keep this choice"),
        Binding("escape", "cancel", "Cancel", id="columns.cancel", tooltip="Leave the columns as they were"),
        Binding("ctrl+r", "reset", "Defaults", id="columns.reset", tooltip="Tick the default columns of this tab"),
    ]

    def __init__(self, tab: Tab, current: list[str]) -> None:
        super().__init__()
        self.tab = tab
        self.current = list(current)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Columns of {self.tab.value.capitalize()} · space ticks, enter keeps")
            yield ColumnList(*(
                Selection(Text.assemble((col.title, "bold"), "  ", (col.description, "dim")), key,
                          key in self.current, id=f"col-{key}")
                for key, col in COLUMNS.items()
            ), id="column-list")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(ColumnList).focus()

    def action_apply(self) -> None:
        chosen = [key for key in COLUMNS if key in self.query_one(ColumnList).selected]
        if not chosen:
            self.notify("Keep at least one column", severity="warning")
            return
        self.dismiss(chosen)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_reset(self) -> None:
        columns = self.query_one(ColumnList)
        columns.deselect_all()
        for key in DEFAULT_COLUMNS[self.tab.value]:
            columns.select(key)
