"""Help (`?`): every key of the screen underneath, with what it does and its binding id.

Built from the screen's active bindings at the moment `?` is pressed (the
focused widget's, the screen's and the app's), so it lists exactly the keys
that work there, including remapped ones and those the footer has no room
for. The binding id is what a ``[keymap]`` entry in the settings file uses.
While sync with Partner Center is in use, a line says what the grid's sync marks mean.
"""
from __future__ import annotations

from dataclasses import dataclass

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


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 100%; height: auto; max-height: 100%; margin: 0 1;
        border: round $accent; background: $panel; padding: 0 1;
    }
    HelpScreen Label { color: $text-muted; width: 1fr; }
    HelpScreen DataTable { height: auto; max-height: 100%; }
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
            table = DataTable(cursor_type="row", zebra_stripes=True, id="help-keys")
            table.add_columns("Key", "Does", "Binding id")
            for k in self.keys:
                table.add_row(Text(k.keys, style="bold"),
                              Text(k.description + ("" if k.enabled else " (not now)")), Text(k.binding_id))
            yield table
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll(self, delta: int) -> None:
        table = self.query_one(DataTable)
        table.move_cursor(row=table.cursor_row + delta)
