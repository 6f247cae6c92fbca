"""Many deals at once: imports, exports and demo data.

``repo.write_deal`` goes through the ORM, about a millisecond a deal: right for
one user action, far too slow for 100,000 deals. Here a deal becomes plain
rows (``DealRows``: the same values ``repo.write_deal`` stores, see
``deal_values``) and each table gets one ``executemany`` of a core ``insert()``
per chunk, inside the caller's transaction (``model.store.bulk_io`` does the
database side). Reading back (``stream``, ``load``) decodes rows and builds
``Deal`` values without re-validating what the database already holds.
Nothing keeps more than one chunk of deals in memory.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Iterable, Iterator, Sequence

from sqlalchemy import and_, bindparam, delete, select, update
from sqlalchemy.orm import Session

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
from model.store.bulk_io import (  # noqa: F401  (re-exported: callers use bulk.<name>)
    DEAL_COLUMNS, DEALS as _deals, NOTES as _notes, OUTBOX as _outbox, TEAM as _team, big_cache, bulk_mode,
    process_pool, tables_for, tables_for_dialect, worker_count,
)

CHUNK = 2_000


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


def _children(session: Session, t, table, ids: list[str], order, text_times: bool) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    stmt = select(*t.select_columns()).where(table.c.deal_id.in_(ids)).order_by(table.c.deal_id, order)
    for raw in session.execute(stmt):
        row = t.decode(raw, text_times=text_times)
        out.setdefault(row["deal_id"], []).append(row)
    return out


def _chunk_rows(session: Session, raws: list, text_times: bool = False) -> list[DealRows]:
    t = tables_for(session)
    decoded = [t["deals"].decode(r, text_times=text_times) for r in raws]
    if not decoded:
        return []
    ids = [d["id"] for d in decoded]
    team = _children(session, t["team"], _team, ids, _team.c.position, text_times)
    notes = _children(session, t["notes"], _notes, ids, _notes.c.id, text_times)
    return [DealRows(d, team.get(d["id"], []), notes.get(d["id"], [])) for d in decoded]


def stream(session: Session, *where, chunk: int = CHUNK, text_times: bool = False) -> Iterator[list[DealRows]]:
    """Every deal matching ``where`` in id order, a chunk at a time (keyset paging: no OFFSET scans).

    ``text_times``: dates and times as the database's text where it stores text (SQLite), for
    writers that only format them again (export); ``model.referral_rows.iso`` takes both.
    """
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
        yield _chunk_rows(session, raws, text_times)
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

