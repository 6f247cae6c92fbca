"""A footer that wraps onto a second line instead of cutting keys off.

Textual's ``Footer`` is one line; at 80 columns the dashboard's keys do not
fit, and a key the footer cuts off is a key nobody finds. This footer uses the
same ``FooterKey`` widgets (click to run, tooltip, dimmed when disabled,
remapped keys shown as remapped) and the same binding groups, but lays them
out in as many rows as the width needs (at most ``MAX_ROWS``).
"""
from __future__ import annotations

from collections import defaultdict

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel, KeyGroup

MAX_ROWS = 3


class KeyFooter(Footer):
    DEFAULT_CSS = """
    KeyFooter.-wrapping {
        layout: vertical;
        height: auto;
        max-height: 3;
        & > .key-row { height: 1; width: 1fr; }
        FooterLabel { margin: 0 0 0 1; }
    }
    """

    def __init__(self, **kw) -> None:
        kw.setdefault("compact", True)
        super().__init__(**kw)
        self.add_class("-wrapping")
        self._last_width = 0

    def _items(self) -> list[tuple[Widget, int]]:
        """(widget, width in cells) for each key or group, in binding order."""
        by_action: defaultdict[str, list] = defaultdict(list)
        for _node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show:
                by_action[binding.action].append((binding, enabled, tooltip))
        # Consecutive bindings of one group share a label, as in Textual's Footer.
        runs: list[tuple[object, list]] = []
        for multi in by_action.values():
            group = multi[0][0].group
            if group is not None and runs and runs[-1][0] is group:
                runs[-1][1].append(multi[0])
            else:
                runs.append((group, [multi[0]]))
        items: list[tuple[Widget, int]] = []
        for group, members in runs:
            if group is None or len(members) == 1:
                items += [self._single(*m) for m in members]
                continue
            keys = [FooterKey(b.key, self.app.get_key_display(b), "", b.action, disabled=not enabled,
                              tooltip=tooltip or b.tooltip or b.description, classes="-grouped")
                    for b, enabled, tooltip in members]
            width = 1 + sum(cell_len(k.key_display) for k in keys) + 1 + cell_len(group.description) + 1
            items.append((KeyGroup(*keys, FooterLabel(group.description),
                                   classes="-compact" if group.compact else ""), width))
        return items

    def _single(self, binding, enabled: bool, tooltip: str) -> tuple[Widget, int]:
        display = self.app.get_key_display(binding)
        key = FooterKey(binding.key, display, binding.description, binding.action, disabled=not enabled,
                        tooltip=tooltip or binding.tooltip)
        return key, cell_len(display) + 1 + cell_len(binding.description) + 1

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        width = max(self.size.width or self.app.size.width, 20)
        self._last_width = width
        rows: list[list[Widget]] = [[]]
        used = 0
        for widget, w in self._items():
            if rows[-1] and used + w > width and len(rows) < MAX_ROWS:
                rows.append([])
                used = 0
            rows[-1].append(widget)
            used += w
        for row in rows:
            yield HorizontalGroup(*row, classes="key-row")

    def on_resize(self) -> None:
        if self.size.width != self._last_width and self._bindings_ready:
            self.call_after_refresh(self.recompose)
