"""Issue 10 (B2, B3): what the dashboard draws without waiting for a read.

A filter key queries at once (no typing debounce) and keys typed while a query is in flight become
one query of the latest text; a tab shown before (or read ahead after the first frame) is drawn
from memory on the key and confirmed by a reload; the pages a page-down or End shows next are in
memory before the key. Each test holds the store's reads back (``held_reads``) where it says
"without waiting", so it proves the rows came from memory, not from a fast read.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

from model import services as svc
from model.domain.enums import Tab
from model.domain.listing import DealQuery, PageWant
from tui.widgets import deal_table as deal_table_module
from tui.widgets.deal_pages import MAX_PAGES, PAGE, PageCache

from dashboard_support import (  # noqa: F401  (config_dir: autouse fixture)
    bulk_deals, config_dir, make_app, pilot_test, settle, table_of,
)


@contextmanager
def held_reads(monkeypatch):
    """The grid's reads block until the ``with`` ends: whatever is drawn meanwhile came from memory."""
    gate = threading.Event()
    real = deal_table_module.deal_view

    def held(*args, **kwargs):
        gate.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(deal_table_module, "deal_view", held)
    try:
        yield
    finally:
        gate.set()
        monkeypatch.setattr(deal_table_module, "deal_view", real)


async def _until(pilot, done, timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.01)):
        if done():
            return
        await pilot.pause(0.01)
    raise AssertionError("timed out")


@pilot_test
async def test_a_filter_key_queries_at_once_and_keys_typed_meanwhile_make_one_query(ctx):
    bulk_deals(ctx.store, 300)
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = table_of(app)
        asked: list[str] = []
        real_set_query = table.set_query

        def set_query(query, *args, **kwargs):
            asked.append(query.text)
            return real_set_query(query, *args, **kwargs)

        table.set_query = set_query
        await pilot.press("slash", "d")
        await _until(pilot, lambda: asked == ["d"])  # leading edge: no pause in typing needed
        await settle(pilot)
        table.fetching = True  # a slow query in flight: the next keys wait for it, coalesced
        await pilot.press("e", "a")
        await pilot.pause(0.3)  # longer than any debounce: still nothing asked while one is in flight
        assert asked == ["d"] and table.query_spec.text == "d"
        table.fetching = False
        table.post_message(table.Loaded(table, table.total))  # the slow query is back
        await _until(pilot, lambda: asked == ["d", "dea"])  # one query of the latest text, not one per key
        await settle(pilot)
        assert table.query_spec.text == "dea"
        assert table.total == svc.count_deals(ctx, DealQuery(tab=Tab.INBOUND, text="dea"))
        await pilot.press("escape")  # drops what was typed: no later result brings it back
        await settle(pilot)
        assert table.query_spec.text == "" and asked[-1] == ""


@pilot_test
async def test_a_tab_seen_or_read_ahead_is_drawn_at_once_and_the_header_waits_for_the_store(ctx, monkeypatch):
    """R3: the tab's own rows, drawn on the key from memory; the counts beside them are the store's."""
    bulk_deals(ctx.store, 400)
    app = make_app(ctx)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = table_of(app)
        header = app.screen._shown
        before = dict(header.counts)
        with held_reads(monkeypatch):
            await pilot.press("2")  # read ahead after the first frame: drawn without waiting for a read
            await pilot.pause(0.05)
            assert table.query_spec.tab is Tab.OUTBOUND and not table.fetching and table.confirming
            rows = [table.row_at(i) for i in range(min(table.total, 20))]
            assert rows and all(r is not None and r.direction.label.lower() == "outbound" for r in rows)
            assert app.screen._shown.counts == before  # the header changes with the confirming read only
        await settle(pilot)
        assert not table.confirming
        assert table.total == svc.count_deals(ctx, DealQuery(tab=Tab.OUTBOUND))
        assert table.loaded_rows()[:20] == svc.list_deals(ctx, DealQuery(tab=Tab.OUTBOUND, limit=20))
        await pilot.press("j", "j")
        await pilot.press("1")
        await settle(pilot)
        with held_reads(monkeypatch):
            await pilot.press("2")  # seen before: back with its cursor
            await pilot.pause(0.05)
            assert table.query_spec.tab is Tab.OUTBOUND and table.cursor_row == 2 and table.cursor_deal is not None
        await settle(pilot)
        table.reload()  # data changed: nothing kept from before it is drawn again
        assert not table.views.has(DealQuery(tab=Tab.INBOUND))


@pilot_test
async def test_page_down_and_end_draw_from_memory(ctx, monkeypatch):
    bulk_deals(ctx.store, 700)
    app = make_app(ctx)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = table_of(app)
        assert {0, (table.total - 1) // PAGE} <= set(table.cache.pages)  # Home's and End's, before any key
        while table.cursor_row < 3 * PAGE:  # across page boundaries: each key finds its rows read ahead
            with held_reads(monkeypatch):
                before = table.cursor_row
                await pilot.press("pagedown")
                await pilot.pause(0.02)
                assert table.cursor_row > before
                top = round(table.scroll_y)
                assert all(table.row_at(i) is not None for i in range(top, top + table._visible_rows())), top
            await settle(pilot)
        with held_reads(monkeypatch):
            await pilot.press("end")
            await pilot.pause(0.02)
            assert table.cursor_row == table.total - 1 and table.cursor_deal is not None
            top = round(table.scroll_y)
            assert all(table.row_at(i) is not None for i in range(top, table.total))
        await settle(pilot)


def test_the_pages_home_and_end_show_are_never_forgotten():
    from model.domain.listing import DealPage

    cache = PageCache()
    gen = cache.new_generation(keep_rows=False)
    keep = frozenset({0, 99})
    for index in (0, 99, *range(10, 10 + MAX_PAGES + 5)):
        cache.store(gen, DealPage(index, [object()], ("k", index), ("k", index)), here=20 * PAGE, keep=keep)
    assert len(cache.pages) == MAX_PAGES and keep <= set(cache.pages)


def test_a_view_is_read_again_only_after_a_change(ctx):
    """The reload that confirms a tab drawn from memory costs the change counter's read when nothing changed."""
    bulk_deals(ctx.store, 50)
    q, wants = DealQuery(tab=Tab.INBOUND), [PageWant(0, PAGE)]
    first = svc.deal_view(ctx, q, wants)
    assert svc.deal_view(ctx, q, wants) is first
    row = first.pages[0].rows[0]
    svc.set_favorite(ctx, row.id, not row.favorite)
    again = svc.deal_view(ctx, q, wants)
    assert again is not first and next(r for r in again.pages[0].rows if r.id == row.id).favorite != row.favorite
