"""The grid's page cache: bounded memory, and answers for an old query never shown."""
from __future__ import annotations

from types import SimpleNamespace

from tui.settings import ALL_COLUMNS
from tui.widgets.deal_columns import COLUMNS, layout
from tui.widgets.deal_pages import MAX_PAGES, PAGE, PageCache


def rows(page: int):
    return [SimpleNamespace(id=f"{page}-{i}") for i in range(PAGE)]


def test_a_page_from_an_older_query_is_dropped():
    cache = PageCache()
    old = cache.new_generation(keep_rows=False)
    new = cache.new_generation(keep_rows=False)
    assert not cache.store(old, 0, rows(0), here=0)
    assert cache.row(0) is None
    assert cache.store(new, 0, rows(0), here=0)
    assert cache.row(5).id == "0-5" and cache.index_of("0-7") == 7


def test_a_reload_keeps_showing_rows_until_fresh_ones_arrive():
    cache = PageCache()
    gen = cache.new_generation(keep_rows=False)
    cache.store(gen, 3, rows(3), here=300)
    cache.new_generation(keep_rows=True)
    assert cache.row(3 * PAGE).id == "3-0"


def test_memory_stays_bounded_and_the_pages_near_the_screen_stay():
    cache = PageCache()
    gen = cache.new_generation(keep_rows=False)
    for page in range(MAX_PAGES * 3):
        cache.store(gen, page, rows(page), here=page * PAGE)
    assert len(cache.pages) == MAX_PAGES
    assert max(cache.pages) == MAX_PAGES * 3 - 1


def test_wanted_pages_are_fetched_once():
    cache = PageCache()
    cache.new_generation(keep_rows=False)
    assert cache.want(4) is True
    assert cache.want(5) is False  # one fetch round already scheduled
    assert cache.take_wanted() == [4, 5] and cache.busy
    assert cache.want(4) is False and cache.take_wanted() == []
    assert list(PageCache.window(top=250, height=40, cursor=260)) == [2]
    assert list(PageCache.window(top=95, height=40, cursor=100)) == [0, 1]


def test_layout_fills_the_width_and_scrolls_past_the_minimum():
    keys = ["favorite", "name", "customer", "stage", "value"]
    placed = layout(keys, 120)
    assert placed[-1][1] + placed[-1][2] == 120  # flex columns take the spare width
    assert [c.key for c, _x, _w in placed] == keys
    narrow = layout(list(ALL_COLUMNS), 80)
    assert all(w >= COLUMNS[c.key].width for c, _x, w in narrow)  # never squeezed: scroll sideways instead
    assert narrow[-1][1] + narrow[-1][2] > 80
