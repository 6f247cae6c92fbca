"""The deal table's cursor, keys and mouse: moving, marking, sorting by a column; and the
local edits a screen makes right after an action went through (``drop_row``, ``update_row``,
``move_to``), so the closed or moved deal leaves the list at once instead of a reload later.

Kept apart from ``deal_table`` (loading pages and drawing lines) so each module has one job;
``DealTable`` mixes it in. The local edits only change what is drawn until the reload that
follows every action brings the store's rows; they never decide what the store holds.
"""
from __future__ import annotations

from dataclasses import replace

from typing import Callable

from textual import events
from textual.geometry import Region

from model.domain.schemas import Deal, DealRow
from tui.widgets.deal_columns import COLUMNS
from tui.widgets.deal_pages import PAGE

#: The row fields a saved Deal carries under the same name (the rest stay until the reload). Taken from
#: the two schemas, not listed: a list left out sale type and location, so a row missed their change.
_ROW_FIELDS = tuple(sorted((set(DealRow.model_fields) & set(Deal.model_fields)) - {"id"}))


class DealTableKeys:
    """Cursor and key handling of ``tui.widgets.deal_table.DealTable`` (a mixin: it uses the
    table's rows, columns, query and messages)."""

    # -- cursor and keys -------------------------------------------------------------------
    def watch_cursor_row(self, old: int, new: int) -> None:
        self._scroll_cursor_into_view()
        for index in (old, new):
            self.refresh_line(index + 1)  # virtual line = row + the header line
        self.post_message(self.Highlighted(self, self.cursor_deal))
        self._prefetch()

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

    # -- local edits after an action (the reload that follows brings the store's rows) --------
    def drop_row(self, deal_id: str) -> bool:
        """Take the deal's row out of the list now; the rows below move up one. False: not loaded."""
        cache = self.cache
        index = cache.index_of(deal_id)
        if index is None:
            return False
        pages = cache.pages
        page = last = index // PAGE
        pages[page].pop(index % PAGE)
        while last + 1 in pages and pages[last + 1]:  # the loaded pages below move up one row
            pages[last].append(pages[last + 1].pop(0))
            last += 1
        for moved in range(page, last + 1):
            cache.keys.pop(moved, None)  # their first and last rows changed: asked for by position until the reload
        for beyond in [p for p in pages if p > last or not pages[p]]:
            del pages[beyond]            # past a gap they would be one row off: fetched again if scrolled to
            cache.keys.pop(beyond, None)
        self.total = max(self.total - 1, 0)
        if self.marked.pop(deal_id, None) is not None:
            self.post_message(self.MarksChanged(self, len(self.marked)))
        self._update_virtual_size()
        cursor = min(self.cursor_row, max(self.total - 1, 0))
        if cursor != self.cursor_row:
            self.cursor_row = cursor
        else:
            self.post_message(self.Highlighted(self, self.cursor_deal))
        self.refresh()
        return True

    def update_row(self, deal: Deal) -> bool:
        """Show the saved deal's new state in its row now (stage, heart, version...). False: not loaded."""
        index = self.cache.index_of(deal.id)
        if index is None:
            return False
        rows = self.cache.pages[index // PAGE]
        old = rows[index % PAGE]
        rows[index % PAGE] = old.model_copy(update={f: getattr(deal, f) for f in _ROW_FIELDS})
        if deal.id in self.marked:
            self.marked[deal.id] = rows[index % PAGE]
        if index == self.cursor_row:
            self.post_message(self.Highlighted(self, self.cursor_deal))
        self.refresh()
        return True

    def find_row(self, wanted: Callable[[DealRow], bool], start: int) -> int | None:
        """The first loaded row from ``start`` down that is ``wanted``, else the nearest one above it."""
        loaded = [(page * PAGE + i, row) for page in sorted(self.cache.pages)
                  for i, row in enumerate(self.cache.pages[page])]
        below = [i for i, row in loaded if i >= start and wanted(row)]
        if below:
            return below[0]
        above = [i for i, row in loaded if i < start and wanted(row)]
        return above[-1] if above else None

    def move_to(self, index: int) -> None:
        """Put the cursor on row ``index`` (scrolling it into view)."""
        if self.total:
            self.cursor_row = min(max(index, 0), self.total - 1)

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
