"""R12: the outbox table. A ``dedupe_key`` makes queuing idempotent: a message queued twice (a sweep
run twice, or by two cron jobs at once) is stored once."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from model.store.tables import OutboxRecord


def queue(session: Session, *, kind: str, deal_id: str | None, recipient: str, subject: str, body: str,
          now: datetime, dedupe_key: str) -> bool:
    """Queue one message unless one with the same key is queued already; True if queued."""
    key = dedupe_key[:200]
    if session.scalar(select(OutboxRecord.id).where(OutboxRecord.dedupe_key == key)):
        return False
    session.add(OutboxRecord(created_at=now, kind=kind, deal_id=deal_id, recipient=recipient, subject=subject[:300],
                             body=body, attempts=0, dedupe_key=key))
    return True
