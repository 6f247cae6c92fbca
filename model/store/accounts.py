"""The customer-account catalogue in SQL: bulk upserts, lookups, the rows search indexes (R4).

Rows go in through SQLAlchemy core bulk statements (no ORM object per row), so
a million accounts import in seconds; ``norm_name`` is derived on the way in so
every writer fills it the way the matcher expects, and the normalisation
version it was made with is recorded beside it. Checking a CSV is
``model.accounts.catalogue``; searching is ``model.accounts.matcher``.
"""
from __future__ import annotations

import functools
import uuid
from typing import Iterable, Iterator, Sequence

from sqlalchemy import bindparam, case, func, literal, select, update
from sqlalchemy.orm import Session

from model.accounts.normalize import NORMALIZATION_VERSION, normalize_name
from model.domain.enums import AccountTab
from model.domain.schemas import Account
from model.store.faults import DATABASE_ID
from model.store.tables import AccountRecord, Meta

#: The catalogue's columns, in the order rows are given (and a catalogue CSV's header names).
FIELDS = ("account_id", "name", "tab", "linked_group", "duns", "city", "country",
          "macc", "federal", "parent_name")
NORM_VERSION_KEY = "accounts_norm_version"
#: A token every cosell write of existing accounts renews, so a stored search index notices an
#: account renamed in place (which changes neither the count nor the largest id).
CATALOGUE_VERSION_KEY = "accounts_version"

_table = AccountRecord.__table__
_COLS = (*FIELDS, "norm_name")
_BULK_REBUILD_MIN = 50_000  # loading this many rows into an empty table: index afterwards


# -- writing -------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def _sqlite_upsert() -> tuple[str, tuple[int, ...]]:
    """The SQLite upsert as SQL text and the order its positional parameters take."""
    from sqlalchemy.dialects import sqlite

    stmt = sqlite.insert(_table)
    stmt = stmt.on_conflict_do_update(index_elements=["account_id"],
                                      set_={c: stmt.excluded[c] for c in _COLS[1:]})
    compiled = stmt.compile(dialect=sqlite.dialect(), column_keys=list(_COLS))
    return str(compiled), tuple(_COLS.index(k) for k in compiled.positiontup)


def upsert_rows(session: Session, rows: Iterable[Sequence]) -> int:
    """Insert or update account rows (tuples in ``FIELDS`` order) with one bulk statement.

    Re-sent account ids update the existing row. On SQLite the compiled core
    statement runs as one ``executemany`` of plain tuples (a third faster than
    binding a dict per row).
    """
    full = [(*r, normalize_name(r[1])) for r in rows]
    if not full:
        return 0
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        sql, order = _sqlite_upsert()
        if order != tuple(range(len(_COLS))):
            full = [tuple(r[i] for i in order) for r in full]
        session.connection().exec_driver_sql(sql, full)
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert

        stmt = insert(_table)
        stmt = stmt.on_conflict_do_update(index_elements=["account_id"],
                                          set_={c: stmt.excluded[c] for c in _COLS[1:]})
        session.execute(stmt, [dict(zip(_COLS, r)) for r in full])
    else:  # pragma: no cover - other databases: delete then insert
        ids = [r[0] for r in full]
        for i in range(0, len(ids), 500):
            session.execute(_table.delete().where(_table.c.account_id.in_(ids[i:i + 500])))
        session.execute(_table.insert(), [dict(zip(_COLS, r)) for r in full])
    session.info["wrote"] = True
    if norm_version(session) is None:
        session.merge(Meta(key=NORM_VERSION_KEY, value=str(NORMALIZATION_VERSION)))
    renew_catalogue_version(session)
    return len(full)


def bulk_upsert(session: Session, rows: Iterable[Sequence], *, expected: int = 0,
                batch: int = 20_000) -> int:
    """``upsert_rows`` in batches. Loading ``expected`` >= 50k rows into an empty
    SQLite table drops the secondary indexes first and builds them at the end
    (sorting once beats a million random B-tree inserts)."""
    conn = session.connection()
    rebuild = (expected >= _BULK_REBUILD_MIN and conn.dialect.name == "sqlite"
               and session.scalar(select(_table.c.account_id).limit(1)) is None)
    indexes = sorted(_table.indexes, key=lambda ix: ix.name) if rebuild else []
    for index in indexes:
        index.drop(conn)
    written, chunk = 0, []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= batch:
            written += upsert_rows(session, chunk)
            chunk = []
    written += upsert_rows(session, chunk)
    for index in indexes:
        index.create(conn)
    return written


