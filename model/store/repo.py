"""Deal aggregate <-> rows. Services work on ``Deal`` values; this module persists them.

The deal row is written whole from the schema; SQLAlchemy sends only the
columns that changed, and ``version_id_col`` turns every UPDATE into
"... WHERE version = <the version read>", so a stale write fails instead of
overwriting someone else's change.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from model.domain.errors import AmbiguousId, ConflictError, NotFound
from model.domain.schemas import Deal, Event
from model.store.codec import DealRows, deal_from_rows, deal_rows
from model.store.tables import DealRecord, EventRecord, NoteRecord, TeamRecord


_DEAL_COLUMNS = tuple(c.key for c in DealRecord.__table__.columns)
_NOT_WRITTEN = ("id", "version")  # the key, and the version the ORM's version counter keeps


def to_deal(rec: DealRecord) -> Deal:
    """The ``Deal`` an ORM record holds, decoded by the one codec (``model.store.codec``)."""
    values = {key: getattr(rec, key) for key in _DEAL_COLUMNS}
    team = [{"name": t.name, "phone": t.phone, "email": t.email, "company": t.company} for t in rec.team]
    notes = [{"at": n.at, "author": n.author, "text": n.text} for n in rec.notes]
    return deal_from_rows(DealRows(values, team, notes))


def write_deal(session: Session, deal: Deal, rec: DealRecord | None = None, *, actor: str | None = None) -> DealRecord:
    """Insert (rec None) or update a deal row from its schema, with the codec's values. Notes are append-only."""
    new = rec is None
    if new:
        rec = DealRecord(id=deal.id)
    rows = deal_rows(deal, actor=actor)
    values = {k: v for k, v in rows.deal.items() if k not in _NOT_WRITTEN}
    if actor is None:
        values.pop("updated_by", None)
    for key, value in values.items():
        if new or getattr(rec, key) != value:
            setattr(rec, key, value)
    team = [(t["name"], t["phone"], t["email"], t["company"]) for t in rows.team]
    if new or [(t.name, t.phone, t.email, t.company) for t in rec.team] != team:
        rec.team = [
            TeamRecord(position=i, name=n, phone=ph, email=e, email_lc=e.strip().lower(), company=co)
            for i, (n, ph, e, co) in enumerate(team)
        ]
    have = len(rec.notes) if not new else 0
    for note in deal.notes[have:]:
        rec.notes.append(NoteRecord(at=note.at, author=note.author, text=note.text))
    if new:
        session.add(rec)
    return rec


def write_version(session: Session, deal: Deal, rec: DealRecord, *, actor: str | None = None) -> None:
    """Write a changed deal as its next version, or ``ConflictError`` if someone wrote it meanwhile.

    Every accepted change is a new version, even one that only touches child rows (team) at the
    same instant: the UPDATE that carries the version check is forced."""
    try:
        write_deal(session, deal, rec, actor=actor)
        flag_modified(rec, "updated_at")
        session.flush()
    except StaleDataError:
        raise ConflictError(deal.id, deal.version, deal.version + 1) from None


def add_event(session: Session, deal_id: str, event: Event) -> None:
    session.add(EventRecord(deal_id=deal_id, at=event.at, actor=event.actor, action=event.action,
                            changes=event.changes, reason=event.reason))


def events_for(session: Session, deal_id: str) -> list[Event]:
    rows = session.scalars(
        select(EventRecord).where(EventRecord.deal_id == deal_id).order_by(EventRecord.id)
    ).all()
    return [Event(at=r.at, actor=r.actor, action=r.action, changes=r.changes or {}, reason=r.reason) for r in rows]


def resolve_id(session: Session, id_or_prefix: str, user=None) -> str:
    """Any unique prefix of a deal id names the deal.

    Given the acting ``user``, only deals they may see are candidates (R1.3): another
    location's deal is "not found" by full id or prefix, and a prefix shared with it
    is not "ambiguous" (which would print the hidden deal's id).
    """
    text = (id_or_prefix or "").strip().lower()
    if not text:
        raise NotFound("no deal id given")
    scope = []
    if user is not None:
        from model.store.queries import visible_to

        scope.append(visible_to(user))
    if session.scalar(select(DealRecord.id).where(DealRecord.id == text, *scope)) is not None:
        return text
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    ids = session.scalars(
        select(DealRecord.id).where(DealRecord.id.like(escaped + "%", escape="\\"), *scope)
        .order_by(DealRecord.id).limit(3)
    ).all()
    if not ids:
        raise NotFound(f"no deal with id {id_or_prefix!r}")
    if len(ids) > 1:
        raise AmbiguousId(f"deal id prefix {id_or_prefix!r} matches several deals ({', '.join(i[:12] for i in ids)}…); type more of it")
    return ids[0]


def load_record(session: Session, deal_id: str) -> DealRecord:
    rec = session.get(DealRecord, deal_id)
    if rec is None:
        raise NotFound(f"no deal with id {deal_id!r}")
    return rec


def last_event(session: Session, deal_id: str, *, skip_actions: tuple[str, ...] = ()) -> Event | None:
    """The newest event of a deal, leaving out ``skip_actions`` (for conflict messages)."""
    stmt = select(EventRecord).where(EventRecord.deal_id == deal_id)
    if skip_actions:
        stmt = stmt.where(EventRecord.action.not_in(skip_actions))
    r = session.scalars(stmt.order_by(EventRecord.id.desc()).limit(1)).first()
    return None if r is None else Event(at=r.at, actor=r.actor, action=r.action, changes=r.changes or {},
                                        reason=r.reason)


def set_favorite(session: Session, deal_id: str, on: bool) -> None:
    """R3.3: the heart is a view tag: set without the version check (no new version)."""
    session.execute(update(DealRecord).where(DealRecord.id == deal_id).values(favorite=on))
    session.info["wrote"] = True


def received_due(session: Session, now: datetime) -> list[str]:
    """R8.2: ids of received inbound deals whose 14 days are over."""
    from model.domain.schemas import RECEIVED_SUBSTATUSES

    return list(session.scalars(
        select(DealRecord.id).where(DealRecord.substatus.in_([s.value for s in RECEIVED_SUBSTATUSES]),
                                    DealRecord.expires_at <= now)
    ).all())


def microsoft_invited_before(session: Session, cutoff: datetime) -> list[str]:
    """R7.3: ids of open deals where Microsoft was invited before ``cutoff`` and has not answered."""
    return list(session.scalars(
        select(DealRecord.id).where(DealRecord.microsoft_status == "invited", DealRecord.tab != "closed",
                                    DealRecord.microsoft_invited_at <= cutoff)
    ).all())
