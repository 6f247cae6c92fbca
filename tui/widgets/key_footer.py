"""A one-line footer that keeps the most important keys when they do not all fit.

Textual's ``Footer`` cuts off whatever passes the right edge, so at 80 columns
the keys at the end of the binding list (help, quit) vanished; a footer that
wrapped instead cost the grid two rows at 80x24. This footer stays one line:
it uses the same ``FooterKey`` widgets (click to run, tooltip, dimmed when
disabled, remapped keys shown as remapped) and the same binding groups, and
when the width is short it leaves out keys in the screen's ``drop_first``
order (least important first). ``?`` (help, which lists every key) is never
left out, so a key the footer has no room for is one keystroke away.

Textual's footer composes itself again on every bindings refresh: some twenty widgets mounted and
styled and the screen laid out again, ~50 ms of the UI thread, on each tab switch (the Closed tab
has no deal keys) and each Home or End (the cursor's deal changes its keys). This one keeps every
key (or group) it has shown, one widget each, and shows, hides or moves them where they are.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable

from rich.cells import cell_len
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel, KeyGroup

#: The binding that is never left out: it lists every key of the screen.
HELP_ID = "app.help"
#: Hidden keys kept beyond this many are let go (a keymap changed often, say): made again if needed.
KEEP_WIDGETS = 64


@dataclass(frozen=True)
class FooterItem:
    """One key, or one group of keys sharing a label, as the footer would draw it."""

    name: str                      # binding id, or the group's label (what ``drop_first`` names)
    width: int                     # cells
    ids: tuple[str, ...]           # the binding ids it stands for
    look: tuple                    # what its widget shows: the same look is the same widget
    make: Callable[[], Widget]


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
        self._kept: dict[tuple, Widget] = {}  # look -> its widget, shown or hidden (a child of this footer)

    # -- what would be drawn -------------------------------------------------------------------
    def _items(self) -> list[FooterItem]:
        """Each key or group, in binding order (consecutive bindings of one group share a label, as in
        Textual's Footer)."""
        by_action: defaultdict[str, list] = defaultdict(list)
        for _node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show:
                by_action[binding.action].append((binding, enabled, tooltip))
        runs: list[tuple[object, list]] = []
        for multi in by_action.values():
            group = multi[0][0].group
            if group is not None and runs and runs[-1][0] is group:
                runs[-1][1].append(multi[0])
            else:
                runs.append((group, [multi[0]]))
        items: list[FooterItem] = []
        for group, members in runs:
            if group is None or len(members) == 1:
                items += [self._single(*m) for m in members]
            else:
                items.append(self._group(group, members))
        return items

    def _single(self, binding, enabled: bool, tooltip: str) -> FooterItem:
        display = self.app.get_key_display(binding)
        name = binding.id or binding.action

        def make() -> Widget:
            return FooterKey(binding.key, display, binding.description, binding.action, disabled=not enabled,
                             tooltip=tooltip or binding.tooltip)

        return FooterItem(name, cell_len(display) + 1 + cell_len(binding.description) + 1, (name,),
                          ("key", binding.key, display, binding.description, binding.action), make)

    def _group(self, group, members: list) -> FooterItem:
        displays = [self.app.get_key_display(b) for b, _enabled, _tooltip in members]

        def make() -> Widget:
            keys = [FooterKey(b.key, shown, "", b.action, disabled=not enabled,
                              tooltip=tooltip or b.tooltip or b.description, classes="-grouped")
                    for (b, enabled, tooltip), shown in zip(members, displays)]
            return KeyGroup(*keys, FooterLabel(group.description), classes="-compact" if group.compact else "")

        width = 1 + sum(cell_len(d) for d in displays) + 1 + cell_len(group.description) + 1
        look = ("group", group.description, group.compact,
                tuple((b.key, shown, b.action) for (b, _e, _t), shown in zip(members, displays)))
        return FooterItem(group.description, width, tuple(b.id or b.action for b, _e, _t in members), look, make)

    def fit(self, items: list[FooterItem], width: int) -> list[FooterItem]:
        """The items that fit in ``width``: leave out ``drop_first`` in order, then from the end (never help)."""
        kept = list(items)
        self.left_out = []

        def used() -> int:
            return sum(item.width for item in kept)

        def leave_out(item: FooterItem) -> None:
            kept.remove(item)
            self.left_out.extend(item.ids)

        for name in self.drop_first:
            if used() <= width:
                break
            for item in [i for i in kept if i.name == name]:
                leave_out(item)
        while used() > width:
            victim = next((i for i in reversed(kept) if i.name != HELP_ID), None)
            if victim is None:
                break
            leave_out(victim)
        return kept

    def _signature(self, width: int) -> tuple:
        """Everything the footer's keys are drawn from: the same signature draws the same keys."""
        return width, tuple((b.id or b.action, b.key, self.app.get_key_display(b), b.description, enabled, tooltip)
                            for _node, b, enabled, tooltip in self.screen.active_bindings.values() if b.show)

    # -- keeping the drawing up to date ----------------------------------------------------------
    def bindings_changed(self, screen) -> None:
        """Textual recomposes the footer on every bindings refresh (each key, each cursor move). Nothing
        changed: nothing to do. Only which keys are enabled changed: the keys are dimmed or undimmed
        where they are. Other keys (another tab's, another deal's, a remapped key): the kept widgets
        are shown, hidden or moved, and only a key never shown before is mounted (``_arrange``).
        The first refresh composes the footer, as Textual's does."""
        if self._bindings_ready and self.is_attached and screen is self.screen and self._composed is not None:
            now = self._signature(self._last_width)
            if now == self._composed:
                return
            if _layout(now) != _layout(self._composed):
                self._arrange(self._last_width, now)
            self._restyle()
            self._composed = now
            return
        super().bindings_changed(screen)

    def _arrange(self, width: int, signature: tuple | None = None) -> None:
        """Show the keys that fit in ``width`` in binding order, from the kept widgets where possible
        (``signature``: the bindings' ``_signature`` at this width, when the caller has it already)."""
        wanted: list[Widget] = []
        for item in self.fit(self._items(), width):
            widget = self._kept.get(item.look)
            if widget is None or widget.parent is not self:
                widget = self._kept[item.look] = item.make()
            wanted.append(widget)
        self._last_width = width
        self._composed = signature if signature is not None else self._signature(width)
        shown = set(wanted)
        for widget in self._kept.values():
            if widget.parent is self and widget.display != (widget in shown):
                widget.display = widget in shown
        self._place(wanted)
        self._let_go(shown)

    def _place(self, wanted: list[Widget]) -> None:
        """Mount the new ones among the kept, and move kept ones only when the order is not the wanted one."""
        previous: Widget | None = None
        for widget in wanted:
            if widget.parent is not self:
                if previous is not None:
                    self.mount(widget, after=previous)
                elif self.children:
                    self.mount(widget, before=0)
                else:
                    self.mount(widget)
            previous = widget
        shown = set(wanted)
        if [c for c in self.children if c in shown] == wanted:
            return
        previous = None
        for widget in wanted:
            if previous is None:
                if self.children[0] is not widget:
                    self.move_child(widget, before=0)
            else:
                self.move_child(widget, after=previous)
            previous = widget

    def _let_go(self, shown: set[Widget]) -> None:
        if len(self._kept) <= KEEP_WIDGETS:
            return
        for look, widget in list(self._kept.items()):
            if widget not in shown:
                del self._kept[look]
                if widget.parent is self:
                    widget.remove()

    def _restyle(self) -> None:
        """Each key dimmed (disabled) or not, with its tooltip, as the bindings say now."""
        states = {(b.key, b.action): (enabled, tooltip, b)
                  for _node, b, enabled, tooltip in self.screen.active_bindings.values() if b.show}
        for key in self.query(FooterKey):
            found = states.get((key.key, key.action))
            if found is None:
                continue
            enabled, tooltip, binding = found
            if key._disabled != (not enabled):
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
        self._kept = {}
        for item in self.fit(self._items(), width):
            widget = self._kept[item.look] = item.make()
            yield widget

    def on_resize(self) -> None:
        if self.size.width != self._last_width and self._bindings_ready:
            self.call_after_refresh(self._follow_width)

    def _follow_width(self) -> None:
        if self._composed is None or not self.is_attached:
            self.recompose()
            return
        width = max(self.size.width or self.app.size.width, 20)
        if width != self._last_width:
            self._arrange(width)
            self._restyle()


def _layout(signature: tuple) -> tuple:
    """A signature without the enabled states and tooltips: what decides which keys are drawn where."""
    width, keys = signature
    return width, tuple(k[:4] for k in keys)
