"""The grid's pages (issue 10): read by key from the row before (keyset), never skipping or repeating a
row, ties on the sort key broken by id, keyless rows last both ways, and the count from the same read.

The reference order is one plain ORDER BY of every matching id (``queries.order_by``); the pages are
walked the way the grid walks them: forward by the last key, backward by the first, from the end, or
counted out (OFFSET) for a jump. On SQLite and PostgreSQL (COSELL_TEST_DATABASE_URL)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from dashboard_support import bulk_deals
from model.domain.enums import Tab
from model.domain.listing import SORT_KEYS, DealQuery, PageWant
from model.services.queries import count_deals, deal_view, list_deals, tab_counts
from model.store.queries import order_by, where
from model.store.tables import DealRecord

SIZE = 7  # a small page, so a few dozen deals make many pages


@pytest.fixture
def deals(store):
    ids = bulk_deals(store, 90, seed=3)
    with store.write() as session:  # ties and holes in the sort keys
        session.execute(update(DealRecord).where(DealRecord.id.in_(ids[::3])).values(value_usd=5000.0))
        session.execute(update(DealRecord).where(DealRecord.id.in_(ids[::4])).values(crm_id=None))
        session.execute(update(DealRecord).where(DealRecord.id.in_(ids[1::5])).values(close_date=None))
    return ids


def reference(ctx, q: DealQuery) -> list[str]:
    with ctx.store.read() as session:
        return list(session.scalars(select(DealRecord.id).where(*where(q, ctx.user, ctx.now())).order_by(*order_by(q))))


def walk_forward(ctx, q: DealQuery) -> list[str]:
    view = deal_view(ctx, q, [PageWant(0, SIZE)])
    pages, seen = view.pages, []
    while pages[-1].rows:
        seen += [r.id for r in pages[-1].rows]
        nxt = pages[-1].index + 1
        pages = deal_view(ctx, q, [PageWant(nxt, SIZE, after=pages[-1].last)]).pages
    return seen


def walk_backward(ctx, q: DealQuery, total: int) -> list[str]:
    last = (total - 1) // SIZE
    page = deal_view(ctx, q, [PageWant(last, SIZE)]).pages[0]  # from the end (End)
    seen = [r.id for r in page.rows]
    while page.index > 0:
        page = deal_view(ctx, q, [PageWant(page.index - 1, SIZE, before=page.first)]).pages[0]
        seen = [r.id for r in page.rows] + seen
    return seen


SORTS = [(key, desc) for key in ("expires", "close_date", "value", "crm_id", "updated", "closed", "sender", "name")
         for desc in (False, True)] + [(None, False)]


@pytest.mark.parametrize("sort,desc", SORTS)
@pytest.mark.parametrize("tab", list(Tab))
def test_every_row_exactly_once_forward_backward_and_counted_out(ctx, deals, tab, sort, desc):
    q = DealQuery(tab=tab, sort=sort, descending=desc)
    expected = reference(ctx, q)
    assert expected, "the fixture puts deals on every tab"
    assert walk_forward(ctx, q) == expected
    assert walk_backward(ctx, q, len(expected)) == expected
    wants = [PageWant(i, SIZE) for i in range((len(expected) - 1) // SIZE + 1)]
    view = deal_view(ctx, q, wants)  # every page counted out (a jump), from the nearer end
    assert view.total == len(expected) == count_deals(ctx, q)
    assert [r.id for p in view.pages for r in p.rows] == expected
    assert [r.id for r in list_deals(ctx, DealQuery(tab=tab, sort=sort, descending=desc, offset=5, limit=11))] \
        == expected[5:16]


def test_keyless_rows_come_last_whichever_the_direction(ctx, deals):
    for desc in (False, True):
        rows = [r for p in deal_view(ctx, DealQuery(tab=Tab.OUTBOUND, sort="crm_id", descending=desc),
                                     [PageWant(i, 50) for i in range(3)]).pages for r in p.rows]
        holes = [r.crm_id is None for r in rows]
        assert any(holes) and holes == sorted(holes), "every deal without a CRM id after those with one"


def test_ties_on_the_sort_key_are_broken_by_id_in_the_sorts_direction(ctx, deals):
    for desc in (False, True):
        ids = walk_forward(ctx, DealQuery(tab=Tab.OUTBOUND, sort="value", descending=desc))
        with ctx.store.read() as session:
            value = {i: v for i, v in session.execute(select(DealRecord.id, DealRecord.value_usd))}
        tied = [i for i in ids if value[i] == 5000.0]
        assert len(tied) > SIZE and tied == sorted(tied, reverse=desc)


def test_new_deals_before_the_page_neither_repeat_nor_hide_a_row(ctx, store, deals):
    """The grid asks for the page after the last row it holds: deals written meanwhile ahead of it do not
    shift the pages (as OFFSET would: the last rows again, or some never shown)."""
    q = DealQuery(tab=Tab.OUTBOUND, sort="updated", descending=True)
    before = reference(ctx, q)
    first = deal_view(ctx, q, [PageWant(0, SIZE), PageWant(1, SIZE)]).pages
    bulk_deals(store, 40, seed=9, start=500, now=ctx.now() + timedelta(days=1))  # newer: they sort first
    seen = [r.id for p in first for r in p.rows]
    page = first[-1]
    while page.rows:
        page = deal_view(ctx, q, [PageWant(page.index + 1, SIZE, after=page.last)]).pages[0]
        seen += [r.id for r in page.rows]
    assert seen == before


def test_an_edit_moves_the_row_and_no_other(ctx, store, deals):
    q = DealQuery(tab=Tab.OUTBOUND, sort="value")
    order = reference(ctx, q)
    moved = order[len(order) // 2]
    with store.write() as session:
        session.execute(update(DealRecord).where(DealRecord.id == moved).values(value_usd=1.0))
    after = walk_forward(ctx, q)
    assert after[0] == moved and after[1:] == [i for i in order if i != moved]


def test_the_count_and_the_tab_counts_are_exact_and_follow_every_write(ctx, store, deals):
    counts = tab_counts(ctx)
    for tab in Tab:
        assert counts[tab] == len(reference(ctx, DealQuery(tab=tab))) == count_deals(ctx, DealQuery(tab=tab))
    with store.write() as session:  # one more closed deal: the kept counts are not the counts any more
        session.execute(update(DealRecord).where(DealRecord.id == deals[0]).values(tab="closed"))
    fresh = tab_counts(ctx)
    old_tab = next(t for t in (Tab.INBOUND, Tab.OUTBOUND) if counts[t] != fresh[t])
    assert fresh[old_tab] == counts[old_tab] - 1 and fresh[Tab.CLOSED] == counts[Tab.CLOSED] + 1
    assert count_deals(ctx, DealQuery(tab=Tab.CLOSED)) == fresh[Tab.CLOSED]
    assert deal_view(ctx, DealQuery(tab=Tab.CLOSED), [PageWant(0, SIZE)]).total == fresh[Tab.CLOSED]


def test_every_sort_key_pages(ctx, deals):
    for key in SORT_KEYS:
        q = DealQuery(tab=Tab.INBOUND, sort=key)
        assert walk_forward(ctx, q) == reference(ctx, q), key
