"""The customer-account catalogue: CSV import, bulk upsert, lookups (R4).

Import is all or nothing: every row is checked before anything is written,
and the rows go in inside one transaction; a problem names the line and field
so the file can be fixed, and nothing is written. Rows go in
through SQLAlchemy core bulk statements (no ORM object per row): a million
accounts import in seconds.
"""
from __future__ import annotations

import csv
import functools
import io
import os
import re
from typing import IO, Iterable, Iterator, Sequence

from sqlalchemy import bindparam, case, select, update
from sqlalchemy.orm import Session

from model.accounts.normalize import NORMALIZATION_VERSION, normalize_name
from model.domain.enums import AccountTab
from model.domain.errors import ImportRejected
from model.domain.schemas import Account
from model.store.tables import AccountRecord, Meta

FIELDS = ("account_id", "name", "tab", "linked_group", "duns", "city", "country",
          "macc", "federal", "parent_name")
REQUIRED = ("account_id", "name", "tab")
TABS = ("managed", "unmanaged", "other")
_MAX_LEN = {"account_id": 64, "name": 300, "tab": 16, "linked_group": 64, "duns": 32, "city": 120,
            "country": 8, "parent_name": 300}
_BATCH = 20_000
_MAX_ERRORS = 20

_table = AccountRecord.__table__
NORM_VERSION_KEY = "accounts_norm_version"


# -- writing -------------------------------------------------------------------
_COLS = (*FIELDS, "norm_name")
_BULK_REBUILD_MIN = 50_000  # loading this many rows into an empty table: index afterwards


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

    ``norm_name`` is derived here so every writer fills it the same way the
    matcher expects. Re-sent account ids update the existing row. On SQLite
    the compiled core statement runs as one ``executemany`` of plain tuples
    (a third faster than binding a dict per row).
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


def norm_is_stale(store) -> bool:
    with store.read() as session:
        version = norm_version(session)
    return version is not None and version != NORMALIZATION_VERSION


def refresh_norm_names(store, *, batch: int = 20_000) -> int:
    """Recompute every ``norm_name`` with today's rules; returns how many changed."""
    changed = 0
    with store.write() as session:
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
    return changed


# -- CSV import ----------------------------------------------------------------
_BOOLS = {"true": True, "1": True, "yes": True, "y": True, "t": True,
          "false": False, "0": False, "no": False, "n": False, "f": False, "": False}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_LIMITS = [(i, f, _MAX_LEN[f]) for i, f in enumerate(FIELDS) if f in _MAX_LEN]


def _check_row(values: list[str]) -> tuple:
    """Stripped values in ``FIELDS`` order as a typed row; ``ValueError(field, message)`` if bad."""
    for field in REQUIRED:
        if not values[FIELDS.index(field)]:
            raise ValueError(field, "is required")
    for i, field, limit in _LIMITS:
        if len(values[i]) > limit:
            raise ValueError(field, f"is longer than {limit} characters")
    if _CONTROL.search("".join(values)):
        field = next(f for f, v in zip(FIELDS, values) if _CONTROL.search(v))
        raise ValueError(field, "contains control characters")
    account_id, name, tab, group, duns, city, country, macc, federal, parent = values
    if tab.lower() not in TABS:
        raise ValueError("tab", f"{tab!r} is not one of {', '.join(TABS)}")
    if duns and not duns.replace("-", "").isdigit():
        raise ValueError("duns", f"{duns!r} is not a DUNS number (digits only)")
    flags = []
    for field, text in (("macc", macc), ("federal", federal)):
        flag = _BOOLS.get(text.lower())
        if flag is None:
            raise ValueError(field, f"{text!r} is not a boolean (use true/false, 1/0, yes/no)")
        flags.append(flag)
    return (account_id, name, tab.lower(), group or None, duns or None, city or None,
            country.upper() or None, flags[0], flags[1], parent or None)


def _open_text(path_or_file) -> tuple[IO[str], str]:
    """A text stream and what to do with it afterwards: "close", "detach" or "keep"."""
    if isinstance(path_or_file, (str, os.PathLike)):
        try:
            return open(path_or_file, newline="", encoding="utf-8-sig"), "close"
        except OSError as exc:
            raise ImportRejected(f"cannot read {os.fspath(path_or_file)}: {exc.strerror or exc}") from None
    if isinstance(path_or_file.read(0), bytes):
        return io.TextIOWrapper(path_or_file, encoding="utf-8-sig", newline=""), "detach"
    return path_or_file, "keep"


def import_accounts_csv(store, path_or_file) -> int:
    """Import a catalogue CSV; returns the number of rows written.

    Raises ``ImportRejected`` naming line and field ("line 7, field tab: 'foo'
    is not one of managed, unmanaged, other") and writes nothing if any row
    is bad. Booleans accept true/false, 1/0, yes/no; blank means false.
    """
    fh, after = _open_text(path_or_file)
    try:
        return _import(store, fh)
    except UnicodeDecodeError as exc:
        raise ImportRejected(f"the file is not UTF-8 text ({exc.reason})") from None
    except csv.Error as exc:
        raise ImportRejected(f"malformed CSV: {exc}") from None
    finally:
        if after == "close":
            fh.close()
        elif after == "detach":  # the caller's binary file stays open
            fh.detach()


