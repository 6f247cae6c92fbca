"""The deal table's cursor, keys and mouse: moving, marking, sorting by a column.

Kept apart from ``deal_table`` (loading pages and drawing lines) so each module has one job;
``DealTable`` mixes it in.
"""
from __future__ import annotations

from dataclasses import replace

from textual import events
from textual.geometry import Region

from tui.widgets.deal_columns import COLUMNS


class DealTableKeys:
    """Cursor and key handling of ``tui.widgets.deal_table.DealTable`` (a mixin: it uses the
    table's rows, columns, query and messages)."""

    # -- cursor and keys -------------------------------------------------------------------
    def watch_cursor_row(self, old: int, new: int) -> None:
        self._scroll_cursor_into_view()
        for index in (old, new):
            self.refresh_line(index + 1)  # virtual line = row + the header line
        self.post_message(self.Highlighted(self, self.cursor_deal))

    def watch_cursor_column(self, _old: int, _new: int) -> None:
        self._scroll_column_into_view()
        self.refresh()

    def _move(self, delta: int) -> None:
        if self.total:
            self.cursor_row = min(max(self.cursor_row + delta, 0), self.total - 1)

    def action_cursor_up(self) -> None:
        self._move(-1)

    def action_cursor_down(self) -> None:
        self._move(1)

    def action_page_up(self) -> None:
        self._move(-self._visible_rows())

    def action_page_down(self) -> None:
        self._move(self._visible_rows())

    def action_first(self) -> None:
        self._move(-self.total)

    def action_last(self) -> None:
        self._move(self.total)

    def action_column(self, delta: int) -> None:
        self.cursor_column = min(max(self.cursor_column + delta, 0), len(self.columns) - 1)

    def action_toggle_mark(self) -> None:
        row = self.cursor_deal
        if row is None:
            return
        if self.marked.pop(row.id, None) is None:
            self.marked[row.id] = row
        self.post_message(self.MarksChanged(self, len(self.marked)))
        self.refresh()
        self._move(1)

    def action_cycle_sort(self) -> None:
        if not self.columns:
            return
        col = COLUMNS[self.columns[min(self.cursor_column, len(self.columns) - 1)]]
        self.sort_by(col.key)

    def sort_by(self, column_key: str) -> None:
        """Cycle the sort on a column: ascending → descending → the tab's default."""
        col = COLUMNS[column_key]
        if col.sort is None:
            return
        q = self.query_spec
        if q.sort != col.sort:
            sort, desc = col.sort, False
        elif not q.descending:
            sort, desc = col.sort, True
        else:
            sort, desc = None, False
        self.set_query(replace(q, sort=sort, descending=desc))
        self.post_message(self.SortChanged(self, sort, desc))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        y = offset.y
        if y <= 0:
            x = offset.x + round(self.scroll_x) - self.mark_cells
            for i, (col, cx, w) in enumerate(self._columns_layout()):
                if cx <= x < cx + w:
                    self.cursor_column = i
                    self.sort_by(col.key)
                    break
            return
        index = round(self.scroll_y) + y - 1
        if 0 <= index < self.total:
            if index == self.cursor_row and event.chain >= 2 and self.cursor_deal is not None:
                self.post_message(self.Selected(self, self.cursor_deal))
            self.cursor_row = index

    def on_focus(self) -> None:
        self.refresh(Region(0, 0, self.size.width, 1))  # the header shows the focused column

    def on_blur(self) -> None:
        self.refresh(Region(0, 0, self.size.width, 1))
