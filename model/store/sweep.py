"""R8.2 at scale: the expiry sweep's reads and its set-based writes.

Twenty thousand overdue deals must not cost twenty thousand ORM loads, flushes and round trips.
The domain still decides (``model.services.lifecycle.sweep`` runs ``Expire`` on one real deal of
each *kind* of due deal and checks every due deal against the rule); this module turns that one
outcome into SQL for all of them:

- ``due`` reads only the columns a decision, a row's derived columns and a message need;
- ``plan`` compares the representative's stored row before and after (``codec.deal_rows``):
  the columns the outcome sets are written as they are for every deal of that kind, the
  derived columns (``codec.derive``: tab, value in USD, ...) are recomputed per deal by the one
  codec; an outcome this cannot express (a team, a note, a searchable text, a column outside
  the kind's signature) gets no plan, and the caller goes deal by deal;
- ``expire`` writes them (PostgreSQL: one ``UPDATE ... FROM (VALUES ...)`` per chunk of deals;
  SQLite: one prepared UPDATE stepped per deal inside the library), each row guarded by the
  version read and by the rule's own predicate, so a deal someone changed meanwhile is left
  alone (it is not in the returned ids, and gets no event and no message).

A deal's *kind* (``signature``) is the stored values of the columns an outcome may set: deals of
one kind start from the same values there, so the same operation sets them the same way.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from model.domain.schemas import Deal
from model.store.codec import deal_rows, derive
from model.store.outbox import stored_key
from model.store.tables import DealRecord, OutboxRecord, TeamRecord

DEALS = DealRecord.__table__

#: The columns an outcome may set, which every deal of one kind holds alike.
SIGNATURE = ("direction", "kind", "sale_type", "status", "substatus", "stage", "closed_at", "status_reason",
             "registration_status", "microsoft_status")
#: What every versioned change stamps (``apply`` sets ``updated_at``; the writer ``updated_by``).
STAMPS = ("updated_at", "updated_by")
#: The columns ``codec.derive`` fills, with the columns each follows from. A plan rewrites one when
#: the outcome changes what it follows from: once for the kind when that is all signature or
#: written columns, else recomputed per deal by ``codec.derive``. (``search_text`` needs the
#: notes: an outcome changing what it follows from gets no plan.)
DERIVED_FROM = {"tab": ("substatus", "direction"), "stage_pct": ("stage",),
                "value_usd": ("value", "currency", "closed_at", "close_date", "created_at"),
                "registration_status": ("registration",), "search_text": ("name", "customer_name", "crm_id")}
#: What ``codec.derive`` reads.
_DERIVE_INPUTS = ("substatus", "direction", "stage", "value", "currency", "closed_at", "close_date", "created_at",
                  "registration", "name", "customer_name", "crm_id")
#: Everything ``due`` reads: the decision's and the messages' fields, and what per-deal columns follow from.
COLUMNS = tuple(dict.fromkeys((
    "id", "version", "expires_at", "name", "customer_name", "sender_name", "sender_email", "sender_is_microsoft",
    "value", "currency", "close_date", "created_at", "updated_by", *SIGNATURE)))
#: Deals per UPDATE: each brings its id, version and per-deal columns as parameters.
CHUNK = 2_000


def _predicate(now: datetime, direction: str, substatuses: Sequence[str]) -> list:
    return [DEALS.c.direction == direction, DEALS.c.substatus.in_(list(substatuses)), DEALS.c.expires_at <= now]


def due(session: Session, now: datetime, direction: str, substatuses: Sequence[str]) -> list[dict]:
    """The deals the rule's predicate picks (``direction``, one of ``substatuses``, ``expires_at`` not
    after ``now``), soonest due first, as plain rows of ``COLUMNS``."""
    stmt = (select(*(DEALS.c[c] for c in COLUMNS)).where(*_predicate(now, direction, substatuses))
            .order_by(DEALS.c.expires_at, DEALS.c.id))
    return [dict(r._mapping) for r in session.execute(stmt)]


def any_due(session: Session, now: datetime, direction: str, substatuses: Sequence[str]) -> bool:
    """Whether ``due`` would pick anything: one index probe, so a sweep with nothing to do never
    takes the write lock."""
    stmt = select(DEALS.c.id).where(*_predicate(now, direction, substatuses)).limit(1)
    return session.execute(stmt).first() is not None


def signature(row: dict) -> tuple:
    return tuple(row[c] for c in SIGNATURE)


@dataclass(frozen=True)
class Plan:
    """What an outcome writes on every deal of one kind: ``columns`` as they are, ``per_deal``
    recomputed for each deal from ``inputs`` (the sample's values after the change) and its own."""

    columns: dict
    per_deal: tuple[str, ...]
    inputs: dict


def plan(old: Deal, new: Deal, *, old_actor: str | None, actor: str) -> Plan | None:
    """The row change from ``old`` to ``new`` (one deal's outcome) as a plan for its kind, or None
    when a set-based write could not reproduce it on every deal of the kind."""
    before, after = deal_rows(old, actor=old_actor), deal_rows(new, actor=actor)
    if before.team != after.team or len(new.notes) != len(old.notes) or new.id != old.id:
        return None
    changed = {k for k, v in after.deal.items() if before.deal.get(k) != v} - {"version"}
    if not changed or changed - set(SIGNATURE) - set(STAMPS) - set(DERIVED_FROM):
        return None
    written = (changed | set(STAMPS)) - set(DERIVED_FROM)
    columns = {k: after.deal[k] for k in written}
    per_deal = []
    for column, sources in DERIVED_FROM.items():
        if not set(sources) & written:
            continue  # nothing it follows from changes: it stays as it is
        if column == "search_text":
            return None
        if set(sources) <= set(SIGNATURE) | written:
            columns[column] = after.deal[column]  # alike for the whole kind
        else:
            per_deal.append(column)
    if (changed & set(DERIVED_FROM)) - set(columns) - set(per_deal):
        return None  # a derived column changed though nothing it follows from did: not this plan's to say
    return Plan(columns, tuple(per_deal), {k: after.deal[k] for k in _DERIVE_INPUTS})


def derived(row: dict, p: Plan) -> dict:
    """``p``'s per-deal columns for ``row`` once the change is made, by the one codec (``codec.derive``)."""
    values = dict(p.inputs)
    for column in p.per_deal:
        for source in DERIVED_FROM[column]:
            if source not in p.columns:
                values[source] = row[source]
    out = derive(values, ())
    return {k: out[k] for k in p.per_deal}


def expire(session: Session, rows: Sequence[dict], p: Plan, *, now: datetime, direction: str,
           substatuses: Sequence[str]) -> list[str]:
    """Write ``p`` on ``rows`` (each as read: id and version); the ids actually written.

    Each row is written only if it still has the version read and still meets the predicate
    ``due`` selected it by: a deal answered or edited meanwhile is not touched. Every written
    deal's version goes up by one. PostgreSQL gets one ``UPDATE ... FROM (VALUES ...) RETURNING``
    per ``CHUNK`` deals. SQLite, a library inside this process, has no round trips to save: one
    prepared UPDATE is stepped for each deal (its ``UPDATE ... FROM`` first copies every joined
    row, all columns, into a temporary table, and cost 2.4 times the CPU on 20,000 deals).
    Statements go to the driver as they are, values bound the way the columns' own types bind
    them (SQLAlchemy would parse and compile a statement of thousands of parameters per chunk)."""
    if not rows:
        return []
    dialect = session.get_bind().dialect
    mark = "?" if dialect.paramstyle in ("qmark", "numeric") else "%s"
    processors = {c.name: c.type._cached_bind_processor(dialect) for c in DEALS.columns}

    def bound(column: str, value):
        process = processors[column]
        return process(value) if process is not None and value is not None else value

    constants = sorted(p.columns)
    cells = ("id", "version", *p.per_deal)  # each deal's own values
    processed = [c for c in cells if processors[c] is not None]

    def own(row: dict) -> dict:
        cell = {"id": row["id"], "version": row["version"], **(derived(row, p) if p.per_deal else {})}
        for c in processed:
            cell[c] = bound(c, cell[c])
        return cell

    head = [bound(c, p.columns[c]) for c in constants]
    tail = [bound("direction", direction), *(bound("substatus", s) for s in substatuses), bound("expires_at", now)]
    matches = (f"deals.direction = {mark} AND deals.substatus IN ({', '.join(mark for _ in substatuses)}) "
               f"AND deals.expires_at <= {mark}")
    conn = session.connection()
    rows = sorted(rows, key=lambda r: r["id"])  # in key order: neighbouring rows share pages
    written: list[str] = []
    if dialect.name == "sqlite":
        sets = ", ".join([f"{c} = ?" for c in constants] + [f"{c} = ?" for c in p.per_deal]
                         + ["version = version + 1"])
        sql = f"UPDATE deals SET {sets} WHERE deals.id = ? AND deals.version = ? AND {matches}"
        cursor = conn.connection.driver_connection.cursor()
        try:
            for row in rows:
                cell = own(row)
                if cursor.execute(sql, (*head, *(cell[c] for c in p.per_deal), cell["id"], cell["version"],
                                        *tail)).rowcount:
                    written.append(row["id"])
        finally:
            cursor.close()
    else:
        row_sql = "(" + ", ".join(f"CAST({mark} AS {DEALS.c[c].type.compile(dialect=dialect)})" for c in cells) + ")"
        sets = ", ".join([f"{c} = {mark}" for c in constants] + [f"{c} = v.{c}" for c in p.per_deal]
                         + ["version = deals.version + 1"])
        names = ", ".join(("vid", "vver", *p.per_deal))
        for start in range(0, len(rows), CHUNK):
            part = rows[start:start + CHUNK]
            values: list = []
            for row in part:
                cell = own(row)
                values += [cell[c] for c in cells]
            sql = (f"WITH v ({names}) AS (VALUES {', '.join([row_sql] * len(part))}) "
                   f"UPDATE deals SET {sets} FROM v WHERE deals.id = v.vid AND deals.version = v.vver AND {matches} "
                   "RETURNING deals.id")
            # The CTE's parameters come first in the text, then SET's, then the guard's.
            written.extend(r[0] for r in conn.exec_driver_sql(sql, tuple(values + head + tail)))
    session.info["wrote"] = True
    return written


# -- R7.3: who has not been told yet that Microsoft's window lapsed ------------------------------

def untold(session: Session, ids: Sequence[str], kind: str, *, recipients, key) -> list[str]:
    """Those of ``ids`` (open deals whose Microsoft window lapsed) with a recipient not yet sent
    ``kind``: a cheap filter before loading any deal, so a sweep with nobody to tell reads three
    columns and writes nothing. ``recipients(emails)`` is who hears of a deal given its team's
    e-mails, ``key(deal_id, email)`` the message's dedupe key: the very rule the message is sent by
    (``services.outbox.team_recipients``, ``team_key``), so this lets through every deal with
    someone left to tell; ``notify_team`` skips on the loaded deal whoever was told already."""
    out: list[str] = []
    for start in range(0, len(ids), 500):
        part = list(ids[start:start + 500])
        team: dict[str, list[str]] = {i: [] for i in part}
        for deal_id, email in session.execute(select(TeamRecord.deal_id, TeamRecord.email_lc)
                                              .where(TeamRecord.deal_id.in_(part))):
            team[deal_id].append(email)
        told = set(session.scalars(select(OutboxRecord.dedupe_key)
                                   .where(OutboxRecord.deal_id.in_(part), OutboxRecord.kind == kind)))
        out.extend(i for i in part if any(stored_key(key(i, e)) not in told for e in recipients(team[i])))
    return out
