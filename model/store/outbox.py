"""R12: the outbox table. A ``dedupe_key`` makes queuing idempotent: a message queued twice (a sweep
run twice, or by two cron jobs at once) is stored once.

One message is queued with ``queue``. A change made to thousands of deals at once (the expiry
sweep) words each message the same way, through the same ``model.services.outbox`` code, but
inside ``batched(session)``: there ``queue`` only collects the row, and the batch is written at
the end in a few set-based INSERTs that skip every key already queued, instead of a look-up and
an INSERT per message.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from typing import Iterator, Sequence

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from model.store.tables import OutboxRecord

_OUTBOX = OutboxRecord.__table__
_BATCH = "cosell_outbox_batch"
#: Rows per INSERT of a batch (PostgreSQL takes at most 65,535 parameters a statement, SQLite 32,766).
CHUNK = 1_000
#: Keys per look-up of what is queued already (databases without ON CONFLICT).
_LOOKUP = 500


def _row(*, kind: str, deal_id: str | None, recipient: str, subject: str, body: str, now: datetime,
         dedupe_key: str) -> dict:
    return {"created_at": now, "kind": kind, "deal_id": deal_id, "recipient": recipient, "subject": subject[:300],
            "body": body, "attempts": 0, "dedupe_key": dedupe_key[:200]}


def queue(session: Session, *, kind: str, deal_id: str | None, recipient: str, subject: str, body: str,
          now: datetime, dedupe_key: str) -> bool:
    """Queue one message unless one with the same key is queued already; True if queued.

    Inside ``batched(session)`` the message is collected and True means "will be queued unless
    its key is queued already" (the batch decides that for all its rows at once)."""
    row = _row(kind=kind, deal_id=deal_id, recipient=recipient, subject=subject, body=body, now=now,
               dedupe_key=dedupe_key)
    batch = session.info.get(_BATCH)
    if batch is not None:
        batch.append(row)
        return True
    if session.scalar(select(OutboxRecord.id).where(OutboxRecord.dedupe_key == row["dedupe_key"])):
        return False
    session.add(OutboxRecord(**row))
    return True


@contextmanager
def batched(session: Session) -> Iterator[list[dict]]:
    """Collect what ``queue`` is asked inside, and write it when the block ends without an error
    (nothing is written if it raises: the caller's transaction rolls back anyway)."""
    if session.info.get(_BATCH) is not None:  # already batching: the outer block writes
        yield session.info[_BATCH]
        return
    rows: list[dict] = []
    session.info[_BATCH] = rows
    try:
        yield rows
    finally:
        session.info.pop(_BATCH, None)
    queue_many(session, rows)


def queue_many(session: Session, rows: Sequence[dict]) -> int:
    """Queue ``rows`` (``queue``'s fields) in set-based INSERTs, skipping every dedupe key that is
    queued already or comes earlier in ``rows``; returns how many were queued (-1: the driver did
    not say, and then the transaction counts as a write)."""
    seen: set[str] = set()
    fresh = []
    for row in rows:
        if row["dedupe_key"] not in seen:
            seen.add(row["dedupe_key"])
            fresh.append(row)
    if not fresh:
        return 0
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as upsert
        else:
            from sqlalchemy.dialects.postgresql import insert as upsert
        stmt = upsert(_OUTBOX).on_conflict_do_nothing(index_elements=["dedupe_key"])
        counts = [session.execute(stmt, fresh[i:i + CHUNK]).rowcount for i in range(0, len(fresh), CHUNK)]
        queued = -1 if any(n is None or n < 0 for n in counts) else sum(counts)
    else:  # pragma: no cover - other databases: look the keys up, insert the rest
        keys = [r["dedupe_key"] for r in fresh]
        have: set[str] = set()
        for i in range(0, len(keys), _LOOKUP):
            have.update(session.scalars(select(OutboxRecord.dedupe_key)
                                        .where(OutboxRecord.dedupe_key.in_(keys[i:i + _LOOKUP]))))
        todo = [r for r in fresh if r["dedupe_key"] not in have]
        for i in range(0, len(todo), CHUNK):
            session.execute(insert(_OUTBOX), todo[i:i + CHUNK])
        queued = len(todo)
    if queued:
        session.info["wrote"] = True  # the change counter is bumped only when a message went in
    return queued
