"""The customer-account catalogue: CSV import, bulk upsert, lookups (R4).

Import is all or nothing: every row is checked and written inside one
transaction, and the first problem found makes the whole file roll back, with
the line number and field in the message so the file can be fixed. Rows go in
through SQLAlchemy core bulk statements (no ORM object per row): a million
accounts import in seconds.
"""
from __future__ import annotations

import csv
import io
import os
from typing import IO, Iterable, Sequence

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from model.accounts.normalize import normalize_name
from model.enums import AccountTab
from model.errors import ImportRejected
from model.schemas import Account
from model.store.tables import AccountRecord

FIELDS = ("account_id", "name", "tab", "linked_group", "duns", "city", "country",
          "macc", "federal", "parent_name")
REQUIRED = ("account_id", "name", "tab")
TABS = ("managed", "unmanaged", "other")
_MAX_LEN = {"account_id": 64, "name": 300, "tab": 16, "linked_group": 64, "duns": 32, "city": 120,
            "country": 8, "parent_name": 300}
_TRUE, _FALSE = {"true", "1", "yes", "y", "t"}, {"false", "0", "no", "n", "f", ""}
_BATCH = 20_000
_MAX_ERRORS = 20

_table = AccountRecord.__table__


# -- writing -------------------------------------------------------------------
def _values(row: Sequence) -> dict:
    values = dict(zip(FIELDS, row))
    values["norm_name"] = normalize_name(values["name"])
    return values


def upsert_rows(session: Session, rows: Iterable[Sequence]) -> int:
    """Insert or update account rows (tuples in ``FIELDS`` order) with one bulk statement.

    ``norm_name`` is derived here so every writer fills it the same way the
    matcher expects. Re-sent account ids update the existing row.
    """
    values = [_values(r) for r in rows]
    if not values:
        return 0
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        stmt = insert(_table)
        updates = {c: stmt.excluded[c] for c in (*FIELDS[1:], "norm_name")}
        session.execute(stmt.on_conflict_do_update(index_elements=["account_id"], set_=updates), values)
    else:  # pragma: no cover - other databases: delete then insert
        ids = [v["account_id"] for v in values]
        for i in range(0, len(ids), 500):
            session.execute(_table.delete().where(_table.c.account_id.in_(ids[i:i + 500])))
        session.execute(_table.insert(), values)
    session.info["wrote"] = True
    return len(values)


# -- CSV import ----------------------------------------------------------------
def _bool(text: str) -> bool:
    t = text.strip().lower()
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    raise ValueError(f"{text!r} is not a boolean (use true/false, 1/0, yes/no)")


def _check_row(raw: dict) -> tuple:
    """One CSV record as a tuple in ``FIELDS`` order; ``ValueError(field, message)`` if bad."""
    out = []
    for field in FIELDS:
        value = raw.get(field)
        value = "" if value is None else value.strip()
        if field in ("macc", "federal"):
            try:
                out.append(_bool(value))
            except ValueError as exc:
                raise ValueError(field, str(exc)) from None
            continue
        if field in REQUIRED and not value:
            raise ValueError(field, "is required")
        if len(value) > _MAX_LEN[field]:
            raise ValueError(field, f"is longer than {_MAX_LEN[field]} characters")
        if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in value):
            raise ValueError(field, "contains control characters")
        if field == "tab":
            if value.lower() not in TABS:
                raise ValueError(field, f"{value!r} is not one of {', '.join(TABS)}")
            value = value.lower()
        elif field == "duns" and value and not value.replace("-", "").isdigit():
            raise ValueError(field, f"{value!r} is not a DUNS number (digits only)")
        elif field == "country":
            value = value.upper()
        out.append(value or None)
    return tuple(out)


def _open_text(path_or_file) -> tuple[IO[str], bool]:
    if isinstance(path_or_file, (str, os.PathLike)):
        try:
            return open(path_or_file, newline="", encoding="utf-8-sig"), True
        except OSError as exc:
            raise ImportRejected(f"cannot read {os.fspath(path_or_file)}: {exc.strerror or exc}") from None
    sample = path_or_file.read(0)
    if isinstance(sample, bytes):
        return io.TextIOWrapper(path_or_file, encoding="utf-8-sig", newline=""), False
    return path_or_file, False


def import_accounts_csv(store, path_or_file) -> int:
    """Import a catalogue CSV; returns the number of rows written.

    Raises ``ImportRejected`` naming line and field ("line 7, field tab: 'foo'
    is not one of managed, unmanaged, other") and writes nothing if any row
    is bad. Booleans accept true/false, 1/0, yes/no; blank means false.
    """
    fh, close = _open_text(path_or_file)
    try:
        return _import(store, fh)
    except UnicodeDecodeError as exc:
        raise ImportRejected(f"the file is not UTF-8 text ({exc.reason})") from None
    except csv.Error as exc:
        raise ImportRejected(f"malformed CSV: {exc}") from None
    finally:
        if close:
            fh.close()


def _import(store, fh: IO[str]) -> int:
    reader = csv.DictReader(fh)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [f for f in REQUIRED if f not in header]
    if missing:
        raise ImportRejected(f"line 1: missing column(s) {', '.join(missing)}; "
                             f"expected {', '.join(FIELDS)}")
    unknown = [h for h in header if h not in FIELDS]
    if unknown:
        raise ImportRejected(f"line 1: unknown column(s) {', '.join(unknown)}; "
                             f"expected {', '.join(FIELDS)}")
    reader.fieldnames = header
    errors: list[str] = []
    seen: dict[str, int] = {}
    written = 0
    with store.write() as session:
        chunk: list[tuple] = []
        for raw in reader:
            start = reader.line_num  # header is line 1; a quoted multi-line record ends here
            if None in raw:
                errors.append(f"line {start}: {len(header) + len(raw[None])} values, "
                              f"the header has {len(header)}")
            else:
                try:
                    row = _check_row(raw)
                except ValueError as exc:
                    field, message = exc.args
                    errors.append(f"line {start}, field {field}: {message}")
                else:
                    first = seen.setdefault(row[0], start)
                    if first != start:
                        errors.append(f"line {start}, field account_id: {row[0]!r} repeats line {first}")
                    elif not errors:
                        chunk.append(row)
            if len(errors) >= _MAX_ERRORS:
                break
            if len(chunk) >= _BATCH:
                written += upsert_rows(session, chunk)
                chunk = []
        if errors:
            more = " (stopped at the first 20 problems)" if len(errors) >= _MAX_ERRORS else ""
            raise ImportRejected("; ".join(errors) + more + "; nothing was imported")
        written += upsert_rows(session, chunk)
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
    """All records of each linked group (R4.3), managed first, by account id."""
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
