"""How the deal grid draws a line: the header, a row, the "…" of a page still coming, and the
frozen columns that stay while the rest scroll sideways.

A mixin of ``DealTable`` (as ``DealTableKeys`` is for its keys), so the widget module keeps to
what rows it holds and when it fetches them.
"""
from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from model.domain.listing import DealQuery
from model.domain.schemas import DealRow
from tui.widgets.deal_columns import column_for_sort, header_text, row_segments, sync_cell
from tui.widgets.deal_pages import PAGE


class DealTableRender:
    # -- rendering ------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            return self._header_strip(width, base)
        index = round(self.scroll_y) + y - 1
        if index >= self.total:
            if self.total == 0 and y == 2 and not self.fetching:
                text = Text("  No deals here" + (" match the filter" if _filtered(self.query_spec) else ""),
                            style=self.get_component_rich_style("deal-table--empty"))
                return Strip(list(text.render(self.app.console)), text.cell_len).extend_cell_length(width, base).crop(0, width)
            return Strip.blank(width, base)
        row = self.row_at(index)
        if row is None:
            self._want(index // PAGE)
            style = base + self.get_component_rich_style("deal-table--placeholder")
            return Strip([Segment(" " * self.mark_cells + "…", style)]).extend_cell_length(width, style).crop(0, width)
        return self._row_strip(row, index, width, base)

    def _header_strip(self, width: int, base: Style) -> Strip:
        sort_key, desc = self.effective_sort
        text = header_text(self._columns_layout(), column_for_sort(sort_key), desc,
                           self.cursor_column if self.has_focus else None,
                           self.get_component_rich_style("deal-table--header-sorted", partial=True),
                           self.get_component_rich_style("deal-table--column-cursor", partial=True))
        return self._line_strip([Segment(" " * self.mark_cells)], Strip(list(text.render(self.app.console)),
                                text.cell_len), width, base + self.get_component_rich_style("deal-table--header"))

    def _row_strip(self, row: DealRow, index: int, width: int, base: Style) -> Strip:
        marked, cursor = row.id in self.marked, index == self.cursor_row
        style = base
        if marked:
            style += self.get_component_rich_style("deal-table--marked")
        if cursor:
            style += self.get_component_rich_style("deal-table--cursor")
        body, length = row_segments(row, self._columns_layout(), self.app.ctx.clock.now(),
                                    lambda part: self.get_component_rich_style(f"deal-table--{part}", partial=True))
        # The gutter says it in characters too (▸ cursor, ● marked): NO_COLOR and screen readers lose styles.
        gutter = [Segment(("▸" if cursor else " ") + ("●" if marked else " "))]
        if self.sync_marks is not None:
            glyph, part = sync_cell(self.sync_marks.get(row.id))
            gutter.append(Segment(glyph, self.get_component_rich_style(f"deal-table--{part}", partial=True)
                                  if part else None))
        return self._line_strip(gutter, Strip(body, length), width, style)

    def _line_strip(self, gutter: list[Segment], body_strip: Strip, width: int, style: Style) -> Strip:
        view = max(width - self.mark_cells, 0)
        scroll_x = round(self.scroll_x)
        frozen = min(self.frozen_cells, view)
        # The frozen columns (up to the deal name) stay; the rest scroll sideways behind them.
        fixed = body_strip.crop(0, frozen).extend_cell_length(frozen)
        moving = body_strip.crop(frozen + scroll_x, scroll_x + view).extend_cell_length(view - frozen)
        return Strip([*gutter, *fixed, *moving]).apply_style(style).extend_cell_length(width, style).crop(0, width)


def _filtered(q: DealQuery) -> bool:
    return bool(q.text.strip() or q.stage or q.kind or q.expiring_within)

