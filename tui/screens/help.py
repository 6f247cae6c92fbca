"""Help (`?`): every key of the screen underneath, with what it does and its binding id.

Built from the screen's active bindings at the moment `?` is pressed (the
focused widget's, the screen's and the app's), so it lists exactly the keys
that work there, including remapped ones and those the footer has no room
for. The binding id is what a ``[keymap]`` entry in the settings file uses.
While sync with Partner Center is in use, a line says what the grid's sync marks mean.
"""
from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Label

from tui.settings import config_path


@dataclass(frozen=True)
class KeyHelp:
    keys: str
    description: str
    binding_id: str
    enabled: bool


def keys_of(screen: Screen) -> list[KeyHelp]:
    """The screen's active bindings, one line per binding (its keys joined); on a screen whose footer
    lists only the deal keys allowed now, every deal key all the same (help is where keys are learnt)."""
    app = screen.app
    grouped: dict[tuple, list] = {}
    bindings = getattr(screen, "every_binding", None) or screen.active_bindings
    for key, active in bindings.items():
        binding = active.binding
        if binding.system:
            continue
        ident = (id(active.node), binding.id or binding.action)
        grouped.setdefault(ident, [active, []])[1].append(app.get_key_display(binding.with_key(key)))
    out = []
    for active, keys in grouped.values():
        b = active.binding
        text = b.description if not b.tooltip else (f"{b.description}: {b.tooltip}" if b.description else b.tooltip)
        out.append(KeyHelp(" ".join(dict.fromkeys(keys)), text or b.action, b.id or "", active.enabled))
    return out


#: Cells around the keys table: the panel's margin, border and padding (``HelpScreen.DEFAULT_CSS``).
_FRAME = 6
_BORDER = 2   # the panel's border lines, above and below the table
_LEAST_DOES = 16   # the description column is never narrower (then the table scrolls sideways)


def column_widths(keys: list[KeyHelp], room: int, padding: int) -> tuple[int, int, int]:
    """(key, description, binding id) column widths for a table ``room`` cells wide."""
    key_w = max((cell_len(k.keys) for k in keys), default=0)
    id_w = max((cell_len(k.binding_id) for k in keys), default=0)
    key_w, id_w = max(key_w, len("Key")), max(id_w, len("Binding id"))
    return key_w, max(room - key_w - id_w - 3 * 2 * padding, _LEAST_DOES), id_w


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 100%; height: auto; max-height: 100%; margin: 0 1;
        border: round $accent; background: $panel; padding: 0 1;
    }
    HelpScreen Label { color: $text-muted; width: 1fr; }
    HelpScreen DataTable { height: auto; }
    """

    BINDINGS = [
        Binding("escape,question_mark,q", "close", "Close", id="help.close", tooltip="Back to the screen"),
        Binding("j", "scroll(1)", "Down", show=False, id="help.down"),
        Binding("k", "scroll(-1)", "Up", show=False, id="help.up"),
    ]

    def __init__(self, title: str, keys: list[KeyHelp], notes: list[str] = ()) -> None:
        super().__init__()
        self.title_text = title
        self.keys = keys
        self.notes = list(notes)   # lines under the title, e.g. what the sync marks mean
        self._widths: tuple[int, int, int] | None = None

    @classmethod
    def for_screen(cls, screen: Screen) -> HelpScreen:
        from tui.sync_watch import legend, watch_of

        title = getattr(screen, "HELP_TITLE", None) or type(screen).__name__.removesuffix("Screen")
        watch = watch_of(screen.app)
        return cls(title, keys_of(screen), [legend()] if watch is not None and watch.in_use else [])

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(f"Keys of {self.title_text} · remap a key by its id in the [keymap] table of "
                             f"{config_path()}"))
            for note in self.notes:
                yield Label(Text(note), classes="help-note")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="help-keys")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._fill()
        self.query_one(DataTable).focus()
        self.call_after_refresh(self._cap_height)

    def on_resize(self) -> None:
        self._fill()
        self.call_after_refresh(self._cap_height)

    def _cap_height(self) -> None:
        """The table takes at most what the panel leaves under its title lines (past that it scrolls), so
        its last key can be scrolled to; with few keys the panel stays as short as they are."""
        used = self.query_one(Footer).outer_size.height + sum(label.outer_size.height for label in self.query(Label))
        self.query_one(DataTable).styles.max_height = max(self.size.height - used - _BORDER, 3)

    def _fill(self) -> None:
        """The key and id columns as wide as their widest entry (an id is what a keymap entry needs, so it
        is never cut); the description takes what is left and wraps (a row grows a line)."""
        table = self.query_one(DataTable)
        widths = column_widths(self.keys, self.app.size.width - _FRAME - table.styles.scrollbar_size_vertical,
                               table.cell_padding)
        if widths == self._widths:
            return
        self._widths = widths
        row = table.cursor_row
        table.clear(columns=True)
        for title, width in zip(("Key", "Does", "Binding id"), widths):
            table.add_column(title, width=width)
        for k in self.keys:
            table.add_row(Text(k.keys, style="bold"), Text(k.description + ("" if k.enabled else " (not now)")),
                          Text(k.binding_id), height=None)
        table.move_cursor(row=row)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll(self, delta: int) -> None:
        table = self.query_one(DataTable)
        table.move_cursor(row=table.cursor_row + delta)
