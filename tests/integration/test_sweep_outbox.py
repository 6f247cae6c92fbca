"""R12.2 (and R8.2's sender notice): the sweep's batched outbox writes each message once, exactly
as ``outbox.queue`` stores one, and skips every dedupe key queued already or earlier in the batch.

The batch goes to the driver directly on SQLite (``outbox._insert_sqlite``); these tests pin what
that must keep: the stored values (times bound as the column's own type binds them), the count
it reports, and idempotency (a sweep run twice, or two cron jobs at once, notifies once).
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text

from factories import NOW
from model.store import outbox as outbox_table
from model.store.tables import OutboxRecord


def _message(key: str, **kw) -> dict:
    row = dict(kind="expired", deal_id=f"deal-{key}", recipient="maria@microsoft.example",
               subject=f"Co-sell opportunity {key!r} expired unanswered", body=f"The opportunity {key!r} expired.",
               now=NOW, dedupe_key=f"expired:{key}")
    row.update(kw)
    return row


_COLUMNS = ("created_at", "kind", "deal_id", "recipient", "subject", "body", "attempts", "dedupe_key", "sent_at",
            "last_error", "claimed_at", "claimed_by")


def _stored(store) -> list[tuple]:
    """Every message as read back through the columns' types, in key order."""
    with store.read() as session:
        return [tuple(r) for r in session.execute(
            select(*(OutboxRecord.__table__.c[c] for c in _COLUMNS)).order_by(OutboxRecord.dedupe_key))]


def _raw(store) -> list[tuple]:
    """The same as the database holds it (on SQLite: how each value was bound)."""
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(f"SELECT {', '.join(_COLUMNS)} FROM outbox ORDER BY dedupe_key"))]


def test_r12_2_a_batch_stores_what_one_message_at_a_time_stores(store, tmp_path):  # R12.2
    from model.store import open_store

    one = open_store(tmp_path / "one.db")
    try:
        keys = [f"k{i}" for i in range(5)]
        with one.write() as session:
            for k in keys:
                assert outbox_table.queue(session, **_message(k))
        with store.write() as session, outbox_table.batched(session):
            for k in keys:
                assert outbox_table.queue(session, **_message(k))
        assert _stored(store) == _stored(one)
        if store.engine.dialect.name == "sqlite":  # both files: the batch binds as one-at-a-time does
            assert _raw(store) == _raw(one)
        with store.read() as session:
            at = session.scalar(select(OutboxRecord.created_at).limit(1))
        assert at == NOW  # read back as the aware UTC time it was queued at
    finally:
        one.dispose()


def test_r12_2_a_batch_skips_keys_queued_already_or_twice_in_it(store):  # R12.2, idempotent sweep
    with store.write() as session:
        outbox_table.queue(session, **_message("old", body="queued by an earlier sweep"))
    rows = [outbox_table.row(**_message(k)) for k in ("a", "old", "b", "a")]
    with store.write() as session:
        assert outbox_table.queue_many(session, rows) == 2  # "old" queued already, the second "a" a repeat
    stored = {r[7]: r for r in _stored(store)}
    assert sorted(stored) == ["expired:a", "expired:b", "expired:old"]
    assert stored["expired:old"][5] == "queued by an earlier sweep"  # the earlier message is kept as it was
    with store.write() as session:
        assert outbox_table.queue_many(session, rows) == 0  # run twice: nothing new
    assert len(_stored(store)) == 3


def test_r12_2_a_batch_that_queues_nothing_is_no_write(store):  # R12.2: nobody to tell, no change counted
    with store.write() as session:
        outbox_table.queue(session, **_message("x"))
    before = store.change_counter()
    with store.write() as session:
        assert outbox_table.queue_many(session, [outbox_table.row(**_message("x", now=NOW + timedelta(hours=1)))]) == 0
        assert not session.info.get("wrote")
    assert store.change_counter() == before
