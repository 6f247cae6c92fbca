"""Every SQL statement of the Partner Center sync (``model.services.sync*`` has none).

What is pending is computed, not queued: a deal whose version is newer than the version its
``sync_state`` row says was in step, or a new outbound deal Partner Center has never seen (no
row at all). Both are written by the change's own transaction (the version bump), so the
offline queue can never miss a change or hold one that was rolled back. Pending deals come in
the order they were last changed (their newest history event).
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterable, Sequence

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from model.store.sync_tables import SyncCursorRecord, SyncStateRecord
from model.store.tables import DealRecord, EventRecord, NoteRecord, OutboxRecord, TeamRecord

_S = SyncStateRecord.__table__
_D = DealRecord.__table__
STATE_COLUMNS = ("deal_id", "etag", "synced_version", "base", "state", "reason", "theirs", "theirs_etag",
                 "attempts", "last_error", "updated_at")


def _row(rec: SyncStateRecord) -> dict:
    return {c: getattr(rec, c) for c in STATE_COLUMNS}


def states(session: Session, ids: Sequence[str]) -> dict[str, dict]:
    """The sync state rows of these deals (those that have one), by deal id."""
    out: dict[str, dict] = {}
    ordered = sorted(set(ids))
    for i in range(0, len(ordered), 500):
        for r in session.execute(select(_S).where(_S.c.deal_id.in_(ordered[i:i + 500]))).mappings():
            out[r["deal_id"]] = dict(r)
    return out


def state(session: Session, deal_id: str) -> dict | None:
    return states(session, [deal_id]).get(deal_id)


def put_states(session: Session, rows: Iterable[dict]) -> int:
    """Insert or replace whole state rows (delete then one executemany: the same on both engines)."""
    rows = [{c: r.get(c) for c in STATE_COLUMNS} for r in rows]
    for r in rows:
        r["attempts"] = r["attempts"] or 0
        r["state"] = r["state"] or "in_step"
        r["synced_version"] = r["synced_version"] or 0
    ids = [r["deal_id"] for r in rows]
    for i in range(0, len(ids), 500):
        session.execute(delete(_S).where(_S.c.deal_id.in_(ids[i:i + 500])))
    for i in range(0, len(rows), 2000):
        session.execute(insert(_S), rows[i:i + 2000])
    session.info["wrote"] = True
    return len(rows)


def update_state(session: Session, deal_id: str, **values) -> None:
    session.execute(update(_S).where(_S.c.deal_id == deal_id).values(**values))
    session.info["wrote"] = True


def versions(session: Session, ids: Sequence[str]) -> dict[str, tuple[int, str, str]]:
    """(version, direction, substatus) of the stored deals among ``ids``."""
    out = {}
    ordered = sorted(set(ids))
    for i in range(0, len(ordered), 500):
        for r in session.execute(select(_D.c.id, _D.c.version, _D.c.direction, _D.c.substatus)
                                 .where(_D.c.id.in_(ordered[i:i + 500]))):
            out[r[0]] = (r[1], r[2], r[3])
    return out


def _not_in_step():
    """Deals with something to tell Partner Center, or something Partner Center refused."""
    new_outbound = and_(_S.c.deal_id.is_(None), _D.c.direction == "Outgoing")
    return or_(new_outbound, _D.c.version > _S.c.synced_version, _S.c.state != "in_step")


def out_of_step(session: Session, *, limit: int | None = None, ids: Sequence[str] | None = None) -> list[dict]:
    """Deals not in step (among ``ids``, if given: a dashboard page), oldest change first: id,
    name, version, direction, substatus and the state row's columns (None for a deal Partner
    Center has never seen)."""
    last = (select(EventRecord.deal_id, func.max(EventRecord.id).label("last_event"))
            .group_by(EventRecord.deal_id).subquery())
    stmt = (select(_D.c.id, _D.c.name, _D.c.version, _D.c.direction, _D.c.substatus,
                   _S.c.state, _S.c.synced_version, _S.c.reason, _S.c.last_error, _S.c.attempts,
                   func.coalesce(last.c.last_event, 0).label("last_event"))
            .select_from(_D.outerjoin(_S, _S.c.deal_id == _D.c.id).outerjoin(last, last.c.deal_id == _D.c.id))
            .where(_not_in_step())
            .order_by(func.coalesce(last.c.last_event, 0), _D.c.id))
    if ids is not None:
        stmt = stmt.where(_D.c.id.in_(sorted(set(ids))[:1000]))
    if limit is not None:
        stmt = stmt.limit(limit)
    return [dict(r) for r in session.execute(stmt).mappings()]


def count_out_of_step(session: Session) -> dict[str, int]:
    """How many deals are pending, failed, in conflict (the dashboard's header line)."""
    stmt = (select(_S.c.state, func.count())
            .select_from(_D.outerjoin(_S, _S.c.deal_id == _D.c.id)).where(_not_in_step())
            .group_by(_S.c.state))
    out = {"pending": 0, "failed": 0, "conflict": 0}
    for state_, n in session.execute(stmt):
        key = "pending" if state_ in (None, "in_step") else state_
        out[key] = out.get(key, 0) + n
    return out


def tracked_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(_S)) or 0


