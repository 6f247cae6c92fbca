"""The deal grid: a virtual table that draws only the rows on screen.

A stock ``DataTable`` measures every cell it is given (≈0.13 ms a row, 14 s for
100k deals with the UI frozen), so this is a Line API widget instead: its
virtual height is the row count; ``render_line`` draws a row from a small cache
of pages that thread workers fill. A row not fetched yet is drawn as
a placeholder and asked for; the answer repaints it. The count and the first
pages come from one read (``deal_view``), so "N match" always counts the rows
shown; a page next to one in memory is asked for by its neighbour's key (keyset
paging: the store reads just that page, however deep), End reads from the end. Each query change bumps a
generation number, and answers from an older generation are dropped, so a
slow query can never paint stale rows over a newer filter. The pages the next
page-down, Home or End shows are read ahead, and a query shown before (another
tab) is drawn from memory and confirmed by a reload (``deal_table_views``).

The header row stays put while rows scroll; the mark gutter and the deal name
(every column up to it: a spreadsheet's frozen column) stay put while the other
columns scroll sideways on narrow terminals. Columns are sized by their content's domain (the
longest stage name...), never by how many rows match; only an amount wider than its column's domain
widens it, from the rows on screen (``deal_columns.layout``). When sync with Partner Center is in
use (``tui.sync_watch``) the gutter has a third cell, the deal's sync mark
(↑ pending, ✗ refused, ≠ conflict, blank in step), read with each page by the
same worker (``sync_marks``), so it costs one query a page and never the UI thread.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from textual import events, work
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.worker import WorkerState

from model.domain.schemas import DealRow
from model.domain.listing import DEFAULT_SORT, DealPage, DealQuery, PageWant
from model.services.queries import deal_view
from tui.widgets.deal_pages import PAGE, PageCache
from tui.sync_watch import marks_for, marks_or_off
from tui.widgets.deal_columns import (
    COLUMNS, column_for_sort, frozen_width, layout, natural_widths,
)
from tui.widgets.deal_table_keys import DealTableKeys
from tui.widgets.deal_table_render import DealTableRender
from tui.widgets.deal_table_views import KeepsViews, KeptViews
from tui.widgets.worker_groups import TABLE_PAGE, TABLE_RELOAD

GUTTER = 2          # cursor and mark cells on the left, never scrolled away (+1: the sync mark)


class DealTable(DealTableKeys, DealTableRender, KeepsViews, ScrollView, can_focus=True, inherit_bindings=False):
    """Deals of one query (tab, filter, sort), paged from the store."""

    DEFAULT_CSS = (Path(__file__).with_suffix(".tcss")).read_text(encoding="utf-8")

    BINDINGS = [
        Binding("k,up", "cursor_up", "Up", show=False, id="nav.up"),
        Binding("j,down", "cursor_down", "Down", show=False, id="nav.down"),
        Binding("pageup", "page_up", "Page up", show=False, id="nav.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="nav.page_down"),
        Binding("home", "first", "First deal", show=False, id="nav.first"),
        Binding("end", "last", "Last deal", show=False, id="nav.last"),
        Binding("left", "column(-1)", "Column left", show=False, id="nav.column_left"),
        Binding("right", "column(1)", "Column right", show=False, id="nav.column_right"),
        Binding("space", "toggle_mark", "Mark", id="deal.mark",
                tooltip="Mark or unmark the deal; f, d, l and x then act on every marked deal"),
        Binding("s", "cycle_sort", "Sort", id="view.sort",
                tooltip="Sort by the focused column (←/→ pick it): ascending, descending, default"),
    ]

    COMPONENT_CLASSES = {
        "deal-table--header", "deal-table--header-sorted", "deal-table--column-cursor", "deal-table--cursor",
        "deal-table--marked", "deal-table--placeholder", "deal-table--heart", "deal-table--expiry-ok",
        "deal-table--expiry-72h", "deal-table--expiry-24h", "deal-table--expiry-overdue", "deal-table--empty",
        "deal-table--sync-pending", "deal-table--sync-failed", "deal-table--sync-conflict",
    }

    cursor_row: reactive[int] = reactive(0, repaint=False)
    cursor_column: reactive[int] = reactive(1, repaint=False)

    class Highlighted(Message):
        """The cursor is on ``row`` (None: no deal under it, or not loaded yet)."""

        def __init__(self, table: DealTable, row: DealRow | None) -> None:
            super().__init__()
            self.table, self.row = table, row

    class Loaded(Message):
        """A (re)load finished: ``total`` deals match the query."""

        def __init__(self, table: DealTable, total: int) -> None:
            super().__init__()
            self.table, self.total = table, total

    class LoadFailed(Message):
        """A (re)load failed (the app shows why): nothing is in flight any more."""

        def __init__(self, table: DealTable) -> None:
            super().__init__()
            self.table = table

    class Selected(Message):
        """A deal was double-clicked (``enter`` is the screen's binding)."""

        def __init__(self, table: DealTable, row: DealRow) -> None:
            super().__init__()
            self.table, self.row = table, row

    class SortChanged(Message):
        def __init__(self, table: DealTable, sort: str | None, descending: bool) -> None:
            super().__init__()
            self.table, self.sort, self.descending = table, sort, descending

    class MarksChanged(Message):
        def __init__(self, table: DealTable, count: int) -> None:
            super().__init__()
            self.table, self.count = table, count

    class _Reloaded(Message):
        def __init__(self, generation: int, total: int, pages: list[DealPage], anchor,
                     marks: dict[str, str] | None) -> None:
            super().__init__()
            self.generation, self.total, self.pages, self.anchor = generation, total, pages, anchor
            self.marks = marks  # None: sync not in use

    class _PageLoaded(Message):
        def __init__(self, generation: int, page: DealPage, marks: dict[str, str]) -> None:
            super().__init__()
            self.generation, self.page, self.marks = generation, page, marks

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.query_spec = DealQuery()
        self.columns: list[str] = ["name"]
        self.total = 0
        self.fetching = True  # a (re)load of count and pages is running
        self.confirming = False  # a kept view is drawn; the reload that confirms it is running
        self.views = KeptViews()
        self._prefetch_timer = None   # under a text filter: reads ahead once typing pauses
        self._prefetch_due = False
        self._ahead_timer = None      # reads the other tabs ahead once the grid is idle (``read_ahead``)
        self._ahead: list = []
        self._ahead_epoch = 0         # ``views.epoch`` of the last read ahead (another epoch: data changed)
        self.marked: dict[str, DealRow] = {}
        self.cache = PageCache()
        self.sync_marks: dict[str, str] | None = None   # deal id -> in_step/pending/failed/conflict; None: off
        self._layout_key = None
        self._layout: list = []
        self._natural: dict[str, int] | None = None   # widest cell per column on screen; None: not measured
        self._natural_version = 0
        self._frozen = 0
        self.virtual_size = Size(0, 1)

    # -- public API ----------------------------------------------------------------
    def set_query(self, query: DealQuery, columns: list[str] | None = None, *, cursor: int = 0) -> None:
        """Show another query (tab, filter or sort): start at ``cursor``, fetch in the background."""
        self._keep_view()
        self.query_spec = replace(query, offset=0)
        if columns is not None:
            self.set_columns(columns)
        self.cache.new_generation(keep_rows=False)
        kept = self.views.take(self.query_spec)
        if kept is not None:
            self._show_kept(kept, max(cursor, 0))  # drawn now; a reload confirms it once it is painted
            self._confirm_after_paint()
        else:
            self.fetching = True
            self.set_reactive(DealTable.cursor_row, max(cursor, 0))
            self._scroll_now(y=max(cursor - self._visible_rows() // 2, 0))
            self._start_reload(anchor=None)
        self.refresh()

    def reload(self) -> None:
        """Re-query the same view (data changed): keep the cursor on the same deal, keep filter and marks."""
        row = self.cursor_deal
        anchor = (row.id, self.cursor_row - round(self.scroll_y)) if row is not None else None
        self.views.clear()  # what was kept of other queries is from before the change
        self.cache.new_generation(keep_rows=True)
        self._start_reload(anchor=anchor)

    def set_columns(self, columns: list[str]) -> None:
        self.columns = [k for k in columns if k in COLUMNS] or ["name"]
        self.cursor_column = min(self.cursor_column, len(self.columns) - 1)
        self._layout_key = None
        self._update_virtual_size()
        self.refresh()

    @property
    def cursor_deal(self) -> DealRow | None:
        return self.row_at(self.cursor_row)

    def row_at(self, index: int) -> DealRow | None:
        return self.cache.row(index) if 0 <= index < self.total else None

    def loaded_rows(self) -> list[DealRow]:
        """Rows in memory, in order."""
        return self.cache.rows()

    @property
    def mark_cells(self) -> int:
        return GUTTER + (self.sync_marks is not None)

    @property
    def busy(self) -> bool:
        """Still waiting for a count or a page, or to read the other tabs ahead (tests wait for this, never
        for a fixed time)."""
        return self.fetching or self.confirming or self.cache.busy or self._ahead_timer is not None

    def clear_marks(self) -> None:
        if self.marked:
            self.marked.clear()
            self.post_message(self.MarksChanged(self, 0))
            self.refresh()

    @property
    def effective_sort(self) -> tuple[str, bool]:
        q = self.query_spec
        return (q.sort, q.descending) if q.sort else DEFAULT_SORT[q.tab]

    # -- fetching ---------------------------------------------------------------------
    def _start_reload(self, anchor) -> None:
        window = PageCache.window(max(round(self.scroll_y), 0), self._visible_rows(), self.cursor_row)
        self._reload_worker(self.app.ctx, self.cache.generation, self.query_spec, window, anchor)

    @work(thread=True, exclusive=True, group=TABLE_RELOAD)
    def _reload_worker(self, ctx, generation: int, query: DealQuery, pages: range, anchor) -> None:
        # The count and the pages on screen from one read: "N match" and the rows always agree.
        view = deal_view(ctx, query, [PageWant(page, PAGE) for page in pages])
        fetched = [p for p in view.pages if p.rows or p.index == 0]
        marks = marks_or_off(self.app, ctx, [r.id for p in fetched for r in p.rows])
        self.post_message(self._Reloaded(generation, view.total, fetched, anchor, marks))

    @work(thread=True, group=TABLE_PAGE)
    def _page_worker(self, ctx, generation: int, query: DealQuery, want: PageWant) -> None:
        page = deal_view(ctx, query, [want]).pages[0]
        self.post_message(self._PageLoaded(generation, page, marks_for(self.app, ctx, [r.id for r in page.rows])))

    def _on_deal_table__reloaded(self, message: _Reloaded) -> None:
        message.stop()
        if message.generation != self.cache.generation:
            return  # a newer query or reload is on its way
        self.fetching = self.confirming = False
        self.total = message.total
        self.cache.replace(message.pages)
        if (message.marks is None) != (self.sync_marks is None):
            self._layout_key = None  # the gutter grows (or shrinks) by the sync mark's cell
        self.sync_marks = message.marks
        self._update_virtual_size()
        cursor = self.cursor_row
        if message.anchor is not None:
            deal_id, screen_offset = message.anchor
            found = self.cache.index_of(deal_id)
            if found is not None:
                cursor = found
                self._scroll_now(y=max(found - screen_offset, 0))
        self.set_reactive(DealTable.cursor_row, min(cursor, max(self.total - 1, 0)))
        self._scroll_cursor_into_view()
        self._measure()
        self.refresh()
        self.post_message(self.Loaded(self, self.total))
        self.post_message(self.Highlighted(self, self.cursor_deal))
        self._prefetch()

    def _on_deal_table__page_loaded(self, message: _PageLoaded) -> None:
        message.stop()
        if self.cache.store(message.generation, message.page, round(self.scroll_y), keep=self._pinned()):
            if self.sync_marks is not None:
                self.sync_marks.update(message.marks)
            self._measure()
            self.refresh()
            self._prefetch()
            if self.cursor_row // PAGE == message.page.index:
                self.post_message(self.Highlighted(self, self.cursor_deal))

    def on_worker_state_changed(self, event) -> None:
        """A failed query is shown by the app (``show_error``); here the grid just stops waiting for it."""
        if event.state is WorkerState.ERROR:
            if event.worker.group == TABLE_RELOAD:
                self.fetching = self.confirming = False
                self.post_message(self.LoadFailed(self))
            self.cache.in_flight.clear()
            self.refresh()

    def _want(self, page: int) -> None:
        if not self.fetching and self.cache.want(page):
            self.call_after_refresh(self._fetch_wanted)

    def _fetch_wanted(self) -> None:
        for page in self.cache.take_wanted():
            self._page_worker(self.app.ctx, self.cache.generation, self.query_spec, self.cache.want_for(page))

    # -- geometry ------------------------------------------------------------------------
    def _visible_rows(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)

    def _columns_layout(self) -> list:
        # Without a horizontal scrollbar's worth of doubt: lay out for the width a vertical scrollbar leaves.
        width = max(self.size.width - self.styles.scrollbar_size_vertical - self.mark_cells, 10)
        sort = self.effective_sort[0]
        key = (tuple(self.columns), width, sort, self._natural_version)
        if key != self._layout_key:
            self._layout_key = key
            self._layout = layout(self.columns, width, self._natural, column_for_sort(sort))
            self._frozen = frozen_width(self._layout)
        return self._layout

    def _measure(self) -> None:
        """Measure the amounts on screen: one wider than its column's domain widens it (``natural_widths``)."""
        top = max(round(self.scroll_y), 0)
        rows = [r for i in range(top, min(top + self._visible_rows(), self.total))
                if (r := self.row_at(i)) is not None]
        if rows:
            natural = natural_widths(rows, self.columns, self.app.ctx.clock.now())
            if natural != self._natural:
                self._natural, self._natural_version = natural, self._natural_version + 1
                self._update_virtual_size()

    @property
    def frozen_cells(self) -> int:
        """Cells after the gutter that stay put while the other columns scroll sideways (the deal name)."""
        self._columns_layout()
        return self._frozen

    def content_x(self, screen_x: int) -> int:
        """The column layout's x under ``screen_x`` (cells from the widget's left edge)."""
        x = screen_x - self.mark_cells
        return x if x < self.frozen_cells else x + round(self.scroll_x)

    def _content_width(self) -> int:
        lay = self._columns_layout()
        return lay[-1][1] + lay[-1][2] if lay else 0

    def _update_virtual_size(self) -> None:
        size = Size(self._content_width() + self.mark_cells, self.total + 1)
        if size == self.virtual_size:
            return
        if not self.is_mounted:
            self.virtual_size = size
            return
        # The grid's own size never depends on it (1fr by 1fr): only its scrollbars change, so no layout
        # of the whole screen (a scrollbar that comes or goes still asks for one, by its display).
        self.set_reactive(DealTable.virtual_size, size)
        self._scroll_update(size)
        self.refresh()

    def on_resize(self, _event: events.Resize) -> None:
        self._relayout()
        # The content region settles after the resize (scrollbars come and go): measure again then.
        self.call_after_refresh(self._relayout)

    def _relayout(self) -> None:
        self._layout_key = None
        self._measure()
        self._update_virtual_size()
        self._scroll_cursor_into_view()
        self._scroll_column_into_view()

    def _scroll_now(self, x: float | None = None, y: float | None = None) -> None:
        """Scroll on this frame. Textual's ``scroll_to`` waits for the next screen refresh, so a key that
        moves the cursor off screen (End, page-down, a tab's kept cursor) painted one frame (~17 ms) late."""
        self.scroll_to(x=x, y=y, animate=False, immediate=self.size.height > 0)

    def _scroll_cursor_into_view(self) -> None:
        top, rows = round(self.scroll_y), self._visible_rows()
        if self.cursor_row < top:
            self._scroll_now(y=self.cursor_row)
        elif self.cursor_row >= top + rows:
            self._scroll_now(y=self.cursor_row - rows + 1)

    def _scroll_column_into_view(self) -> None:
        lay = self._columns_layout()
        if not lay:
            return
        _col, x, w = lay[min(self.cursor_column, len(lay) - 1)]
        frozen = self.frozen_cells
        if x < frozen:
            return  # a frozen column is always in view
        view = self.scrollable_content_region.width - self.mark_cells
        if x - frozen < self.scroll_x:
            self._scroll_now(x=x - frozen)
        elif x + w > self.scroll_x + view:
            # To a column's start, so the first column past the frozen name is whole: a cut amount
            # ("295,000 NOK" of 3,295,000) reads as another one.
            need = x + w - view
            self._scroll_now(x=min((cx - frozen for _c, cx, _w in lay if cx - frozen >= need), default=need))
