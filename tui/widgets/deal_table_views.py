"""The views the deal grid showed (or read ahead) for other queries: what a tab switch draws at once.

Switching back to a tab, or to one read ahead after the first frame (``KeepsViews.read_ahead``), draws
its rows, count and cursor from here on the same frame, and the grid's usual reload confirms them
from the store right after (a reload keeps showing rows until the fresh ones come, as after any
change). Only what the screen needs is kept (the pages around the cursor, and Home's and End's),
for a few queries; any data change drops them all (``clear``), and a read ahead that started before
a change is dropped too (``epoch``).
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace

from textual import work

from model.domain.listing import DealQuery, PageWant
from model.services.queries import deal_view
from tui.widgets.deal_pages import PAGE, PageCache
from tui.widgets.worker_groups import TABLE_READ_AHEAD

KEEP_VIEWS = 8      # queries kept (each: a few pages)
PREFETCH_PAUSE = 0.3  # seconds without a new filter result before its next pages are read ahead
READ_AHEAD_PAUSE = 0.3  # seconds without a new answer before the other tabs are read ahead


@dataclass
class KeptView:
    total: int
    pages: dict[int, list]
    keys: dict[int, tuple]
    marks: dict[str, str] | None     # sync marks of those rows; None: sync not in use
    cursor: int
    top: int


def view_key(q: DealQuery) -> tuple | None:
    """What a view is kept under; None: not kept (it depends on the time: the expiring filter)."""
    if q.expiring_within is not None:
        return None
    return (q.tab, q.text, q.stage, q.kind, q.sort, q.descending, None if q.ids is None else tuple(q.ids))


class KeptViews:
    def __init__(self) -> None:
        self._views: OrderedDict[tuple, KeptView] = OrderedDict()
        self.epoch = 0   # bumped by every clear: a read ahead started before it is stale

    def keep(self, q: DealQuery, view: KeptView, *, epoch: int | None = None) -> None:
        key = view_key(q)
        if key is None or (epoch is not None and epoch != self.epoch):
            return
        self._views[key] = view
        self._views.move_to_end(key)
        while len(self._views) > KEEP_VIEWS:
            self._views.popitem(last=False)

    def take(self, q: DealQuery) -> KeptView | None:
        key = view_key(q)
        return self._views.pop(key, None) if key is not None else None

    def has(self, q: DealQuery) -> bool:
        key = view_key(q)
        return key is not None and key in self._views

    def clear(self) -> None:
        self._views.clear()
        self.epoch += 1


def pages_near(pages: dict[int, list], wanted: set[int]) -> dict[int, list]:
    return {p: list(rows) for p, rows in pages.items() if p in wanted}


class KeepsViews:
    """The ``DealTable`` side (a mixin: it uses the table's cache, cursor, total and workers): the views
    it keeps, and the pages of this view it reads ahead (``_prefetch``)."""

    def _pinned(self) -> frozenset[int]:
        """The pages Home and End show: kept in memory wherever the cursor is."""
        if not self.total:
            return frozenset()
        last = self.total - 1
        return frozenset({0, *range(max(self.total - self._visible_rows(), 0) // PAGE, last // PAGE + 1)})

    def _prefetch(self) -> None:
        """Ask for what the next page-down, page-up, Home or End shows before the key comes, so it is
        drawn from memory instead of as "…" waiting for a read. Under a text filter, once typing
        pauses: each of its reads scans the matches, and the next key's query must not wait behind them."""
        if self.fetching or not self.total:
            return
        if self.query_spec.text.strip() and not self._prefetch_due:
            if self._prefetch_timer is not None:
                self._prefetch_timer.stop()
            self._prefetch_timer = self.set_timer(PREFETCH_PAUSE, self._prefetch_after_pause)
            return
        rows, top = self._visible_rows(), max(round(self.scroll_y), 0)
        near = range(max(top - rows, 0) // PAGE, min(top + 2 * rows, self.total - 1) // PAGE + 1)
        if any([self.cache.want(page) for page in sorted({*near, *self._pinned()})]):
            self._fetch_wanted()

    def _prefetch_after_pause(self) -> None:
        self._prefetch_timer, self._prefetch_due = None, True
        try:
            self._prefetch()
        finally:
            self._prefetch_due = False

    def _keep_view(self) -> None:
        """Before the grid shows another query: keep this one's rows for a switch back."""
        if self.fetching:
            return
        top = max(round(self.scroll_y), 0)
        rows = self._visible_rows()
        wanted = {*PageCache.window(top, rows, self.cursor_row), *self._pinned()}
        pages = pages_near(self.cache.pages, wanted)
        ids = {r.id for rows_ in pages.values() for r in rows_}
        marks = None if self.sync_marks is None else {i: m for i, m in self.sync_marks.items() if i in ids}
        self.views.keep(self.query_spec, KeptView(self.total, pages, {p: self.cache.keys[p] for p in pages
                                                                       if p in self.cache.keys},
                                                  marks, self.cursor_row, top))

    def _show_kept(self, kept: KeptView, cursor: int) -> None:
        """Draw a kept view at once (the reload that follows confirms it from the store)."""
        self.cache.pages, self.cache.keys = kept.pages, kept.keys
        self.total = kept.total
        self.fetching = False
        self.confirming = True
        if (kept.marks is None) != (self.sync_marks is None):
            self._layout_key = None  # the gutter grows (or shrinks) by the sync mark's cell
        self.sync_marks = None if kept.marks is None else dict(kept.marks)
        self._update_virtual_size()
        self.set_reactive(type(self).cursor_row, min(cursor, max(self.total - 1, 0)))
        self._scroll_now(y=max(self.cursor_row - self._visible_rows() // 2, 0))
        self._scroll_cursor_into_view()
        self._measure()
        self.post_message(self.Highlighted(self, self.cursor_deal))

    def _confirm_after_paint(self) -> None:
        """Start the reload that confirms a kept view after the frame that shows it: started at once, its
        answer (and what follows it: the header, the read ahead, the footer's keys) came in before that
        frame and held it back, and its read in a thread took the UI thread's turns while it painted."""
        generation = self.cache.generation

        def confirm() -> None:
            if generation == self.cache.generation and self.confirming:
                self._start_reload(anchor=None)

        self.call_after_refresh(confirm)

    def read_ahead(self, queries: list[tuple[DealQuery, int]]) -> None:
        """Read the first screen of these (query, cursor) in the background, for a switch to draw at once;
        only those with no kept view. After another query (a tab, a cleared filter) at once: the next key
        may be a switch. After a data change (which drops every kept view) once the grid has had no new
        answer for ``READ_AHEAD_PAUSE``: reading ahead on each answer re-read the other three tabs after
        every accept, so a run of actions now reads them once, after it, off the keys' way."""
        self._ahead = queries
        if self._ahead_timer is not None:
            self._ahead_timer.stop()
            self._ahead_timer = None
        if self._ahead_epoch == self.views.epoch:
            self._read_ahead_now()
        else:
            self._ahead_timer = self.set_timer(READ_AHEAD_PAUSE, self._read_ahead_now)

    def _read_ahead_now(self) -> None:
        self._ahead_timer = None
        queries, self._ahead = self._ahead, []
        if self.fetching or self.confirming:
            return  # not idle: a read is in flight, and its answer asks again
        self._ahead_epoch = self.views.epoch
        here = view_key(self.query_spec)
        todo = [(replace(q, offset=0), c) for q, c in queries
                if view_key(q) is not None and view_key(q) != here and not self.views.has(q)]
        if todo:
            self._read_ahead_worker(self.app.ctx, self.views.epoch, todo, self._visible_rows())

    @work(thread=True, exclusive=True, group=TABLE_READ_AHEAD)
    def _read_ahead_worker(self, ctx, epoch: int, todo: list, rows: int) -> None:
        from tui.sync_watch import marks_or_off

        for query, cursor in todo:
            top = max(cursor - rows // 2, 0)
            view = deal_view(ctx, query, [PageWant(p, PAGE) for p in PageCache.window(top, rows, cursor)])
            pages = [p for p in view.pages if p.rows or p.index == 0]
            marks = marks_or_off(self.app, ctx, [r.id for p in pages for r in p.rows])
            kept = KeptView(view.total, {p.index: list(p.rows) for p in pages},
                            {p.index: (p.first, p.last) for p in pages}, marks, cursor, top)
            self.app.call_from_thread(self.views.keep, query, kept, epoch=epoch)
