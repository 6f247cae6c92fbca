"""Reads as the faces need them, with the user's visibility applied.

The SQL is the store's read side (``model.store.reads``); these functions only
open the read transaction and refuse what the user may not see.
"""
from __future__ import annotations

from datetime import timedelta

from model.domain.errors import NotFound
from model.domain.listing import DealQuery, TabSummary
from model.domain.rules.visibility import can_see
from model.domain.schemas import Deal, DealRow, Event, Person
from model.services.context import Ctx
from model.store import reads, repo
from model.store.reads import ExpiringDeal

__all__ = ["ExpiringDeal", "count_deals", "expiring_deals", "get_deal", "history", "list_deals", "recent_people",
           "tab_summary"]


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


def count_deals(ctx: Ctx, q: DealQuery) -> int:
    with ctx.store.read() as session:
        return reads.deal_count(session, ctx.user, q, ctx.now())


def tab_summary(ctx: Ctx, q: DealQuery) -> TabSummary:
    with ctx.store.read() as session:
        return reads.tab_summary(session, ctx.user, q, ctx.now())


def expiring_deals(ctx: Ctx, within: timedelta) -> list[ExpiringDeal]:
    """R8.2: received inbound deals expiring within ``within`` (overdue included), soonest first, with teams."""
    with ctx.store.read() as session:
        return reads.expiring(session, ctx.user, ctx.now(), within)


def recent_people(ctx: Ctx, limit: int = 12) -> list[Person]:
    """R6.2: people from the user's recent deals, offered for one-key adding."""
    with ctx.store.read() as session:
        return reads.recent_people(session, ctx.user, limit)
