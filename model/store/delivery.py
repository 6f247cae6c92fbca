"""The notification outbox in SQL: how much waits, claiming rows for a run, settling them (R12).

``model.notify`` decides what to send and when to give up; these statements
make sure two overlapping runs never hold the same row (a claim is a token
and a time; a lapsed claim may be taken over) and that settling touches only
the rows this run still holds.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update

from model.store.tables import OutboxRecord


@dataclass(frozen=True)
class Claimed:
    """One outbox row taken by a delivery run."""

    id: int
    created_at: datetime
    kind: str
    recipient: str
    subject: str
    body: str
    attempts: int


def outbox_size(session) -> int:
    """Every message ever queued, sent or not: what a sweep adds to is counted against this."""
    return session.scalar(select(func.count()).select_from(OutboxRecord)) or 0


def pending_count(session, max_attempts: int) -> int:
    """Messages not yet sent and not given up."""
    return session.scalar(select(func.count()).select_from(OutboxRecord).where(
        OutboxRecord.sent_at.is_(None), OutboxRecord.attempts < max_attempts)) or 0


def claim(session, now: datetime, token: str, limit: int, *, lease: timedelta, max_attempts: int) -> list[Claimed]:
    """Take up to ``limit`` unsent rows nobody holds (or whose claim lapsed), oldest first, counting an attempt."""
    ids = list(session.scalars(
        select(OutboxRecord.id)
        .where(OutboxRecord.sent_at.is_(None), OutboxRecord.attempts < max_attempts,
               or_(OutboxRecord.claimed_at.is_(None), OutboxRecord.claimed_at < now - lease))
        .order_by(OutboxRecord.id).limit(limit)))
    if not ids:
        return []
    session.execute(update(OutboxRecord).where(OutboxRecord.id.in_(ids))
                    .values(claimed_at=now, claimed_by=token, attempts=OutboxRecord.attempts + 1))
    rows = session.scalars(select(OutboxRecord).where(OutboxRecord.id.in_(ids)).order_by(OutboxRecord.id))
    return [Claimed(r.id, r.created_at, r.kind, r.recipient, r.subject, r.body, r.attempts) for r in rows]


def still_held(session, ids: list[int], token: str) -> bool:
    """Every one of ``ids`` is still claimed by ``token`` and unsent (the lease has not been taken over)."""
    held = session.scalars(select(OutboxRecord.id).where(
        OutboxRecord.id.in_(ids), OutboxRecord.claimed_by == token, OutboxRecord.sent_at.is_(None))).all()
    return len(held) == len(ids)


def settle(session, ids: list[int], token: str, *, sent_at: datetime | None = None, error: str | None = None,
           attempts: int | None = None, refund: bool = False) -> None:
    """End ``token``'s claim on ``ids``: sent (``sent_at``), or failed with ``error``; ``attempts``
    sets the count (giving up), ``refund`` takes back the attempt the claim counted."""
    values: dict = {"claimed_at": None, "claimed_by": None, "last_error": error}
    if sent_at is not None:
        values["sent_at"] = sent_at
    elif attempts is not None:
        values["attempts"] = attempts
    elif refund:
        values["attempts"] = OutboxRecord.attempts - 1
    session.execute(update(OutboxRecord)
                    .where(OutboxRecord.id.in_(ids), OutboxRecord.claimed_by == token).values(**values))


@dataclass(frozen=True)
class Unsent:
    """A message not delivered yet, or given up: what ``cosell notify --status`` lists."""

    id: int
    created_at: datetime
    recipient: str
    subject: str
    attempts: int
    last_error: str | None
    given_up: bool


def unsent(session, max_attempts: int, limit: int = 200) -> list[Unsent]:
    """Messages not sent (waiting, retrying or given up), oldest first, with their last error."""
    rows = session.scalars(select(OutboxRecord).where(OutboxRecord.sent_at.is_(None))
                           .order_by(OutboxRecord.id).limit(limit))
    return [Unsent(r.id, r.created_at, r.recipient, r.subject, r.attempts, r.last_error,
                   r.attempts >= max_attempts) for r in rows]

