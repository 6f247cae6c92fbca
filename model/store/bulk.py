"""Many deals at once: imports, exports and demo data.

``repo.write_deal`` goes through the ORM, about a millisecond a deal: right for
one user action, far too slow for 100,000 deals. Here a deal becomes plain
rows (the same values ``repo.write_deal`` stores, see ``deal_values``) and each
table gets one ``executemany`` of a core ``insert()`` per chunk, inside the
caller's transaction. On SQLite the compiled statement goes straight to the
driver with values already in SQLite's storage form (what SQLAlchemy's types
would bind), because per-row parameter processing costs more than SQLite's
own work; other databases take the typed core statement.

Reading back (``stream``, ``load``) selects columns without SQLAlchemy's
result processing on SQLite and decodes them here, then builds ``Deal``
values without re-validating what the database already holds. Nothing keeps
more than one chunk of deals in memory.
"""
from __future__ import annotations

import gc
import json
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from typing import Iterable, Iterator, Mapping, Sequence

from sqlalchemy import (
    Boolean, Date, Numeric, and_, bindparam, delete, insert, select, type_coerce, update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.sqltypes import JSON, NullType

from model import stages as stage_table
from model.enums import (
    AccountMatch, AccountTab, DealKind, Direction, HelpType, MarketplaceIntent, MicrosoftStatus,
    PartnerRole, SaleType, Status, Substatus, TERMINAL_SUBSTATUSES,
)
from model.rules.fx import rate
from model.schemas import (
    Customer, CustomerContact, Deal, DealSolution, Event, Invitation, Note, Person, Registration,
)
from model.stages import Stage
from model.store.tables import DealRecord, EventRecord, NoteRecord, OutboxRecord, TeamRecord, UTCDateTime

CHUNK = 2_000

_deals = DealRecord.__table__
_team = TeamRecord.__table__
_notes = NoteRecord.__table__
_events = EventRecord.__table__
_outbox = OutboxRecord.__table__

DEAL_COLUMNS = tuple(c.name for c in _deals.columns)
TEAM_COLUMNS = ("deal_id", "position", "name", "phone", "email", "email_lc", "company")
NOTE_COLUMNS = ("deal_id", "at", "author", "text")
EVENT_COLUMNS = ("deal_id", "at", "actor", "action", "changes", "reason")


@contextmanager
def bulk_mode() -> Iterator[None]:
    """No cyclic garbage collection while a few hundred thousand short-lived objects are made: it
    would walk them all, again and again, and find nothing (reference counting frees them)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def construct(cls, values: dict):
    """A model instance from values that are already right (validated upstream, or read back from
    the database), without validating them again: what ``model_construct`` does, minus its
    per-field Python loop, which costs more than the rest of an export. Every field must be given.
    """
    if values.keys() != cls.model_fields.keys():
        missing = sorted(cls.model_fields.keys() - values.keys())
        extra = sorted(values.keys() - cls.model_fields.keys())
        raise TypeError(f"{cls.__name__}: missing {missing}, unexpected {extra}")
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


def process_pool(processes: int | None = None, initializer=None, initargs=()):
    """Worker processes for the Python-heavy half of a big import, export or demo.

    ``fork`` starts them in milliseconds with everything already imported, but is only safe in
    a process without other threads (a dashboard has some); then ``spawn`` is used. Workers
    never touch connections inherited from the parent: each opens its own store.
    """
    import multiprocessing
    import threading

    method = "fork" if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods() \
        else "spawn"
    ctx = multiprocessing.get_context(method)
    return ctx.Pool(processes or worker_count(), initializer=initializer, initargs=initargs)


def worker_count() -> int:
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


BIG_CACHE_KIB = 262_144


@contextmanager
def big_cache(session: Session) -> Iterator[None]:
    """A 256 MiB page cache for one big write on SQLite (restored afterwards). With the default
    2 MiB, the pages of eleven indexes touched at random spill to the WAL again and again
    during the transaction; held in memory, each is written once at commit."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    conn = session.connection()
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size = -{BIG_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


# -- Deal <-> row values -----------------------------------------------------------------------

@dataclass(slots=True)
class DealRows:
    """One deal as rows: the ``deals`` row, its team rows and its notes, as Python values."""

    deal: dict
    team: list[dict]
    notes: list[dict]


@lru_cache(maxsize=4096)
def _usd_rate(currency: str, year: int, month: int) -> Decimal:
    return rate(currency, date(year, month, 1))


def usd(value: Decimal, currency: str, on: date) -> float:
    """``model.rules.fx.to_usd`` as a float, with the month's rate cached (a chunk has few months)."""
    if currency == "USD":
        return float(Decimal(value))
    return float((Decimal(value) * _usd_rate(currency, on.year, on.month)).quantize(Decimal("0.01")))


def _dump(models) -> list:
    return [m.model_dump(mode="json") for m in models]


_TERMINAL = frozenset(s.value for s in TERMINAL_SUBSTATUSES)
_PERCENT = {s.value: stage_table.percent(s) for s in Stage}


def derive(values: dict, note_texts: Iterable[str]) -> dict:
    """Fill the columns the grid sorts and filters by, which follow from the others (in place)."""
    values["tab"] = ("closed" if values["substatus"] in _TERMINAL
                     else "inbound" if values["direction"] == "Incoming" else "outbound")
    values["stage_pct"] = _PERCENT[values["stage"]]
    values["value_usd"] = usd(values["value"], values["currency"],
                              values["close_date"] or values["created_at"].date())
    values["registration_status"] = values["registration"]["status"] if values["registration"] else "None"
    values["search_text"] = "\n".join(
        [values["name"], values["customer_name"], values["crm_id"] or "", *note_texts]).lower()
    return values


def deal_values(deal: Deal, *, actor: str | None = None) -> dict:
    """The ``deals`` row of a deal: exactly what ``repo.write_deal`` stores (tests hold them equal)."""
    c = deal.customer
    values = {
        "id": deal.id, "version": deal.version, "name": deal.name, "direction": deal.direction.value,
        "kind": deal.kind.value, "sale_type": deal.sale_type.value if deal.sale_type else None,
        "status": deal.status.value, "substatus": deal.substatus.value, "stage": deal.stage.value,
        "stages_marked": [s.value for s in deal.stages_marked], "location": deal.location,
        "customer_name": c.name, "customer_account_id": c.account_id, "customer_duns": c.duns,
        "customer_source": c.source.value, "customer_match": c.match.value, "customer_city": c.city,
        "customer_country": c.country, "customer_macc": c.macc, "customer_federal": c.federal,
        "customer_contacts": _dump(c.contacts), "customer_consent": c.consent_to_share,
        "value": deal.value, "currency": deal.currency, "close_date": deal.close_date, "crm_id": deal.crm_id, "campaign_id": deal.campaign_id,
        "partner_role": deal.partner_role.value if deal.partner_role else None,
        "partner_program": deal.partner_program, "solution_area": deal.solution_area,
        "solution_play": deal.solution_play,
        "marketplace_intent": deal.marketplace_intent.value if deal.marketplace_intent else None,
        "help_type": deal.help_type.value, "share_with_microsoft": deal.share_with_microsoft,
        "microsoft_status": deal.microsoft_status.value, "microsoft_invited_at": deal.microsoft_invited_at,
        "microsoft_responded_at": deal.microsoft_responded_at, "sender_name": deal.sender_name,
        "sender_email": deal.sender_email, "sender_is_microsoft": deal.sender_is_microsoft,
        "owns_customer_contract": deal.owns_customer_contract,
        "created_at": deal.created_at, "updated_at": deal.updated_at, "received_at": deal.received_at,
        "expires_at": deal.expires_at, "accepted_at": deal.accepted_at, "closed_at": deal.closed_at,
        "status_reason": deal.status_reason, "favorite": deal.favorite,
        "solutions": _dump(deal.solutions), "invitations": _dump(deal.invitations),
        "registration": deal.registration.model_dump(mode="json"), "engagement_id": deal.engagement_id, "updated_by": actor,
    }
    return derive(values, (n.text for n in deal.notes))


def deal_rows(deal: Deal, *, actor: str | None = None) -> DealRows:
    team = [{"deal_id": deal.id, "position": i, "name": p.name, "phone": p.phone, "email": p.email,
             "email_lc": p.email.strip().lower(), "company": p.company} for i, p in enumerate(deal.team)]
    notes = [{"deal_id": deal.id, "at": n.at, "author": n.author, "text": n.text} for n in deal.notes]
    return DealRows(deal_values(deal, actor=actor), team, notes)


def _opt(enum_type, value):
    return None if value is None else enum_type(value)


def deal_from_rows(rows: DealRows) -> Deal:
    """The ``Deal`` stored in these rows: what ``repo.to_deal`` gives, built without re-validation."""
    r = rows.deal
    customer = construct(Customer, {
        "name": r["customer_name"], "account_id": r["customer_account_id"], "duns": r["customer_duns"],
        "source": AccountTab(r["customer_source"]), "match": AccountMatch(r["customer_match"]),
        "city": r["customer_city"], "country": r["customer_country"], "macc": bool(r["customer_macc"]),
        "federal": bool(r["customer_federal"]),
        "contacts": [CustomerContact(**c) for c in (r["customer_contacts"] or [])],
        "consent_to_share": bool(r["customer_consent"]),
    })
    reg = r["registration"]
    return construct(Deal, {
        "id": r["id"], "version": r["version"], "name": r["name"], "direction": Direction(r["direction"]),
        "kind": DealKind(r["kind"]), "sale_type": _opt(SaleType, r["sale_type"]),
        "status": Status(r["status"]), "substatus": Substatus(r["substatus"]), "stage": Stage(r["stage"]),
        "stages_marked": [Stage(s) for s in (r["stages_marked"] or [])], "location": r["location"],
        "customer": customer, "value": r["value"], "currency": r["currency"], "close_date": r["close_date"],
        "crm_id": r["crm_id"], "campaign_id": r["campaign_id"],
        "partner_role": _opt(PartnerRole, r["partner_role"]), "partner_program": r["partner_program"],
        "solution_area": r["solution_area"], "solution_play": r["solution_play"],
        "marketplace_intent": _opt(MarketplaceIntent, r["marketplace_intent"]),
        "help_type": HelpType(r["help_type"]), "share_with_microsoft": bool(r["share_with_microsoft"]),
        "microsoft_status": MicrosoftStatus(r["microsoft_status"]),
        "microsoft_invited_at": r["microsoft_invited_at"], "microsoft_responded_at": r["microsoft_responded_at"],
        "sender_name": r["sender_name"], "sender_email": r["sender_email"],
        "sender_is_microsoft": bool(r["sender_is_microsoft"]),
        "owns_customer_contract": bool(r["owns_customer_contract"]),
        "created_at": r["created_at"], "updated_at": r["updated_at"], "received_at": r["received_at"],
        "expires_at": r["expires_at"], "accepted_at": r["accepted_at"], "closed_at": r["closed_at"],
        "status_reason": r["status_reason"], "favorite": bool(r["favorite"]),
        "team": [construct(Person, {"name": t["name"], "phone": t["phone"], "email": t["email"],
                                    "company": t["company"]}) for t in rows.team],
        "solutions": [DealSolution(**s) for s in (r["solutions"] or [])],
        "invitations": [Invitation(**i) for i in (r["invitations"] or [])],
        "notes": [construct(Note, {"at": n["at"], "author": n["author"], "text": n["text"]}) for n in rows.notes],
        "registration": Registration(**reg) if reg else Registration(),
        "engagement_id": r["engagement_id"],
    })


def event_row(deal_id: str, event: Event) -> dict:
    return {"deal_id": deal_id, "at": event.at, "actor": event.actor, "action": event.action,
            "changes": event.changes, "reason": event.reason}


# -- database codecs ---------------------------------------------------------------------------

# What SQLAlchemy's SQLite types bind (values are never None here: None binds as NULL).
def _sqlite_dt(value: datetime) -> str:
    if value.tzinfo is not UTC and value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_date(value: date) -> str:
    return value.isoformat()


def _sqlite_num(value) -> float:
    return float(value)


_JSON = json.JSONEncoder(check_circular=False, separators=(",", ":")).encode


def _sqlite_json(value) -> str:
    return "[]" if value == [] else _JSON(value)


def _read_dt(value):
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def _read_date(value):
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _read_num(value):
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(f"{value:.2f}")


def _read_json(value):
    if value is None or not isinstance(value, str):
        return value
    return json.loads(value)


def _kind_of(column) -> str:
    t = column.type
    if isinstance(t, UTCDateTime):
        return "dt"
    if isinstance(t, JSON):
        return "json"
    if isinstance(t, Numeric):
        return "num"
    if isinstance(t, Date):
        return "date"
    if isinstance(t, Boolean):
        return "bool"
    return "plain"


_WRITE = {"dt": _sqlite_dt, "date": _sqlite_date, "num": _sqlite_num, "json": _sqlite_json}
_READ = {"dt": _read_dt, "date": _read_date, "num": _read_num, "json": _read_json}


class _Table:
    """How one table's rows go in and come out on one dialect."""

    def __init__(self, table, columns: Sequence[str], dialect):
        self.table, self.columns = table, tuple(columns)
        self.fast = dialect.name == "sqlite"
        self.getter = itemgetter(*self.columns)
        kinds = [_kind_of(table.c[name]) for name in self.columns]
        self.writers = [(i, _WRITE[k]) for i, k in enumerate(kinds) if k in _WRITE]
        self.readers = [(i, _READ[k]) for i, k in enumerate(kinds) if k in _READ]
        if self.fast:
            stmt = insert(table).compile(dialect=dialect, column_keys=list(self.columns))
            self.insert_sql = str(stmt)
            order = stmt.positiontup
            assert list(order) == list(self.columns), (order, self.columns)

    def encode(self, rows: Iterable[Mapping]) -> list:
        """Rows in the form the driver takes (SQLite: tuples of storage values), picklable, so a
        worker process can do this part and the writer only hands them to ``executemany``."""
        if not self.fast:
            return [{c: row[c] for c in self.columns} for row in rows]
        get, writers = self.getter, self.writers
        out = []
        for row in rows:
            values = list(get(row))
            for i, write in writers:
                value = values[i]
                if value is not None:
                    values[i] = write(value)
            out.append(tuple(values))
        return out

    def insert_encoded(self, session: Session, encoded: list) -> int:
        if encoded:
            if self.fast:
                session.connection().exec_driver_sql(self.insert_sql, encoded)
            else:
                session.execute(insert(self.table), encoded)
        return len(encoded)

    def insert(self, session: Session, rows: Iterable[Mapping]) -> int:
        return self.insert_encoded(session, self.encode(rows))

    def select_columns(self):
        if self.fast:  # no result processing: decoded below, a good deal faster
            return [type_coerce(self.table.c[c], NullType()).label(c) for c in self.columns]
        return [self.table.c[c] for c in self.columns]

    def decode(self, raw: Sequence) -> dict:
        values = list(raw)
        for i, read in self.readers:
            values[i] = read(values[i])
        return dict(zip(self.columns, values))


@lru_cache(maxsize=8)
def _tables(dialect_name: str, dialect) -> dict[str, _Table]:
    return {"deals": _Table(_deals, DEAL_COLUMNS, dialect), "team": _Table(_team, TEAM_COLUMNS, dialect),
            "notes": _Table(_notes, NOTE_COLUMNS, dialect), "events": _Table(_events, EVENT_COLUMNS, dialect)}


def tables_for(session: Session) -> dict[str, _Table]:
    return tables_for_dialect(session.get_bind().dialect)


def tables_for_dialect(dialect) -> dict[str, _Table]:
    return _tables(dialect.name, dialect)


# -- writing -------------------------------------------------------------------------------------

def insert_deals(session: Session, deals: Iterable[DealRows]) -> int:
    """Insert new deals (rows, team, notes) with one executemany per table."""
    deals = sorted(deals, key=lambda d: d.deal["id"])  # the primary key index fills in order
    t = tables_for(session)
    t["deals"].insert(session, (d.deal for d in deals))
    t["team"].insert(session, (row for d in deals for row in d.team))
    t["notes"].insert(session, (row for d in deals for row in d.notes))
    session.info["wrote"] = True
    return len(deals)


def update_deals(session: Session, deals: Sequence[DealRows], appended_notes: Iterable[dict] = ()) -> int:
    """Replace existing deals' rows and teams and append notes (notes are never edited, R5)."""
    if not deals:
        return 0
    columns = [c for c in DEAL_COLUMNS if c != "id"]
    stmt = update(_deals).where(_deals.c.id == bindparam("b_id")).values({c: bindparam(c) for c in columns})
    session.execute(stmt, [{"b_id": d.deal["id"], **{c: d.deal[c] for c in columns}} for d in deals])
    ids = [d.deal["id"] for d in deals]
    for i in range(0, len(ids), 500):
        session.execute(delete(_team).where(_team.c.deal_id.in_(ids[i:i + 500])))
    t = tables_for(session)
    t["team"].insert(session, (row for d in deals for row in d.team))
    t["notes"].insert(session, appended_notes)
    session.info["wrote"] = True
    return len(deals)


def insert_events(session: Session, rows: Iterable[dict]) -> int:
    n = tables_for(session)["events"].insert(session, rows)
    session.info["wrote"] = True
    return n


def queue_messages(session: Session, messages: Sequence[dict]) -> int:
    """Outbox rows (R12) in one statement; a ``dedupe_key`` already queued is skipped, as in ``outbox.queue``."""
    if not messages:
        return 0
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:  # pragma: no cover - other databases: one at a time through the outbox service
        from model.services.outbox import queue

        for m in messages:
            queue(session, kind=m["kind"], deal=None, recipient=m["recipient"], subject=m["subject"],
                  body=m["body"], now=m["created_at"], dedupe_key=m["dedupe_key"])
        return len(messages)
    for i in range(0, len(messages), CHUNK):
        session.execute(dialect_insert(_outbox).on_conflict_do_nothing(index_elements=["dedupe_key"]),
                        list(messages[i:i + CHUNK]))
    session.info["wrote"] = True
    return len(messages)


# -- reading -------------------------------------------------------------------------------------

def existing(session: Session, ids: Sequence[str]) -> dict[str, tuple[int, str]]:
    """id -> (version, substatus) of those ``ids`` already stored: one query per 500 ids."""
    out: dict[str, tuple[int, str]] = {}
    for i in range(0, len(ids), 500):
        rows = session.execute(select(_deals.c.id, _deals.c.version, _deals.c.substatus)
                               .where(_deals.c.id.in_(ids[i:i + 500])))
        out.update({r[0]: (r[1], r[2]) for r in rows})
    return out


def _children(session: Session, t: _Table, table, ids: list[str], order) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    stmt = select(*t.select_columns()).where(table.c.deal_id.in_(ids)).order_by(table.c.deal_id, order)
    for raw in session.execute(stmt):
        row = t.decode(raw)
        out.setdefault(row["deal_id"], []).append(row)
    return out


def _chunk_rows(session: Session, raws: list) -> list[DealRows]:
    t = tables_for(session)
    decoded = [t["deals"].decode(r) for r in raws]
    if not decoded:
        return []
    ids = [d["id"] for d in decoded]
    team = _children(session, t["team"], _team, ids, _team.c.position)
    notes = _children(session, t["notes"], _notes, ids, _notes.c.id)
    return [DealRows(d, team.get(d["id"], []), notes.get(d["id"], [])) for d in decoded]


def stream(session: Session, *where, chunk: int = CHUNK) -> Iterator[list[DealRows]]:
    """Every deal matching ``where`` in id order, a chunk at a time (keyset paging: no OFFSET scans)."""
    cols = tables_for(session)["deals"].select_columns()
    last = None
    while True:
        conds = list(where)
        if last is not None:
            conds.append(_deals.c.id > last)
        stmt = select(*cols).where(and_(True, *conds)).order_by(_deals.c.id).limit(chunk)
        raws = session.execute(stmt).all()
        if not raws:
            return
        yield _chunk_rows(session, raws)
        if len(raws) < chunk:
            return
        last = raws[-1][0]


def load(session: Session, ids: Sequence[str]) -> dict[str, DealRows]:
    """The stored rows of these deals (any that exist), by id."""
    out: dict[str, DealRows] = {}
    cols = tables_for(session)["deals"].select_columns()
    ordered = sorted(set(ids))
    for i in range(0, len(ordered), 500):
        part = ordered[i:i + 500]
        raws = session.execute(select(*cols).where(_deals.c.id.in_(part)).order_by(_deals.c.id)).all()
        for rows in _chunk_rows(session, raws):
            out[rows.deal["id"]] = rows
    return out


def is_terminal(substatus: str) -> bool:
    return Substatus(substatus) in TERMINAL_SUBSTATUSES
