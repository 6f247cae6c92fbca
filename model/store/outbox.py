"""R12: the outbox table. A ``dedupe_key`` makes queuing idempotent: a message queued twice (a sweep
run twice, or by two cron jobs at once) is stored once.

One message is queued with ``queue``. A change made to thousands of deals at once (the expiry
sweep) words each message the same way, through the same ``model.services.outbox`` code, but
inside ``batched(session)``: there ``queue`` only collects the row, and the batch is written at
the end by INSERTs that skip every key already queued (``ON CONFLICT DO NOTHING``), instead of a
look-up and an INSERT per message: on PostgreSQL a few multi-row statements, on SQLite (a
library in this process: no round trips to save) one prepared statement the driver steps per row.
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
#: The columns of a ``row`` the SQLite batch binds (``sent_at`` and ``last_error`` start NULL anyway).
_ROW_COLUMNS = ("created_at", "kind", "deal_id", "recipient", "subject", "body", "attempts", "dedupe_key")


def stored_key(dedupe_key: str) -> str:
    """A dedupe key as the outbox stores it (cut to its column): what a look-up must compare."""
    return dedupe_key[:200]


def row(*, kind: str, deal_id: str | None, recipient: str, subject: str, body: str, now: datetime,
        dedupe_key: str) -> dict:
    """The one shape of a queued message: ``queue`` stores it, and writers in bulk (an import's
    notices) hand it to their INSERT, so a message is cut to the columns' sizes, and starts unsent,
    the same way whichever path queued it. Every key of a row is there, ``sent_at`` and
    ``last_error`` too: one multi-row INSERT binds the same columns for each of its rows."""
    return {"created_at": now, "kind": kind, "deal_id": deal_id, "recipient": recipient, "subject": subject[:300],
            "body": body, "sent_at": None, "attempts": 0, "last_error": None, "dedupe_key": stored_key(dedupe_key)}


def queue(session: Session, *, kind: str, deal_id: str | None, recipient: str, subject: str, body: str,
          now: datetime, dedupe_key: str) -> bool:
    """Queue one message unless one with the same key is queued already; True if queued.

    Inside ``batched(session)`` the message is collected and True means "will be queued unless
    its key is queued already" (the batch decides that for all its rows at once)."""
    message = row(kind=kind, deal_id=deal_id, recipient=recipient, subject=subject, body=body, now=now,
                  dedupe_key=dedupe_key)
    batch = session.info.get(_BATCH)
    if batch is not None:
        batch.append(message)
        return True
    if session.scalar(select(OutboxRecord.id).where(OutboxRecord.dedupe_key == message["dedupe_key"])):
        return False
    session.add(OutboxRecord(**message))
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
    queued already or comes earlier in ``rows``; returns how many were queued."""
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
        if dialect == "sqlite":
            queued = _insert_sqlite(session, stmt, fresh)
        else:
            # RETURNING lists only the rows ON CONFLICT let in: the count executemany's rowcount cannot give.
            # On the connection, not the ORM session: only a message that went in counts as a write.
            returning, conn = stmt.returning(_OUTBOX.c.id), session.connection()
            queued = sum(len(conn.execute(returning, fresh[i:i + CHUNK]).all()) for i in range(0, len(fresh), CHUNK))
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


def _insert_sqlite(session: Session, stmt, rows: Sequence[dict]) -> int:
    """``stmt`` for ``rows`` in one ``executemany`` of the driver, each value bound the way its
    column's own type binds it. SQLAlchemy's ``executemany`` processes every row's parameters
    through the compiled statement first: for the sweep's 20,000 messages that took longer than
    SQLite's own inserting."""
    dialect = session.get_bind().dialect
    columns = list(_ROW_COLUMNS)
    compiled = stmt.compile(dialect=dialect, column_keys=columns)
    if list(compiled.positiontup) != columns:  # pragma: no cover - a statement not in the columns' order
        return sum(session.execute(stmt, rows[i:i + CHUNK]).rowcount for i in range(0, len(rows), CHUNK))
    processors = [_OUTBOX.c[c].type._cached_bind_processor(dialect) for c in columns]
    bound = [(i, p) for i, p in enumerate(processors) if p is not None]
    last: dict[int, tuple] = {}  # a batch's messages share their time: bind it once, not per row
    params = []
    for row in rows:
        values = [row[c] for c in columns]
        for i, process in bound:
            value = values[i]
            if value is not None:
                seen = last.get(i)
                if seen is None or seen[0] is not value:
                    seen = last[i] = (value, process(value))
                values[i] = seen[1]
        params.append(values)
    cursor = session.connection().connection.driver_connection.cursor()
    try:
        cursor.executemany(str(compiled), params)
        return cursor.rowcount
    finally:
        cursor.close()
