"""A one-line footer that keeps the most important keys when they do not all fit.

Textual's ``Footer`` cuts off whatever passes the right edge, so at 80 columns
the keys at the end of the binding list (help, quit) vanished; a footer that
wrapped instead cost the grid two rows at 80x24. This footer stays one line:
it uses the same ``FooterKey`` widgets (click to run, tooltip, dimmed when
disabled, remapped keys shown as remapped) and the same binding groups, and
when the width is short it leaves out keys in the screen's ``drop_first``
order (least important first). ``?`` (help, which lists every key) is never
left out, so a key the footer has no room for is one keystroke away.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from rich.cells import cell_len
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel, KeyGroup

#: The binding that is never left out: it lists every key of the screen.
HELP_ID = "app.help"


class KeyFooter(Footer):
    DEFAULT_CSS = """
    KeyFooter.-one-line {
        height: 1;
        &.-compact FooterLabel { margin: 0 0 0 1; }
    }
    """

    def __init__(self, *, drop_first: Iterable[str] = (), **kw) -> None:
        """``drop_first``: binding ids (or a group's label, e.g. "Quick") to leave out first when short of room."""
        kw.setdefault("compact", True)
        kw.setdefault("show_command_palette", False)  # ^p is the app's binding: listed once, in drop order
        super().__init__(**kw)
        self.add_class("-one-line")
        self.drop_first = tuple(drop_first)
        self._last_width = 0
        self.left_out: list[str] = []   # binding ids the last layout had no room for
        self._composed: tuple | None = None  # what the keys on screen were drawn from

    def _items(self) -> list[tuple[str, Widget, int, tuple[str, ...]]]:
        """(id or group label, widget, width in cells, binding ids) for each key or group, in binding order."""
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
        items: list[tuple[str, Widget, int, tuple[str, ...]]] = []
        for group, members in runs:
            if group is None or len(members) == 1:
                items += [self._single(*m) for m in members]
                continue
            keys = [FooterKey(b.key, self.app.get_key_display(b), "", b.action, disabled=not enabled,
                              tooltip=tooltip or b.tooltip or b.description, classes="-grouped")
                    for b, enabled, tooltip in members]
            width = 1 + sum(cell_len(k.key_display) for k in keys) + 1 + cell_len(group.description) + 1
            items.append((group.description, KeyGroup(*keys, FooterLabel(group.description),
                                                       classes="-compact" if group.compact else ""), width,
                          tuple(b.id or b.action for b, _enabled, _tooltip in members)))
        return items

    def _single(self, binding, enabled: bool, tooltip: str) -> tuple[str, Widget, int, tuple[str, ...]]:
        display = self.app.get_key_display(binding)
        key = FooterKey(binding.key, display, binding.description, binding.action, disabled=not enabled,
                        tooltip=tooltip or binding.tooltip)
        name = binding.id or binding.action
        return name, key, cell_len(display) + 1 + cell_len(binding.description) + 1, (name,)

    def fit(self, items: list, width: int) -> list:
        """The items that fit in ``width``: leave out ``drop_first`` in order, then from the end (never help)."""
        kept = list(items)
        self.left_out = []

        def used() -> int:
            return sum(item[2] for item in kept)

        def leave_out(item) -> None:
            kept.remove(item)
            self.left_out.extend(item[3])

        for name in self.drop_first:
            if used() <= width:
                break
            for item in [i for i in kept if i[0] == name]:
                leave_out(item)
        while used() > width:
            victim = next((i for i in reversed(kept) if i[0] != HELP_ID), None)
            if victim is None:
                break
            leave_out(victim)
        return kept

    def _signature(self, width: int) -> tuple:
        """Everything the footer's keys are drawn from: the same signature draws the same keys."""
        return width, tuple((b.id or b.action, b.key, self.app.get_key_display(b), b.description, enabled, tooltip)
                            for _node, b, enabled, tooltip in self.screen.active_bindings.values() if b.show)

    def bindings_changed(self, screen) -> None:
        """Textual recomposes the footer on every bindings refresh (each key, each cursor move). Nothing
        changed: nothing to do. Only which keys are enabled changed (the cursor moved to a deal that
        allows other actions): the keys on screen are dimmed or undimmed where they are, since a
        recompose (some twenty widgets mounted, the screen laid out again, ~50 ms) would make the next
        key wait. Anything else (a key, a label, the width): the keys are composed again."""
        if self._bindings_ready and self.is_attached and screen is self.screen and self._composed is not None:
            now = self._signature(self._last_width)
            if now == self._composed:
                return
            if _layout(now) == _layout(self._composed):
                self._restyle()
                self._composed = now
                return
        super().bindings_changed(screen)

    def _restyle(self) -> None:
        """Each key on screen dimmed (disabled) or not, with its tooltip, as the bindings say now."""
        states = {(b.key, b.action): (enabled, tooltip, b)
                  for _node, b, enabled, tooltip in self.screen.active_bindings.values() if b.show}
        for key in self.query(FooterKey):
            found = states.get((key.key, key.action))
            if found is None:
                continue
            enabled, tooltip, binding = found
            key._disabled = not enabled  # what FooterKey's click consults (Textual keeps it private)
            key.set_class(not enabled, "-disabled")
            grouped = key.has_class("-grouped")
            key.tooltip = (tooltip or binding.tooltip or (binding.description if grouped else "")) or None

    def compose(self):
        if not self._bindings_ready:
            return
        width = max(self.size.width or self.app.size.width, 20)
        self._last_width = width
        self._composed = self._signature(width)
        for item in self.fit(self._items(), width):
            yield item[1]

    def on_resize(self) -> None:
        if self.size.width != self._last_width and self._bindings_ready:
            self.call_after_refresh(self.recompose)


def _layout(signature: tuple) -> tuple:
    """A signature without the enabled states and tooltips: what decides which keys are drawn where."""
    width, keys = signature
    return width, tuple(k[:4] for k in keys)

