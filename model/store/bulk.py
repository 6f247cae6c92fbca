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

from functools import lru_cache
from itertools import groupby
from operator import itemgetter
from typing import Iterable, Iterator, Sequence

from sqlalchemy import and_, bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from model.domain.schemas import Event
from model.store.codec import (  # noqa: F401  (re-exported: callers use bulk.<name>)
    DealRows, construct, deal_from_rows, deal_rows, deal_values, derive, usd,
)
from model.store.bulk_io import (  # noqa: F401  (re-exported: callers use bulk.<name>)
    DEAL_COLUMNS, DEALS as _deals, OPTIONAL_DEAL_COLUMNS, NOTES as _notes, TEAM as _team, big_cache, bulk_mode,
    process_pool, tables_for, tables_for_dialect, worker_count,
)

CHUNK = 2_000


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
    first = deals[0].deal
    columns = [c for c in DEAL_COLUMNS if c != "id" and (c not in OPTIONAL_DEAL_COLUMNS or c in first)]
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
    """Outbox rows (R12) of an import, in set-based INSERTs; a ``dedupe_key`` already queued is
    skipped, as in ``outbox.queue``. The one bulk path of the outbox (``outbox.queue_many``, which
    the sweep's batch uses too); returns how many messages were handed in, as an import reports."""
    if not messages:
        return 0
    from model.store import outbox

    outbox.queue_many(session, messages)
    session.info["wrote"] = True
    return len(messages)


# -- a big fill ----------------------------------------------------------------------------------

#: New deals from which an import builds the deals table's secondary indexes afterwards.
BIG_FILL = 20_000


