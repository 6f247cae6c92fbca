"""Reads as the faces need them, with the user's visibility applied."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from model.domain.errors import NotFound
from model.domain.rules.visibility import can_see
from model.domain.schemas import Deal, DealRow, Event, Person
from model.services.context import Ctx
from model.store import queries, repo
from model.store.queries import DealQuery, TabSummary
from model.store.tables import DealRecord, TeamRecord


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
        return queries.page(session, ctx.user, q, ctx.now())


def count_deals(ctx: Ctx, q: DealQuery) -> int:
    with ctx.store.read() as session:
        return queries.count(session, ctx.user, q, ctx.now())


def tab_summary(ctx: Ctx, q: DealQuery) -> TabSummary:
    with ctx.store.read() as session:
        return queries.summary(session, ctx.user, q, ctx.now())


def expiring_deals(ctx: Ctx, within: timedelta) -> list[Deal]:
    with ctx.store.read() as session:
        ids = queries.expiring(session, ctx.user, ctx.now(), within)
        return [repo.to_deal(session.get(DealRecord, i)) for i in ids]


def recent_people(ctx: Ctx, limit: int = 12) -> list[Person]:
    """R6.2: people from the user's recent deals, offered for one-key adding."""
    with ctx.store.read() as session:
        stmt = (select(TeamRecord.name, TeamRecord.phone, TeamRecord.email, TeamRecord.company)
                .join(DealRecord, DealRecord.id == TeamRecord.deal_id)
                .where(queries.visible_to(ctx.user))
                .order_by(DealRecord.updated_at.desc()).limit(limit * 8))
        seen, out = set(), []
        for name, phone, email, company in session.execute(stmt):
            if email.lower() in seen:
                continue
            seen.add(email.lower())
            out.append(Person(name=name, phone=phone, email=email, company=company))
            if len(out) >= limit:
                break
        return out
