"""The read side's SQL vocabulary: who may see a deal, which tab, which words, which order.

Visibility (R1.3–R1.4) is built here once and is part of every WHERE clause
the read side (``model.store.reads``) and the export write, so no face can
forget it. Nothing here loads all deals to filter in Python.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, and_, case, exists, false, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.expression import FunctionElement

from model.domain.enums import Tab
from model.domain.listing import DEFAULT_SORT, SORT_KEYS, DealQuery
from model.domain.schemas import User
from model.store.tables import DealRecord, TeamRecord

#: A received inbound deal waits for an answer and can expire (R8.2).
RECEIVED = ("Received", "Pending")

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
    "expires": case((DealRecord.substatus.in_(RECEIVED), DealRecord.expires_at), else_=None),
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


def where(q: DealQuery, user: User, now: datetime) -> list[ColumnElement]:
    conds = [tab_filter(q.tab), visible_to(user)]
    if q.text.strip():
        for word in q.text.lower().split():
            conds.append(has_substring(DealRecord.search_text, word))
    if q.stage is not None:
        conds.append(DealRecord.stage == q.stage.value)
    if q.kind is not None:
        conds.append(DealRecord.kind == q.kind.value)
    if q.expiring_within is not None:
        conds += [DealRecord.substatus.in_(RECEIVED), DealRecord.expires_at <= now + q.expiring_within]
    if q.ids is not None:
        conds.append(DealRecord.id.in_(q.ids))
    return conds


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