def drop_secondary_indexes(session: Session, adding: int) -> list:
    """Before ``adding`` new deals on SQLite: drop the deals table's secondary indexes (the grid's
    sort and filter indexes, ``model.store.tables``) when the fill is big (``BIG_FILL`` and at
    least half as many deals as are stored), and return them for ``restore_indexes``.

    Each index is then built once from sorted rows instead of growing by 100,000 random inserts.
    Inside the import's write transaction: a rollback (a refused file) brings them back as they
    were, and readers keep their snapshot, indexes included. Only the import's own queries run
    meanwhile, and they go by primary key. Not on PostgreSQL, where dropping an index locks the
    table against every reader until the commit.
    """
    if adding < BIG_FILL or session.get_bind().dialect.name != "sqlite":
        return []
    stored = session.scalar(select(func.count()).select_from(_deals)) or 0
    if adding < stored // 2:
        return []
    conn = session.connection()
    present = set(conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'deals'").scalars())
    dropped = sorted((ix for ix in _deals.indexes if ix.name in present and not ix.unique), key=lambda ix: ix.name)
    for ix in dropped:
        ix.drop(conn)
    return dropped


def restore_indexes(session: Session, dropped: list) -> None:
    """Build again what ``drop_secondary_indexes`` dropped (before the commit)."""
    conn = session.connection()
    for ix in dropped:
        ix.create(conn)


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
    if t.fast:  # SQLite: the statement text made once per size, rows straight from the driver
        sql = _children_sql(session.get_bind().dialect, table, order.name, len(ids))
        raws = session.connection().connection.driver_connection.execute(sql, ids).fetchall()
    else:  # one expanding parameter: the ids bound as a list, not coerced one by one
        stmt = (select(*t.select_columns()).where(table.c.deal_id.in_(bindparam("ids", expanding=True)))
                .order_by(table.c.deal_id, order))
        raws = session.execute(stmt, {"ids": ids}).all()
    # (in deal order, so each deal's rows are one run)
    return {deal_id: list(rows) for deal_id, rows in groupby(t.decode_all(raws, text_times=text_times), _DEAL_ID)}


@lru_cache(maxsize=32)
def _children_sql(dialect, table, order: str, n: int) -> str:
    """A team or notes query for ``n`` deal ids, as SQLite text: SQLAlchemy would render the
    expanding ``IN`` again for every chunk, which costs more than SQLite takes to answer it."""
    q = dialect.identifier_preparer.quote
    columns = ", ".join(q(c) for c in tables_for_dialect(dialect)[_CHILD_TABLES[table.name]].columns)
    marks = ", ".join("?" * n)
    return (f"SELECT {columns} FROM {q(table.name)} WHERE {q('deal_id')} IN ({marks}) "
            f"ORDER BY {q('deal_id')}, {q(order)}")


_CHILD_TABLES = {_team.name: "team", _notes.name: "notes"}
_DEAL_ID = itemgetter("deal_id")


def _chunk_rows(session: Session, raws: list, text_times: bool = False) -> list[DealRows]:
    t = tables_for(session)
    decoded = t["deals"].decode_all(raws, text_times=text_times)
    if not decoded:
        return []
    ids = [d["id"] for d in decoded]
    team = _children(session, t["team"], _team, ids, _team.c.position, text_times)
    notes = _children(session, t["notes"], _notes, ids, _notes.c.id, text_times)
    return [DealRows(d, team.get(d["id"], []), notes.get(d["id"], [])) for d in decoded]


def stream(session: Session, *where, chunk: int = CHUNK, first: int | None = None, after: str | None = None,
           text_times: bool = False) -> Iterator[list[DealRows]]:
    """Every deal matching ``where`` in id order, a chunk at a time (keyset paging: no OFFSET scans).

    ``first``: the size of the first chunk, when a reader wants the first deals sooner than a
    whole chunk takes; ``after``: begin after this id. ``text_times``: dates and times as the
    database's text where it stores text (SQLite), for writers that only format them again
    (export); ``model.partner_center.rows.iso`` takes both.
    """
    cols = tables_for(session)["deals"].select_columns()
    last, size = after, first or chunk
    while True:
        conds = list(where)
        if last is not None:
            conds.append(_deals.c.id > last)
        stmt = select(*cols).where(and_(True, *conds)).order_by(_deals.c.id).limit(size)
        raws = session.execute(stmt).all()
        if not raws:
            return
        yield _chunk_rows(session, raws, text_times)
        if len(raws) < size:
            return
        last, size = raws[-1][0], chunk


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



# -- what an export reads ------------------------------------------------------------------------

def export_where(user, tab=None, lo: str | None = None, hi: str | None = None) -> list:
    """The deals ``user`` may see (R1.3, R1.4), optionally one tab's, with ids in [lo, hi)."""
    from model.store.queries import tab_filter, visible_to

    conds = [visible_to(user)] + ([tab_filter(tab)] if tab is not None else [])
    if lo is not None:
        conds.append(_deals.c.id >= lo)
    if hi is not None:
        conds.append(_deals.c.id < hi)
    return conds


def sees_at_least(session: Session, user, n: int, tab=None) -> bool:
    """Whether ``user`` may see ``n`` deals or more (the id index is read up to the n-th, no further)."""
    if n <= 0:
        return True
    query = select(_deals.c.id).where(*export_where(user, tab)).order_by(_deals.c.id).limit(1).offset(n - 1)
    return session.scalar(query) is not None


def range_starts(session: Session, user, every: int, tab=None) -> list[str]:
    """The first id, and every ``every``-th after it, of the deals ``user`` may see, in id order:
    where the ranges of a big export start. Each start is found by skipping ``every`` ids from
    the last one on the id index (OFFSET in the database), so the ids between never come to
    Python (reading them all took longer than the first page of the export)."""
    where = export_where(user, tab)
    first = session.scalar(select(_deals.c.id).where(*where).order_by(_deals.c.id).limit(1))
    if first is None:
        return []
    step = (select(_deals.c.id).where(*where, _deals.c.id >= bindparam("lo")).order_by(_deals.c.id)
            .limit(1).offset(every))
    starts = [first]
    while (start := session.scalar(step, {"lo": starts[-1]})) is not None:
        starts.append(start)
    return starts
