"""Read queries for the faces: one page at a time, filtered, sorted and counted in SQL.

No query loads all deals to filter in Python: the grid asks for the rows it
shows, the header asks for aggregates. Visibility (R1.3–R1.4) is part of
every WHERE clause, so no face can forget it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import Boolean, and_, case, exists, false, func, or_, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.expression import FunctionElement

from model.domain.enums import DealKind, Direction, PartnerRole, SaleType, Substatus, Tab
from model.domain.listing import DEFAULT_SORT, SORT_KEYS, DealQuery, TabSummary  # noqa: F401  (the read side's vocabulary)
from model.domain.schemas import DealRow, User
from model.domain.stages import Stage
from model.store.tables import DealRecord, TeamRecord

SORTS: dict[str, ColumnElement] = {
    "name": DealRecord.name,
    "customer": DealRecord.customer_name,
    "kind": DealRecord.kind,
    "sale_type": DealRecord.sale_type,
    "stage": DealRecord.stage_pct,
    "status": DealRecord.substatus,
    "value": DealRecord.value_usd,
    "close_date": DealRecord.close_date,
    # Time left to answer: only a received deal can expire (R8.2); an accepted one keeps its old
    # expires_at, which must not sort it ahead of the deals still waiting for an answer.
    "expires": case((DealRecord.substatus.in_(("Received", "Pending")), DealRecord.expires_at), else_=None),
    "partner_role": DealRecord.partner_role,
    "partner_program": DealRecord.partner_program,
    "crm_id": DealRecord.crm_id,
    "favorite": DealRecord.favorite,
    "location": DealRecord.location,
    "sender": DealRecord.sender_name,
    "created": DealRecord.created_at,
    "updated": DealRecord.updated_at,
    "closed": DealRecord.closed_at,
}
assert tuple(SORTS) == SORT_KEYS, "model.domain.listing.SORT_KEYS names every sortable column"

def visible_to(user: User) -> ColumnElement:
    """R1.3–R1.4 in SQL."""
    if user.is_admin:
        return true()
    email = (user.email or "").strip().lower()
    if not email:
        return false()
    # An alias, so a query that itself selects from the team table (recent people)
    # correlates only the deal, not the member, into this subquery.
    member = aliased(TeamRecord)
    on_team = exists().where(member.deal_id == DealRecord.id, member.email_lc == email)
    if user.location is None:
        return on_team
    return and_(DealRecord.location == user.location, on_team)


class has_substring(FunctionElement):
    """``needle`` occurs in ``haystack``, case as stored: ``instr`` on SQLite, ``strpos`` on
    PostgreSQL. A function, not LIKE, so a typed ``%`` or ``_`` is just a character."""

    type = Boolean()
    inherit_cache = True
    name = "has_substring"


@compiles(has_substring)
def _has_substring_default(element, compiler, **kw):
    haystack, needle = list(element.clauses)
    return f"(instr({compiler.process(haystack, **kw)}, {compiler.process(needle, **kw)}) > 0)"


@compiles(has_substring, "postgresql")
def _has_substring_pg(element, compiler, **kw):
    haystack, needle = list(element.clauses)
    return f"(strpos({compiler.process(haystack, **kw)}, {compiler.process(needle, **kw)}) > 0)"


def tab_filter(tab: Tab) -> ColumnElement:
    if tab is Tab.FAVORITES:
        return DealRecord.favorite.is_(True)
    return DealRecord.tab == tab.value


def _where(q: DealQuery, user: User, now: datetime) -> list[ColumnElement]:
    conds = [tab_filter(q.tab), visible_to(user)]
    if q.text.strip():
        for word in q.text.lower().split():
            conds.append(has_substring(DealRecord.search_text, word))
    if q.stage is not None:
        conds.append(DealRecord.stage == q.stage.value)
    if q.kind is not None:
        conds.append(DealRecord.kind == q.kind.value)
    if q.expiring_within is not None:
        conds += [DealRecord.substatus.in_(("Received", "Pending")), DealRecord.expires_at <= now + q.expiring_within]
    if q.ids is not None:
        conds.append(DealRecord.id.in_(q.ids))
    return conds


_ROW_COLUMNS = (
    DealRecord.id, DealRecord.version, DealRecord.name, DealRecord.customer_name, DealRecord.direction,
    DealRecord.kind, DealRecord.sale_type, DealRecord.substatus, DealRecord.stage, DealRecord.value,
    DealRecord.currency, DealRecord.value_usd, DealRecord.close_date, DealRecord.expires_at,
    DealRecord.partner_role, DealRecord.partner_program, DealRecord.crm_id, DealRecord.favorite,
    DealRecord.location, DealRecord.sender_name, DealRecord.created_at, DealRecord.updated_at,
)


def _row(r) -> DealRow:
    return DealRow.model_construct(
        id=r.id, version=r.version, name=r.name, customer_name=r.customer_name, direction=Direction(r.direction),
        kind=DealKind(r.kind), sale_type=SaleType(r.sale_type) if r.sale_type else None,
        substatus=Substatus(r.substatus), stage=Stage(r.stage), value=Decimal(r.value), currency=r.currency,
        value_usd=r.value_usd, close_date=r.close_date, expires_at=r.expires_at,
        partner_role=PartnerRole(r.partner_role) if r.partner_role else None, partner_program=r.partner_program,
        crm_id=r.crm_id, favorite=r.favorite, location=r.location, sender_name=r.sender_name,
        created_at=r.created_at, updated_at=r.updated_at,
    )


def order_by(q: DealQuery) -> list:
    key, desc = (q.sort, q.descending) if q.sort else DEFAULT_SORT[q.tab]
    column = SORTS.get(key)
    if column is None:
        raise ValueError(f"cannot sort by {key!r}; choose one of {', '.join(SORTS)}")
    ordered = [column.desc() if desc else column.asc(), DealRecord.id]  # the id keeps paging stable
    if getattr(column, "nullable", True) is False:
        return ordered  # a NOT NULL column: a plain ORDER BY the (tab, column) index can serve
    # NULLs last either way (SQLite and PostgreSQL disagree on where they go by default).
    return [case((column.is_(None), 1), else_=0), *ordered]


def page(session, user: User, q: DealQuery, now: datetime) -> list[DealRow]:
    stmt = (select(*_ROW_COLUMNS).where(*_where(q, user, now)).order_by(*order_by(q))
            .offset(max(q.offset, 0)).limit(q.limit))
    return [_row(r) for r in session.execute(stmt)]


def count(session, user: User, q: DealQuery, now: datetime) -> int:
    return session.scalar(select(func.count()).select_from(DealRecord).where(*_where(q, user, now))) or 0


def summary(session, user: User, q: DealQuery, now: datetime) -> TabSummary:
    conds = _where(q, user, now)
    soon = now + timedelta(hours=48)
    row = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(DealRecord.value_usd), 0.0),
            func.coalesce(func.sum(DealRecord.value_usd * DealRecord.stage_pct / 100.0), 0.0),
            func.coalesce(func.sum(case((and_(DealRecord.substatus.in_(("Received", "Pending")),
                                               DealRecord.expires_at <= soon), 1), else_=0)), 0),
        ).select_from(DealRecord).where(*conds)
    ).one()
    return TabSummary(int(row[0]), float(row[1]), float(row[2]), int(row[3]))


def expiring(session, user: User, now: datetime, within: timedelta) -> list[str]:
    """Ids of received inbound deals expiring within ``within`` (overdue ones included), soonest first."""
    stmt = (select(DealRecord.id)
            .where(DealRecord.substatus.in_(("Received", "Pending")), DealRecord.expires_at <= now + within,
                   visible_to(user))
            .order_by(DealRecord.expires_at, DealRecord.id))
    return list(session.scalars(stmt))
