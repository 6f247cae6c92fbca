"""The SQL behind R13's figures (``model.domain.rules.stats`` says what they mean).

Two reads, each with the user's visibility (R1.3–R1.4) in its WHERE clause: the answers
given to inbound deals since a moment (four columns a deal, only the deals answered or
expired since then), and the deals that need reporting (R13.3), found in SQL with the same
predicate as ``reporting_gap``, never by loading every deal.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import and_, func, or_, select

from model.domain.enums import Direction, Substatus
from model.domain.rules.stats import OPEN, REPORTED_OUTCOMES, InboundAnswer
from model.domain.schemas import User
from model.store.queries import RECEIVED, visible_to
from model.store.tables import DealRecord


@dataclass(frozen=True)
class ReportingRow:
    """One deal that needs reporting, with what a list shows of it."""

    id: str
    name: str
    customer_name: str
    substatus: Substatus
    close_date: date | None
    value: Decimal
    currency: str


def inbound_answers(session, user: User, since: datetime) -> list[InboundAnswer]:
    """Inbound deals accepted, declined or expired at or after ``since``."""
    inbound = DealRecord.direction == Direction.INBOUND.value
    stmt = (select(DealRecord.received_at, DealRecord.accepted_at, DealRecord.closed_at, DealRecord.substatus)
            .where(inbound, DealRecord.received_at.is_not(None), visible_to(user),
                   or_(DealRecord.accepted_at >= since,
                       and_(DealRecord.accepted_at.is_(None), DealRecord.closed_at >= since))))
    return [InboundAnswer(received_at=r.received_at, accepted_at=r.accepted_at, closed_at=r.closed_at,
                          substatus=Substatus(r.substatus)) for r in session.execute(stmt)]


def waiting_count(session, user: User) -> int:
    """Received inbound deals still waiting for an answer (R8.2)."""
    return session.scalar(select(func.count()).select_from(DealRecord).where(
        DealRecord.direction == Direction.INBOUND.value, DealRecord.substatus.in_(RECEIVED),
        visible_to(user))) or 0


def _needs_reporting(today: date):
    return or_(and_(DealRecord.substatus.in_([s.value for s in OPEN]), DealRecord.close_date < today),
               and_(DealRecord.substatus.in_([s.value for s in REPORTED_OUTCOMES]), DealRecord.value == 0))


def needs_reporting_count(session, user: User, today: date) -> int:
    return session.scalar(select(func.count()).select_from(DealRecord).where(
        _needs_reporting(today), visible_to(user))) or 0


def needs_reporting(session, user: User, today: date, limit: int = 500) -> list[ReportingRow]:
    """The deals that need reporting, oldest close date first (at most ``limit``)."""
    stmt = (select(DealRecord.id, DealRecord.name, DealRecord.customer_name, DealRecord.substatus,
                   DealRecord.close_date, DealRecord.value, DealRecord.currency)
            .where(_needs_reporting(today), visible_to(user))
            .order_by(DealRecord.close_date, DealRecord.id).limit(limit))
    return [ReportingRow(id=r.id, name=r.name, customer_name=r.customer_name, substatus=Substatus(r.substatus),
                         close_date=r.close_date, value=Decimal(r.value), currency=r.currency)
            for r in session.execute(stmt)]
