"""The `/` filter and the `g` stage filter (issues 10 and 13), on SQLite and PostgreSQL.

The filter's answer is defined as "every typed word occurs in the deal's haystack" (name, customer,
CRM id, notes, lower-cased): the store's indexed form (SQLite's narrow index, PostgreSQL's pg_trgm
LIKE with wildcards escaped) must give exactly the deals that definition gives, for any words,
few matches or many, wildcards and backslashes included.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from dashboard_support import bulk_deals
from model.domain.enums import Substatus, Tab
from model.domain.listing import STAGE_TRACK, DealQuery, PageWant
from model.domain.stages import Stage
from model.services.facets import stages_in_view
from model.services.queries import count_deals, deal_view, list_deals
from model.store import paging
from model.store.tables import DealRecord

ODD = ["50% off_seats", "back\\slash", "Ünïcode Straße", "under_score", "100%", "a_b%c"]


@pytest.fixture
def deals(store):
    ids = bulk_deals(store, 240, seed=11)
    with store.write() as session:  # wildcard characters, backslashes and non-ASCII in some haystacks
        for i, extra in zip(ids[::17], ODD * 4):
            session.execute(update(DealRecord).where(DealRecord.id == i).values(
                name=f"Deal {extra}", search_text=f"deal {extra}".lower()))
    return ids


def haystacks(ctx) -> dict[str, tuple[str, str, bool]]:
    with ctx.store.read() as session:
        return {i: (tab, text, fav) for i, tab, text, fav in
                session.execute(select(DealRecord.id, DealRecord.tab, DealRecord.search_text, DealRecord.favorite))}


def expected(hay, tab: Tab, text: str) -> set[str]:
    words = text.lower().split()
    return {i for i, (t, h, fav) in hay.items()
            if (fav if tab is Tab.FAVORITES else t == tab.value) and all(w in h for w in words)}


def matched(ctx, tab: Tab, text: str) -> tuple[set[str], int]:
    q = DealQuery(tab=tab, text=text)
    view = deal_view(ctx, q, [PageWant(i, 100) for i in range(3)])
    ids = [r.id for p in view.pages for r in p.rows]
    assert len(ids) == len(set(ids)) == view.total == count_deals(ctx, q)
    return set(ids), view.total


WORDS = st.one_of(
    st.sampled_from(["deal", "0", "00", "001", "analytics", "data platform", "contoso", "crm-0001", "%", "_", "\\",
                     "50%", "off_", "ü", "straße", "a_b%c", "zz", "Deal 0012", "  ", ""]),
    st.text(alphabet="abcdeilnorst0123%_\\ ü", max_size=6),
)


@pytest.fixture(params=["few: read from the filter's index", "many: walk the order's index"])
def strategy(request, monkeypatch):
    monkeypatch.setattr(paging, "SORT_MATCHES_BELOW", 10**9 if request.param.startswith("few") else 0)
    return request.param


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=WORDS, tab=st.sampled_from(list(Tab)))
def test_the_indexed_filter_finds_exactly_the_deals_holding_every_word(ctx, deals, strategy, text, tab):
    hay = haystacks(ctx)
    ids, total = matched(ctx, tab, text)
    assert ids == expected(hay, tab, text)


def test_few_and_many_matches_are_answered_alike(ctx, deals, strategy):
    """SQLite reads few matches from the filter's index and sorts them, many by walking the order:
    both give the query's order (the order is the one of the unfiltered tab, matches kept)."""
    everything = [r.id for r in list_deals(ctx, DealQuery(tab=Tab.INBOUND, limit=1000))]
    for text in ("deal", "analytics", "0012", "50%"):
        shown = [r.id for r in list_deals(ctx, DealQuery(tab=Tab.INBOUND, text=text, limit=1000))]
        assert shown == [i for i in everything if i in set(shown)]
        assert set(shown) == expected(haystacks(ctx), Tab.INBOUND, text)


def test_stage_accepted_means_accepted_never_received(ctx, deals):
    """R8.1/R8.5: a received inbound deal has no sales stage yet (its stored stage is a placeholder),
    nor has one declined or expired before anyone accepted it."""
    rows = list_deals(ctx, DealQuery(tab=Tab.INBOUND, stage=Stage.ACCEPTED, limit=1000))
    assert rows and all(r.substatus is Substatus.ACCEPTED and r.stage is Stage.ACCEPTED for r in rows)
    with ctx.store.read() as session:
        received = session.scalar(select(DealRecord.id).where(DealRecord.substatus == "Received",
                                                              DealRecord.stage == "Accepted").limit(1))
    assert received is not None and received not in {r.id for r in rows}
    closed = list_deals(ctx, DealQuery(tab=Tab.CLOSED, stage=Stage.ACCEPTED, limit=1000))
    assert all(r.substatus not in (Substatus.DECLINED, Substatus.EXPIRED) for r in closed)


def test_stages_in_view_are_the_stages_of_the_deals_shown_in_track_order(ctx, deals):
    for tab in Tab:
        q = DealQuery(tab=tab)
        rows = list_deals(ctx, DealQuery(tab=tab, limit=1000))
        reached = {r.stage for r in rows if r.substatus not in (Substatus.RECEIVED, Substatus.PENDING,
                                                                Substatus.DECLINED, Substatus.EXPIRED)}
        offered = stages_in_view(ctx, q)
        assert set(offered) == reached and offered == [s for s in STAGE_TRACK if s in reached]
        for stage in offered:  # each offered stage shows deals; the filter's own stage does not narrow it
            assert list_deals(ctx, DealQuery(tab=tab, stage=stage, limit=1))
        assert stages_in_view(ctx, DealQuery(tab=tab, stage=Stage.WON)) == offered
    # the inbound tab of this data: accepted deals in the open sales stages, never Won, Scoped...
    inbound = stages_in_view(ctx, DealQuery(tab=Tab.INBOUND))
    assert Stage.WON not in inbound and Stage.SCOPED not in inbound and Stage.ACCEPTED in inbound
    assert stages_in_view(ctx, DealQuery(tab=Tab.INBOUND, text="no such deal anywhere")) == []
