"""Reads as the faces need them, with the user's visibility applied.

The SQL is the store's read side (``model.store.reads``); these functions only
open the read transaction and refuse what the user may not see.

Counts that do not depend on the time (a tab's count, a filter's matches) are kept per store
change: the store's change counter, read in the same transaction as the count, says whether a
kept count is still the count (nobody wrote since), so switching tabs does not count again.
The grid's views are kept the same way, a few of them: the reload that confirms a tab drawn from
memory (and a read ahead of one) costs the counter's read when nothing changed.
"""
from __future__ import annotations

from collections import OrderedDict
from weakref import WeakKeyDictionary
from datetime import datetime, timedelta

from model.domain.enums import Tab
from model.domain.errors import NotFound
from model.domain.listing import DealQuery, DealView, PageWant, TabSummary
from model.domain.rules.visibility import can_see
from model.domain.schemas import Deal, DealRow, Event, Person
from model.services.context import Ctx
from model.store import reads, repo
from model.store.queries import text_words
from model.store.reads import ExpiringDeal

__all__ = ["ExpiringDeal", "count_deals", "deal_view", "expiring_deals", "get_deal", "history", "list_deals",
           "recent_people", "tab_counts", "tab_summary"]

_KEPT: WeakKeyDictionary = WeakKeyDictionary()   # store -> {(user, change counter, what): count}
_KEEP = 512
_VIEWS: WeakKeyDictionary = WeakKeyDictionary()  # store -> {(user, change counter, query, pages): DealView}
_KEEP_VIEWS = 24
_SUMMARIES: WeakKeyDictionary = WeakKeyDictionary()  # store -> {(user, change counter, query, now): TabSummary}
_KEEP_SUMMARIES = 16


def get_deal(ctx: Ctx, deal_id: str) -> Deal:
    with ctx.store.read() as session:
        rid = repo.resolve_id(session, deal_id, user=ctx.user)
        deal = repo.to_deal(repo.load_record(session, rid))
    if not can_see(ctx.user, deal):
        raise NotFound(f"no deal with id {deal_id!r}")
    return deal


def history(ctx: Ctx, deal_id: str) -> list[Event]:
    deal = get_deal(ctx, deal_id)
    with ctx.store.read() as session:
        return repo.events_for(session, deal.id)


def list_deals(ctx: Ctx, q: DealQuery) -> list[DealRow]:
    with ctx.store.read() as session:
        return reads.deal_page(session, ctx.user, q, ctx.now())


def deal_view(ctx: Ctx, q: DealQuery, wants: list[PageWant]) -> DealView:
    """How many deals match ``q`` and the pages ``wants`` of them, from one consistent read: the
    grid's count and rows never disagree. A page is found from its neighbour's key when given."""
    with ctx.store.snapshot() as session:
        key = _count_key(ctx, session, q)
        views = _kept(ctx, _VIEWS)
        view_key = None if key is None else (*key, repr((q.sort, q.descending, wants)))
        if view_key in views:
            views.move_to_end(view_key)
            return views[view_key]
        kept = _kept(ctx).get(key) if key is not None else None
        view = reads.deal_view(session, ctx.user, q, ctx.now(), wants, total=kept)
        if key is not None:
            _keep(ctx, key, view.total)
            _keep(ctx, view_key, view, _VIEWS, _KEEP_VIEWS)
        return view


def count_deals(ctx: Ctx, q: DealQuery) -> int:
    with ctx.store.snapshot() as session:
        key = _count_key(ctx, session, q)
        if key is None:
            return reads.deal_count(session, ctx.user, q, ctx.now())
        kept = _kept(ctx)
        if key not in kept:
            _keep(ctx, key, reads.deal_count(session, ctx.user, q, ctx.now()))
        return kept[key]


def tab_counts(ctx: Ctx) -> dict[Tab, int]:
    """Every tab's count (the tab bar), from one read; counted again only after a change."""
    with ctx.store.snapshot() as session:
        key = _key(ctx, session, ("tabs",))
        kept = _kept(ctx)
        if key not in kept:
            _keep(ctx, key, reads.tab_counts(session, ctx.user))
        return dict(kept[key])


def tab_summary(ctx: Ctx, q: DealQuery) -> TabSummary:
    with ctx.store.snapshot() as session:
        now = ctx.now()
        key = _key(ctx, session, ("summary", q.tab, q.text, q.stage, q.kind, q.expiring_within, now,
                                  None if q.ids is None else tuple(q.ids)))
        # Kept apart from the counts: its key holds the time, which under the system clock is new on
        # every call, and such entries must not push the counts out of their table.
        kept = _kept(ctx, _SUMMARIES)
        if key not in kept:
            _keep(ctx, key, reads.tab_summary(session, ctx.user, q, now), _SUMMARIES, _KEEP_SUMMARIES)
        return kept[key]


def expiring_deals(ctx: Ctx, within: timedelta) -> list[ExpiringDeal]:
    """R8.2: received inbound deals expiring within ``within`` (overdue included), soonest first, with teams."""
    with ctx.store.read() as session:
        return reads.expiring(session, ctx.user, ctx.now(), within)


def expiry_moves(ctx: Ctx, since: datetime, bands: tuple[timedelta, ...], known: frozenset[str] | None
                 ) -> tuple[list[tuple[ExpiringDeal, bool]], frozenset[str]]:
    """R8.2, for a watch that looks again and again: the received inbound deals that may have
    entered one of ``bands`` since ``since``, not all of them (``reads.expiry_moves``)."""
    with ctx.store.read() as session:
        return reads.expiry_moves(session, ctx.user, since, ctx.now(), bands, known)


def recent_people(ctx: Ctx, limit: int = 12) -> list[Person]:
    """R6.2: people from the user's recent deals, offered for one-key adding."""
    with ctx.store.read() as session:
        return reads.recent_people(session, ctx.user, limit)


def _count_key(ctx: Ctx, session, q: DealQuery) -> tuple | None:
    """What a count of ``q`` is kept under; None: it depends on the time too (``expiring_within``)."""
    if q.expiring_within is not None:
        return None
    return _key(ctx, session, ("count", q.tab, text_words(q), q.stage, q.kind,
                               None if q.ids is None else tuple(q.ids)))


def _key(ctx: Ctx, session, what: tuple) -> tuple:
    user = ctx.user
    who = (user.login, user.role, user.location, user.email)
    return (who, ctx.store.counter_in(session), repr(what))


def _kept(ctx: Ctx, table: WeakKeyDictionary = _KEPT) -> OrderedDict:
    """This store's kept counts (or views: ``_VIEWS``); a new Store, e.g. another database, starts with none."""
    kept = table.get(ctx.store)
    if kept is None:
        kept = table[ctx.store] = OrderedDict()
    return kept


def _keep(ctx: Ctx, key: tuple, value, table: WeakKeyDictionary = _KEPT, limit: int = _KEEP) -> None:
    kept = _kept(ctx, table)
    kept[key] = value
    while len(kept) > limit:
        kept.popitem(last=False)
