"""The read side's SQL vocabulary: who may see a deal, which tab, which words, which order.

Visibility (R1.3–R1.4) is built here once and is part of every WHERE clause
the read side (``model.store.reads``) and the export write, so no face can
forget it. Nothing here loads all deals to filter in Python.

Order and paging: every list is ordered by (sort key, id), both in the sort's direction, with
the deals that have no value for the key after the others whichever the direction (SQLite and
PostgreSQL disagree on where NULLs go, so it is said here, not left to them). A page is found
from the row before it (keyset: ``(key, id) > (k, i)``), which an index on (tab, key, id) answers
by reading just that page, however deep; only a jump to an arbitrary row counts rows (OFFSET).
"""
from __future__ import annotations

from dataclasses import dataclass
import math
from datetime import UTC, date, datetime

from sqlalchemy import Boolean, Date, DateTime, Float, String, and_, bindparam, case, exists, false, true, tuple_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.expression import FunctionElement

from model.domain.enums import Tab
from model.domain.listing import DEFAULT_SORT, SORT_KEYS, STAGELESS_SUBSTATUSES, DealQuery
from model.domain.schemas import User
from model.store.tables import EXPIRY_KEY, RECEIVED, DealRecord, TeamRecord

__all__ = ["RECEIVED", "SORTS", "SortSpec", "contains_word", "has_substring", "order_by", "sort_spec", "tab_filter", "visible_to",
           "where"]

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
    # expires_at, which must not sort it ahead of the deals still waiting for an answer. The same
    # expression as the (tab, expiry key, id) index of ``model.store.tables``, so that index serves it.
    "expires": EXPIRY_KEY,
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
    """``needle`` occurs in ``haystack``, case as stored: ``instr`` on SQLite; on PostgreSQL a
    LIKE with every wildcard escaped (so a typed ``%`` or ``_`` is just a character), which the
    ``pg_trgm`` GIN index on ``search_text`` answers (``strpos`` would read every row)."""

    type = Boolean()
    inherit_cache = True
    name = "has_substring"


def contains_word(haystack: ColumnElement, word: str) -> has_substring:
    """``word`` occurs in ``haystack``: the word itself for ``instr``, and its LIKE pattern (wildcards
    escaped) for PostgreSQL, both as bound values, so a cached statement never keeps an old word."""
    pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return has_substring(haystack, bindparam(None, word, type_=String()), bindparam(None, pattern, type_=String()))


@compiles(has_substring)
def _has_substring_default(element, compiler, **kw):
    haystack, needle, _pattern = list(element.clauses)
    return f"(instr({compiler.process(haystack, **kw)}, {compiler.process(needle, **kw)}) > 0)"


@compiles(has_substring, "postgresql")
def _has_substring_pg(element, compiler, **kw):
    haystack, _needle, pattern = list(element.clauses)
    return f"({compiler.process(haystack, **kw)} LIKE {compiler.process(pattern, **kw)} ESCAPE '\\')"


def tab_filter(tab: Tab) -> ColumnElement:
    if tab is Tab.FAVORITES:
        return DealRecord.favorite.is_(True)
    return DealRecord.tab == tab.value


def text_words(q: DealQuery) -> list[str]:
    return q.text.lower().split()


def where(q: DealQuery, user: User, now: datetime, *, stage: bool = True) -> list[ColumnElement]:
    """The query's conditions (``stage=False``: all but the stage filter, for the stages in view)."""
    conds = [tab_filter(q.tab), visible_to(user)]
    for word in text_words(q):
        conds.append(contains_word(DealRecord.search_text, word))
    if stage and q.stage is not None:
        conds += [DealRecord.stage == q.stage.value, has_a_stage()]
    if q.kind is not None:
        conds.append(DealRecord.kind == q.kind.value)
    if q.expiring_within is not None:
        conds += [DealRecord.substatus.in_(RECEIVED), DealRecord.expires_at <= now + q.expiring_within]
    if q.ids is not None:
        conds.append(DealRecord.id.in_(q.ids))
    return conds


def has_a_stage() -> ColumnElement:
    """The deal reached a sales stage: not received, declined or expired (``STAGELESS_SUBSTATUSES``)."""
    return DealRecord.substatus.not_in(sorted(s.value for s in STAGELESS_SUBSTATUSES))


@dataclass(frozen=True)
class SortSpec:
    """A query's order: the key, its direction, and whether some deals have no value for it."""

    key: ColumnElement
    descending: bool
    nullable: bool

    def ordered(self, *, reverse: bool = False) -> list:
        """ORDER BY of the rows that have a key: (key, id), both in the sort's direction."""
        desc = self.descending != reverse
        return [self.key.desc() if desc else self.key.asc(), DealRecord.id.desc() if desc else DealRecord.id.asc()]

    def ordered_nulls(self, *, reverse: bool = False) -> list:
        """ORDER BY of the rows without a key: by id, in the sort's direction. Said as (key, id), the
        same as the keyed rows (the key is NULL throughout), so the planner reads the (tab, key, id)
        index's NULL range in order instead of walking the primary key past every other row."""
        return self.ordered(reverse=reverse)

    def beyond(self, value, deal_id: str, *, reverse: bool = False) -> ColumnElement:
        """Rows with a key that come after (key, id) = (value, deal_id) in this order (``reverse``: before).

        The single comparison beside the row value lets SQLite use the index range on an expression key."""
        forward = self.descending == reverse
        value = bindparam(None, value, type_=self.key.type)  # a bound value, also for a True/False key
        if forward:
            return and_(self.key >= value, tuple_(self.key, DealRecord.id) > tuple_(value, deal_id))
        return and_(self.key <= value, tuple_(self.key, DealRecord.id) < tuple_(value, deal_id))

    def floor(self, *, reverse: bool = False) -> list[ColumnElement]:
        """A lower bound below every value, when the walk goes up the index (empty otherwise).

        SQLite keeps NULLs first in an ascending index and does not use IS NOT NULL on an expression
        key as a range: without a bound, an ascending walk would read every keyless row first."""
        if self.descending != reverse:
            return []
        kind = getattr(self.key.type, "impl", self.key.type)
        lowest = next((low for sql_type, low in _LOWEST if isinstance(kind, sql_type)), None)
        return [] if lowest is None else [self.key >= lowest]

    def beyond_null(self, deal_id: str, *, reverse: bool = False) -> ColumnElement:
        return DealRecord.id > deal_id if self.descending == reverse else DealRecord.id < deal_id


_LOWEST = ((DateTime, datetime(1, 1, 1, tzinfo=UTC)), (Date, date(1, 1, 1)), (Float, -math.inf), (String, ""))


def sort_spec(q: DealQuery) -> SortSpec:
    key, desc = (q.sort, q.descending) if q.sort else DEFAULT_SORT[q.tab]
    column = SORTS.get(key)
    if column is None:
        raise ValueError(f"cannot sort by {key!r}; choose one of {', '.join(SORTS)}")
    return SortSpec(column, desc, getattr(column, "nullable", True) is not False)


def order_by(q: DealQuery) -> list:
    """The whole order as one ORDER BY (keyless rows last), for reads that are not paged by key."""
    spec = sort_spec(q)
    if not spec.nullable:
        return spec.ordered()
    return [case((spec.key.is_(None), 1), else_=0), *spec.ordered()]
