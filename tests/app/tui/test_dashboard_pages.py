"""The grid's page cache: bounded memory, and answers for an old query never shown."""
from __future__ import annotations

from types import SimpleNamespace

from tui.settings import ALL_COLUMNS
from tui.widgets.deal_columns import COLUMNS, frozen_width, layout
from model.domain.listing import DealPage, PageWant
from tui.widgets.deal_pages import MAX_PAGES, PAGE, PageCache


def rows(page: int):
    return [SimpleNamespace(id=f"{page}-{i}") for i in range(PAGE)]


def page(index: int) -> DealPage:
    got = rows(index)
    return DealPage(index, got, (False, index, got[0].id), (False, index, got[-1].id))


def test_a_page_from_an_older_query_is_dropped():
    cache = PageCache()
    old = cache.new_generation(keep_rows=False)
    new = cache.new_generation(keep_rows=False)
    assert not cache.store(old, page(0), here=0)
    assert cache.row(0) is None
    assert cache.store(new, page(0), here=0)
    assert cache.row(5).id == "0-5" and cache.index_of("0-7") == 7


def test_a_reload_keeps_showing_rows_until_fresh_ones_arrive():
    cache = PageCache()
    gen = cache.new_generation(keep_rows=False)
    cache.store(gen, page(3), here=300)
    cache.new_generation(keep_rows=True)
    assert cache.row(3 * PAGE).id == "3-0"


def test_memory_stays_bounded_and_the_pages_near_the_screen_stay():
    cache = PageCache()
    gen = cache.new_generation(keep_rows=False)
    for index in range(MAX_PAGES * 3):
        cache.store(gen, page(index), here=index * PAGE)
    assert len(cache.pages) == MAX_PAGES and set(cache.keys) == set(cache.pages)
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


def test_a_page_next_to_one_in_memory_is_asked_for_by_its_neighbours_key():
    cache = PageCache()
    gen = cache.new_generation(keep_rows=False)
    cache.store(gen, page(3), here=300)
    assert cache.want_for(4) == PageWant(4, PAGE, after=(False, 3, "3-99"))
    assert cache.want_for(2) == PageWant(2, PAGE, before=(False, 3, "3-0"))
    assert cache.want_for(7) == PageWant(7, PAGE)  # no neighbour: counted out (or read from the end)


def test_columns_are_sized_by_their_domain_not_by_the_rows():
    """Column widths come from what a column can hold (the longest stage name), not from the rows on
    screen; only an amount wider than the value column's domain widens it (a number is never cut)."""
    keys = ["favorite", "name", "customer", "stage", "value", "sender"]
    placed = layout(keys, 116, {})
    assert layout(keys, 116, {"favorite": 1, "name": 200, "customer": 14, "sender": 2, "stage": 3}) == placed
    widths = {c.key: w for c, _x, w in placed}
    assert widths["stage"] >= len("Negotiated 80%") and widths["name"] > widths["customer"] > widths["sender"]
    wide = {c.key: w for c, _x, w in layout(keys, 116, {"value": 18})}
    assert wide["value"] == 18
    tight = {c.key: w for c, _x, w in layout(keys, 40, {})}
    assert all(w >= COLUMNS[k].width for k, w in tight.items())


def test_the_columns_up_to_the_deal_name_are_frozen():
    placed = layout(["favorite", "name", "customer", "stage"], 60)
    name = next((x, w) for c, x, w in placed if c.key == "name")
    assert frozen_width(placed) == placed[2][1] and frozen_width(placed) >= sum(name)
    assert frozen_width(layout(["customer", "stage"], 60)) == 0  # no name column: nothing frozen