def _rows(fh: IO[str], errors: list[str]) -> Iterator[tuple]:
    """Checked rows of a catalogue CSV; problems are appended to ``errors`` (and stop
    the rows: once the file is known bad nothing more is worth writing)."""
    reader = csv.reader(fh)
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [f for f in REQUIRED if f not in header]
    unknown = [h for h in header if h not in FIELDS]
    if missing or unknown:
        problem = (f"missing column(s) {', '.join(missing)}" if missing
                   else f"unknown column(s) {', '.join(unknown)}")
        raise ImportRejected(f"line 1: {problem}; expected {', '.join(FIELDS)}")
    width = len(header)
    where = [header.index(f) if f in header else width for f in FIELDS]  # width: an empty pad
    seen: dict[str, int] = {}
    for record in reader:
        if not record:
            continue  # blank line
        line = reader.line_num  # header is line 1; a quoted multi-line record ends here
        if len(record) > width:
            errors.append(f"line {line}: {len(record)} values, the header has {width}")
        else:
            record += [""] * (width + 1 - len(record))
            try:
                row = _check_row([record[i].strip() for i in where])
            except ValueError as exc:
                field, message = exc.args
                errors.append(f"line {line}, field {field}: {message}")
            else:
                first = seen.setdefault(row[0], line)
                if first != line:
                    errors.append(f"line {line}, field account_id: {row[0]!r} repeats line {first}")
                elif not errors:
                    yield row
        if len(errors) >= _MAX_ERRORS:
            return


def _raise_if(errors: list[str]) -> None:
    if errors:
        more = f" (stopped at the first {_MAX_ERRORS} problems)" if len(errors) >= _MAX_ERRORS else ""
        raise ImportRejected("; ".join(errors) + more + "; nothing was imported")


def _import(store, fh: IO[str]) -> int:
    """Check the whole file first, then write it in one transaction.

    A seekable file is read twice so the database is locked only for the
    writing; otherwise rows are written as they are checked and a bad one
    rolls the transaction back. Either way a bad file writes nothing.
    """
    errors: list[str] = []
    expected = 0
    if fh.seekable():
        start = fh.tell()
        expected = sum(1 for _ in _rows(fh, errors))
        _raise_if(errors)
        fh.seek(start)
    with store.write() as session:
        session.info["wrote"] = True
        written = bulk_upsert(session, _rows(fh, errors), expected=expected, batch=_BATCH)
        _raise_if(errors)
    return written


# -- reading -------------------------------------------------------------------
def account_from_row(row) -> Account:
    """An ``Account`` from a core row or record with the catalogue columns.

    Built without re-validation: the columns already have the schema's types,
    and search builds dozens of these per keystroke.
    """
    return Account.model_construct(account_id=row.account_id, name=row.name, tab=AccountTab(row.tab),
                   linked_group=row.linked_group, duns=row.duns, city=row.city, country=row.country,
                   macc=bool(row.macc), federal=bool(row.federal), parent_name=row.parent_name)


_COLUMNS = [_table.c[f] for f in FIELDS]


def get_accounts(store, ids: Iterable[str]) -> list[Account]:
    """Accounts by id, in the order asked; unknown ids are skipped."""
    ids = list(dict.fromkeys(ids))
    found: dict[str, Account] = {}
    with store.read() as session:
        for i in range(0, len(ids), 500):
            rows = session.execute(select(*_COLUMNS).where(_table.c.account_id.in_(ids[i:i + 500])))
            found.update((r.account_id, account_from_row(r)) for r in rows)
    return [found[i] for i in ids if i in found]


def get_linked(store, groups: Iterable[str]) -> dict[str, list[Account]]:
    """All records of each linked group (R4.3), by account id."""
    groups = [g for g in dict.fromkeys(groups) if g]
    out: dict[str, list[Account]] = {g: [] for g in groups}
    with store.read() as session:
        for i in range(0, len(groups), 500):
            stmt = (select(*_COLUMNS).where(_table.c.linked_group.in_(groups[i:i + 500]))
                    .order_by(_table.c.account_id))
            for r in session.execute(stmt):
                out[r.linked_group].append(account_from_row(r))
    return out


_TAB_ORDER = case({"managed": 0, "unmanaged": 1}, value=AccountRecord.tab, else_=2)


def match_customer_ids(session: Session, external_ids: Iterable[str],
                       duns_ids: Iterable[str]) -> AccountRecord | None:
    """The catalogue account a deal's customer ids point at (deal import, R4.5).

    An ``External`` id equal to an ``account_id`` wins; otherwise a ``Duns`` id
    equal to an account's DUNS, preferring a managed record, then unmanaged.
    """
    external = [e.strip() for e in external_ids if e and e.strip()]
    if external:
        rec = session.scalars(select(AccountRecord).where(AccountRecord.account_id.in_(external))
                              .order_by(_TAB_ORDER, AccountRecord.account_id).limit(1)).first()
        if rec is not None:
            return rec
    duns = {d.strip() for d in duns_ids if d and d.strip()}
    duns |= {d.replace("-", "") for d in duns}
    if duns:
        return session.scalars(select(AccountRecord).where(AccountRecord.duns.in_(sorted(duns)))
                               .order_by(_TAB_ORDER, AccountRecord.account_id).limit(1)).first()
    return None
