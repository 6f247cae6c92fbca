"""Checkboxes, radio buttons and selection lists whose state reads without colour.

Textual draws every toggle as ``▐X▌`` and tells on from off by colour alone; under ``NO_COLOR``
(and on a monochrome terminal) that is two grey levels. Here, when the app runs without colour,
the state is in the glyph: ``[x]`` / ``[ ]`` for a checkbox or a selection-list row, ``(•)`` / ``( )``
for a radio button. With colour the look stays Textual's (the snapshots are of that).

Import ``Checkbox``, ``RadioButton`` and ``SelectionList`` from here instead of ``textual.widgets``.
"""
from __future__ import annotations

from rich.segment import Segment
from textual._context import NoActiveAppError
from textual.content import Content
from textual.strip import Strip
from textual.widgets import Checkbox as _Checkbox
from textual.widgets import RadioButton as _RadioButton
from textual.widgets import SelectionList as _SelectionList
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.option_list import OptionDoesNotExist

CHECK_ON, CHECK_OFF = "[x]", "[ ]"
RADIO_ON, RADIO_OFF = "(•)", "( )"


def without_colour(widget) -> bool:
    """Whether the app shows no colour (``NO_COLOR`` is set), so state must be in the characters."""
    try:
        return bool(widget.app.no_color)
    except NoActiveAppError:  # not in an app yet: draw as Textual does
        return False


class _Glyphs:
    """The button part of a toggle: Textual's, or the state as a glyph when there is no colour."""

    ON = CHECK_ON
    OFF = CHECK_OFF

    @property
    def _button(self) -> Content:
        if not without_colour(self):
            return super()._button
        style = self.get_visual_style("toggle--button")
        return Content.styled(self.ON if self.value else self.OFF, style)


class Checkbox(_Glyphs, _Checkbox):
    ON, OFF = CHECK_ON, CHECK_OFF


class RadioButton(_Glyphs, _RadioButton):
    ON, OFF = RADIO_ON, RADIO_OFF


class SelectionList(_SelectionList):
    """A selection list whose rows start with ``[x]`` / ``[ ]`` when there is no colour."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        if not without_colour(self):
            return strip
        segments = list(strip)
        button = ToggleButton.BUTTON_LEFT + ToggleButton.BUTTON_INNER + ToggleButton.BUTTON_RIGHT
        if len(segments) < 3 or "".join(s.text for s in segments[:3]) != button:
            return strip  # not an option row (or Textual changed how it draws one)
        try:
            option = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:  # past the last option
            return strip
        glyph = CHECK_ON if option.value in self.selected else CHECK_OFF
        style = segments[1].style
        return Strip([Segment(glyph, style), *segments[3:]], strip.cell_length)
