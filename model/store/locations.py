"""R1.2's program locations as rows: Partner Center's ``mpnId`` and the name deals carry.

A deal stores its location's *name* (what users see, filter by and are scoped by) and, when the
location came from Partner Center, the ``mpnId`` too (``deals.mpn_id``). The location's identity
is the ``locations`` row: renaming it renames it on every deal and user scope that carries the
old name, in the caller's transaction, so a rename is never a change of a deal's location.
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterable, Sequence

from sqlalchemy import select, update

from model.store.tables import DealRecord, LocationRecord, UserRecord


def names_by_mpn(session, mpn_ids: Iterable[str]) -> dict[str, str]:
    """mpnId -> location name for those known: one query per 500 ids."""
    wanted = sorted(set(mpn_ids))
    out: dict[str, str] = {}
    for i in range(0, len(wanted), 500):
        rows = session.execute(select(LocationRecord.mpn_id, LocationRecord.name)
                               .where(LocationRecord.mpn_id.in_(wanted[i:i + 500])))
        out.update((m, n) for m, n in rows)
    return out


def all_locations(session) -> list[dict]:
    rows = session.scalars(select(LocationRecord).order_by(LocationRecord.name)).all()
    return [{"mpn_id": r.mpn_id, "name": r.name, "created_at": r.created_at, "created_by": r.created_by}
            for r in rows]


def find(session, mpn_id: str) -> LocationRecord | None:
    return session.get(LocationRecord, mpn_id)


def by_name(session, name: str) -> LocationRecord | None:
    return session.scalar(select(LocationRecord).where(LocationRecord.name == name))


def insert_locations(session, rows: Sequence[dict]) -> int:
    """New locations (``mpn_id``, ``name``, ``created_at``, ``created_by``) in one statement."""
    if rows:
        session.execute(LocationRecord.__table__.insert(), list(rows))
        session.info["wrote"] = True
    return len(rows)


def add(session, mpn_id: str, name: str, now: datetime, actor: str) -> None:
    session.add(LocationRecord(mpn_id=mpn_id, name=name, created_at=now, created_by=actor))


def rename(session, mpn_id: str, new_name: str) -> tuple[str, list[str]]:
    """Rename a location everywhere it is carried; (old name, ids of the deals renamed)."""
    rec = session.get(LocationRecord, mpn_id)
    old = rec.name
    ids = list(session.scalars(select(DealRecord.id).where(DealRecord.location == old).order_by(DealRecord.id)))
    rec.name = new_name
    session.execute(update(DealRecord.__table__).where(DealRecord.__table__.c.location == old)
                    .values(location=new_name))
    session.execute(update(UserRecord.__table__).where(UserRecord.__table__.c.location == old)
                    .values(location=new_name))
    session.info["wrote"] = True
    return old, ids