# -- the cursor ------------------------------------------------------------------------------------

def cursor(session: Session) -> dict:
    rec = session.get(SyncCursorRecord, 1)
    if rec is None:
        return {"last_updated": None, "last_pull_at": None, "last_push_at": None}
    return {"last_updated": rec.last_updated, "last_pull_at": rec.last_pull_at, "last_push_at": rec.last_push_at}


def set_cursor(session: Session, **values) -> None:
    rec = session.get(SyncCursorRecord, 1)
    if rec is None:
        rec = SyncCursorRecord(id=1)
        session.add(rec)
    for k, v in values.items():
        setattr(rec, k, v)


# -- a new outbound deal takes the id Partner Center assigned ------------------------------------

def replace_deal_id(session: Session, old: str, new: str, at: datetime) -> None:
    """Everywhere the deal's id is (deal, team, notes, history, outbox, sync state), in the
    caller's transaction. The deal row is copied under the new id, its children moved, the old
    row deleted: foreign keys stay satisfied on both engines without deferring them."""
    row = session.execute(select(_D).where(_D.c.id == old)).mappings().first()
    if row is None:
        raise LookupError(f"no deal {old}")
    if session.execute(select(_D.c.id).where(_D.c.id == new)).first() is not None:
        raise LookupError(f"a deal with id {new} is already stored")
    values = dict(row)
    values["id"] = new
    session.execute(insert(_D), [values])
    for table in (TeamRecord.__table__, NoteRecord.__table__, EventRecord.__table__, OutboxRecord.__table__):
        session.execute(update(table).where(table.c.deal_id == old).values(deal_id=new))
    session.execute(delete(_S).where(_S.c.deal_id == new))
    session.execute(update(_S).where(_S.c.deal_id == old).values(deal_id=new))
    session.execute(delete(_D).where(_D.c.id == old))
    session.info["wrote"] = True


# -- a local change racing a pull --------------------------------------------------------------

def newest_event_id(session: Session) -> int:
    return session.scalar(select(func.max(EventRecord.id))) or 0


def changed_since(session: Session, ids: Sequence[str], after: int, own_reasons: Sequence[str]) -> set[str]:
    """Deals among ``ids`` with a history event newer than ``after`` whose reason is not one of
    ``own_reasons`` (the pull's own import): someone changed them since the pull looked."""
    out: set[str] = set()
    ordered = sorted(set(ids))
    for i in range(0, len(ordered), 500):
        out.update(session.scalars(
            select(EventRecord.deal_id).where(EventRecord.id > after, EventRecord.deal_id.in_(ordered[i:i + 500]),
                                              or_(EventRecord.reason.is_(None),
                                                  EventRecord.reason.not_in(list(own_reasons))))))
    return out