# -- normalisation version -----------------------------------------------------
def norm_version(session: Session) -> int | None:
    """The ``normalize_name`` version the stored ``norm_name`` values were made with.

    None: not recorded (rows written by other tools), taken as current.
    """
    value = session.scalar(select(Meta.value).where(Meta.key == NORM_VERSION_KEY))
    return int(value) if value else None


def refresh_norm_names(session: Session, *, batch: int = 20_000) -> int:
    """Recompute every ``norm_name`` with today's rules; returns how many changed."""
    changed = 0
    session.info["wrote"] = True
    stmt = (update(_table).where(_table.c.account_id == bindparam("b_id"))
            .values(norm_name=bindparam("b_norm")))
    result = session.execute(select(_table.c.account_id, _table.c.name, _table.c.norm_name),
                             execution_options={"yield_per": batch})
    pending: list[dict] = []
    for part in result.partitions():
        pending += [{"b_id": r[0], "b_norm": n} for r in part if (n := normalize_name(r[1])) != r[2]]
        if len(pending) >= batch:
            session.execute(stmt, pending)
            changed, pending = changed + len(pending), []
    if pending:
        session.execute(stmt, pending)
        changed += len(pending)
    session.merge(Meta(key=NORM_VERSION_KEY, value=str(NORMALIZATION_VERSION)))
    renew_catalogue_version(session)
    return changed


def renew_catalogue_version(session: Session) -> None:
    """Record that accounts changed (see ``catalogue_state``)."""
    session.merge(Meta(key=CATALOGUE_VERSION_KEY, value=uuid.uuid4().hex))
    session.info["wrote"] = True


def catalogue_state(session: Session) -> dict:
    """What a stored search index must have been built from to be used: this database (its id in
    ``meta``) and this state of its accounts (count, largest id, the version token, the
    normalisation version). Three index lookups: milliseconds at a million accounts."""
    meta = dict(session.execute(select(Meta.key, Meta.value).where(
        Meta.key.in_((DATABASE_ID, CATALOGUE_VERSION_KEY, NORM_VERSION_KEY)))).all())
    return {"database_id": meta.get(DATABASE_ID), "version": meta.get(CATALOGUE_VERSION_KEY),
            "norm_version": meta.get(NORM_VERSION_KEY),
            "count": int(session.scalar(select(func.count()).select_from(_table)) or 0),
            "max_id": session.scalar(select(func.max(_table.c.account_id)))}


# -- reading -------------------------------------------------------------------
def account_from_row(row) -> Account:
    """An ``Account`` from a core row or record with the catalogue columns.

    Built without re-validation: the columns already have the schema's types,
    and search builds dozens of these per keystroke.
    """
    return Account.model_construct(account_id=row.account_id, name=row.name, tab=AccountTab(row.tab),
                                   linked_group=row.linked_group, duns=row.duns, city=row.city,
                                   country=row.country, macc=bool(row.macc), federal=bool(row.federal),
                                   parent_name=row.parent_name)


_COLUMNS = [_table.c[f] for f in FIELDS]


def accounts_by_id(session: Session, ids: list[str]) -> dict[str, Account]:
    """The catalogued accounts among ``ids``, by id (500 ids per query)."""
    found: dict[str, Account] = {}
    for i in range(0, len(ids), 500):
        rows = session.execute(select(*_COLUMNS).where(_table.c.account_id.in_(ids[i:i + 500])))
        found.update((r.account_id, account_from_row(r)) for r in rows)
    return found


def linked_accounts(session: Session, groups: list[str]) -> dict[str, list[Account]]:
    """All records of each linked group (R4.3), by account id."""
    out: dict[str, list[Account]] = {g: [] for g in groups}
    for i in range(0, len(groups), 500):
        stmt = (select(*_COLUMNS).where(_table.c.linked_group.in_(groups[i:i + 500]))
                .order_by(_table.c.account_id))
        for r in session.execute(stmt):
            out[r.linked_group].append(account_from_row(r))
    return out


def index_rows(session: Session, *, renormalise: bool, per_part: int = 2_000) -> Iterator[list]:
    """What the search index is built from, streamed in parts: (account_id, norm_name, name, tab,
    linked_group, city, country, parent_name). ``name`` comes only where ``norm_name`` cannot be
    used: empty, or (``renormalise``) stored under older rules, then ``norm_name`` is blank."""
    t = _table
    if renormalise:
        norm, name = literal(""), t.c.name
    else:
        norm, name = t.c.norm_name, case((t.c.norm_name == "", t.c.name), else_=None)
    stmt = select(t.c.account_id, norm, name, t.c.tab, t.c.linked_group, t.c.city, t.c.country, t.c.parent_name)
    result = session.execute(stmt, execution_options={"yield_per": per_part})
    yield from result.partitions()
