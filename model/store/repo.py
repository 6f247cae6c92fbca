"""Deal aggregate <-> rows. Services work on ``Deal`` values; this module persists them.

A new deal goes in through the ORM (``write_deal``). A change to a stored deal (``load_for_change``
then ``write_version``) is plain Core statements: one SELECT each for the row, its team and its
notes, then an UPDATE of only the columns that changed, ``... WHERE id = ? AND version = <the version
read>``, so a stale write fails instead of overwriting someone else's change. The ORM's unit of work
and identity map cost several times what SQLite does for one action (issue 10), and SQLite rewrites
the index entries of every column an UPDATE sets, so unchanged columns are never SET.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, func, insert, inspect, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import True_

from model.domain.errors import AmbiguousId, ConflictError, NotFound
from model.domain.schemas import Deal, Event
from model.store.codec import DealRows, deal_from_rows, deal_rows
from model.store.tables import DealRecord, EventRecord, NoteRecord, TeamRecord


_DEALS, _TEAM, _NOTES, _EVENTS = (DealRecord.__table__, TeamRecord.__table__, NoteRecord.__table__,
                                   EventRecord.__table__)
_DEAL_COLUMNS = tuple(c.key for c in _DEALS.columns)
_DEAL_MAPPER = inspect(DealRecord)
_NOT_WRITTEN = ("id", "version")  # the key, and the version (the ORM's counter on insert, the checked +1 on update)
_TEAM_FIELDS = ("name", "phone", "email", "company")
_NOTE_FIELDS = ("at", "author", "text")
# Built once: building and keying a 60-column statement costs more than SQLite running it.
_READ_ROW = select(*_DEALS.columns)
_READ_ROW_BY_ID = _READ_ROW.where(_DEALS.c.id == bindparam("b_id"))
_READ_TEAM = (select(*(_TEAM.c[f] for f in _TEAM_FIELDS)).where(_TEAM.c.deal_id == bindparam("b_id"))
              .order_by(_TEAM.c.position, _TEAM.c.id))
_READ_NOTES = (select(*(_NOTES.c[f] for f in _NOTE_FIELDS)).where(_NOTES.c.deal_id == bindparam("b_id"))
               .order_by(_NOTES.c.id))
# The SET clause comes from the parameters given (only the changed columns); the version check is the WHERE.
_UPDATE_ROW = update(_DEALS).where(_DEALS.c.id == bindparam("b_id"), _DEALS.c.version == bindparam("b_version"))
_DELETE_TEAM = delete(_TEAM).where(_TEAM.c.deal_id == bindparam("b_id"))
_INSERT_TEAM, _INSERT_NOTES, _INSERT_EVENT = insert(_TEAM), insert(_NOTES), insert(_EVENTS)


@dataclass(slots=True)
class StoredDeal:
    """A deal as read for a change: its stored rows (what ``write_version`` diffs against and
    checks the version of) and the ``Deal`` they hold. After a write it holds what was written."""

    rows: DealRows
    deal: Deal

    @property
    def id(self) -> str:
        return self.rows.deal["id"]

    @property
    def version(self) -> int:
        return self.rows.deal["version"]

    @property
    def updated_by(self) -> str | None:
        return self.rows.deal["updated_by"]


def to_deal(rec: DealRecord | StoredDeal) -> Deal:
    """The ``Deal`` an ORM record (or a ``StoredDeal``) holds, decoded by the one codec (``model.store.codec``)."""
    if isinstance(rec, StoredDeal):
        return rec.deal
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


def write_version(session: Session, deal: Deal, rec: DealRecord | StoredDeal, *,
                  actor: str | None = None) -> StoredDeal:
    """Write a changed deal as its next version, or ``ConflictError`` if someone wrote it meanwhile.

    Every accepted change is a new version, even one that only touches child rows (team) at the
    same instant: the UPDATE that carries the version check always runs. An ORM record of the deal
    in the session (``rec`` itself, or one a caller loaded) is expired afterwards so it never shows
    the old row."""
    session.flush()  # whatever the ORM holds pending goes first, in order (an edited record, a new row)
    stored = rec if isinstance(rec, StoredDeal) else _stored_from_record(rec)
    old = stored.rows
    rows = deal_rows(deal, actor=actor)
    values = {k: v for k, v in rows.deal.items() if k not in _NOT_WRITTEN and v != old.deal[k]}
    if actor is None:
        values.pop("updated_by", None)
    values["updated_at"] = rows.deal["updated_at"]
    values["version"] = old.deal["version"] + 1
    conn = session.connection()
    done = conn.execute(_UPDATE_ROW, {**values, "b_id": stored.id, "b_version": old.deal["version"]})
    if done.rowcount != 1:
        raise ConflictError(deal.id, deal.version, deal.version + 1)
    session.info["wrote"] = True
    team = [{f: t[f] for f in _TEAM_FIELDS} for t in rows.team]
    if team != old.team:
        conn.execute(_DELETE_TEAM, {"b_id": stored.id})
        if rows.team:
            conn.execute(_INSERT_TEAM, rows.team)
    added = rows.notes[len(old.notes):]
    if added:
        conn.execute(_INSERT_NOTES, added)
    held = session.identity_map.get(_DEAL_MAPPER.identity_key_from_primary_key((stored.id,)))
    if held is not None:  # an ORM copy of the row read earlier in this transaction must not show the old one
        session.expire(held)
    new = DealRows({**old.deal, **values}, team, [*old.notes, *({f: n[f] for f in _NOTE_FIELDS} for n in added)])
    stored.rows, stored.deal = new, deal_from_rows(new)
    return stored


def _stored_from_record(rec: DealRecord) -> StoredDeal:
    rows = DealRows({key: getattr(rec, key) for key in _DEAL_COLUMNS},
                    [{f: getattr(t, f) for f in _TEAM_FIELDS} for t in rec.team],
                    [{f: getattr(n, f) for f in _NOTE_FIELDS} for n in rec.notes])
    return StoredDeal(rows, deal_from_rows(rows))


def load_for_change(session: Session, id_or_prefix: str, user=None) -> StoredDeal:
    """The deal a full id or unique prefix names, among those ``user`` may see (``resolve_id``),
    read with three plain statements. A full id visible to the user is found by the first."""
    text = (id_or_prefix or "").strip().lower()
    conn = session.connection()
    found = conn.execute(_read_row_for(user), {"b_id": text}).first() if text else None
    if found is None:
        found = conn.execute(_READ_ROW_BY_ID, {"b_id": resolve_id(session, id_or_prefix, user)}).first()
        if found is None:
            raise NotFound(f"no deal with id {id_or_prefix!r}")
    key = {"b_id": found.id}
    rows = DealRows(dict(zip(_DEAL_COLUMNS, found)),
                    [dict(zip(_TEAM_FIELDS, t)) for t in conn.execute(_READ_TEAM, key)],
                    [dict(zip(_NOTE_FIELDS, n)) for n in conn.execute(_READ_NOTES, key)])
    return StoredDeal(rows, deal_from_rows(rows))


def add_event(session: Session, deal_id: str, event: Event) -> None:
    """The audit row, written at once (after anything the ORM holds pending, such as a new deal)."""
    session.flush()
    session.connection().execute(_INSERT_EVENT, {"deal_id": deal_id, "at": event.at, "actor": event.actor,
                                                 "action": event.action, "changes": event.changes,
                                                 "reason": event.reason})
    session.info["wrote"] = True


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
    scope = _scope(user)
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


def _scope(user) -> list:
    """The WHERE terms that keep to the deals ``user`` may see (R1.3); none without a user."""
    if user is None:
        return []
    from model.store.queries import visible_to

    return [visible_to(user)]


_SCOPED_READS: dict[tuple, object] = {}


def _read_row_for(user):
    """The row read by id within what ``user`` may see, built once per user: building the scope
    (a team subquery) and keying the statement cost three times what SQLite spends on it. Keyed
    by every field of the user, so a changed user never reuses another's scope."""
    try:
        key = (type(user), tuple(user.__dict__.items())) if user is not None else None
        stmt = _SCOPED_READS.get(key)
    except TypeError:  # a field that cannot be part of a key: build it each time
        key, stmt = False, None
    if stmt is None:
        scope = [term for term in _scope(user) if not isinstance(term, True_)]  # an admin's scope is everything
        stmt = _READ_ROW_BY_ID.where(*scope) if scope else _READ_ROW_BY_ID
        if key is not False:
            if len(_SCOPED_READS) >= 64:
                _SCOPED_READS.clear()
            _SCOPED_READS[key] = stmt
    return stmt


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


#: R7.3: open deals where Microsoft was invited and has not answered.
_MICROSOFT_WAITED_ON = (DealRecord.microsoft_status == "invited", DealRecord.tab != "closed")


def microsoft_invited_before(session: Session, cutoff: datetime) -> list[str]:
    """R7.3: ids of open deals where Microsoft was invited before ``cutoff`` and has not answered."""
    return list(session.scalars(
        select(DealRecord.id).where(*_MICROSOFT_WAITED_ON, DealRecord.microsoft_invited_at <= cutoff)).all())


def next_microsoft_lapse(session: Session, cutoff: datetime) -> datetime | None:
    """R7.3: the earliest invitation after ``cutoff`` still unanswered on an open deal: the next
    ``cutoff`` at which ``microsoft_invited_before`` can name one more deal."""
    return session.scalar(
        select(func.min(DealRecord.microsoft_invited_at)).where(*_MICROSOFT_WAITED_ON,
                                                                DealRecord.microsoft_invited_at > cutoff))
