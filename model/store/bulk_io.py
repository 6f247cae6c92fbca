"""How many rows at once meet the database: storage encodings, executemany, worker processes.

``model.store.bulk`` decides *what* rows a deal is; this module moves them. On SQLite the
compiled core ``insert()`` goes straight to the driver's ``executemany`` with values already
in SQLite's storage form (what SQLAlchemy's column types would bind), because SQLAlchemy's
per-row parameter processing costs more than SQLite's own work; reads select the columns
without result processing and decode them here. Other databases take the typed statements.
Encoded rows are plain tuples, so a worker process can encode and the writer only executes.
"""
from __future__ import annotations

import gc
import json
import os
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from typing import Iterable, Iterator, Mapping, Sequence

import orjson
from sqlalchemy import Boolean, Date, Numeric, insert, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.sql.sqltypes import JSON, NullType

from model.store.tables import DealRecord, EventRecord, NoteRecord, OutboxRecord, TeamRecord, UTCDateTime

DEALS = DealRecord.__table__
TEAM = TeamRecord.__table__
NOTES = NoteRecord.__table__
EVENTS = EventRecord.__table__
OUTBOX = OutboxRecord.__table__

#: Deal columns no ``Deal`` field fills (``codec.deal_values`` leaves them out): only an import
#: sets them, so a row without them stores NULL and an update without them leaves them alone.
OPTIONAL_DEAL_COLUMNS = ("mpn_id", "pc_extra")
DEAL_COLUMNS = tuple(c.name for c in DEALS.columns if c.name not in OPTIONAL_DEAL_COLUMNS) + OPTIONAL_DEAL_COLUMNS
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
    return ctx.Pool(processes or worker_count(), initializer=_worker_start,
                    initargs=(os.getpid(), initializer, initargs))


def _worker_start(parent: int, initializer, initargs) -> None:
    """A worker ends with the command that started it. Killed (``kill -9``, a closed SSH session),
    the parent can no longer stop its pool, and the orphaned workers would print a traceback
    apiece when their next result finds the pipe gone; Ctrl-C is the parent's to handle (it
    stops the pool), not each worker's. Linux is asked to end the worker when the parent dies."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass
    if os.getppid() != parent:  # the parent died before the request above took effect
        os._exit(0)
    if initializer is not None:
        initializer(*initargs)


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
    """JSON text as stored; orjson writes it several times faster than ``json`` (the same JSON:
    compact, UTF-8 text rather than ``\\u`` escapes), and ``json`` takes what orjson refuses
    (an integer beyond 64 bits, a key that is not a string)."""
    if value == []:
        return "[]"
    try:
        return orjson.dumps(value).decode()
    except (orjson.JSONEncodeError, TypeError):
        return _JSON(value)


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
    if value == "[]":
        return []
    try:  # (numbers as orjson reads them, as ``parse.raw_records`` read the file's in the first place)
        return orjson.loads(value)
    except orjson.JSONDecodeError:  # what only ``json`` reads (NaN, Infinity)
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

    def __init__(self, table, columns: Sequence[str], dialect, optional: Sequence[str] = ()):
        self.table, self.columns = table, tuple(columns)
        self.optional = tuple(optional)  # the last columns; a row may lack them (None)
        self.fast = dialect.name == "sqlite"
        self.getter = itemgetter(*self.columns[:len(self.columns) - len(self.optional)])
        kinds = [_kind_of(table.c[name]) for name in self.columns]
        self.writers = [(i, _WRITE[k]) for i, k in enumerate(kinds) if k in _WRITE]
        self.readers = [(i, _READ[k]) for i, k in enumerate(kinds) if k in _READ]
        self.text_time_readers = [(i, _READ[k]) for i, k in enumerate(kinds) if k in ("num", "json")]
        if self.fast:
            stmt = insert(table).compile(dialect=dialect, column_keys=list(self.columns))
            self.insert_sql = str(stmt)
            order = stmt.positiontup
            assert list(order) == list(self.columns), (order, self.columns)

    def encode(self, rows: Iterable[Mapping]) -> list:
        """Rows in the form the driver takes (SQLite: tuples of storage values), picklable, so a
        worker process can do this part and the writer only hands them to ``executemany``."""
        optional = self.optional
        if not self.fast:
            return [{c: row.get(c) if c in optional else row[c] for c in self.columns} for row in rows]
        get, writers = self.getter, self.writers
        out = []
        for row in rows:
            values = list(get(row))
            if optional:
                values += [row.get(c) for c in optional]
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

    def decode(self, raw: Sequence, *, text_times: bool = False) -> dict:
        """A row as Python values. ``text_times`` leaves dates and times as SQLite stores them
        (``2026-11-20 09:00:00.000000``) for a caller that only writes them out again."""
        return self.decode_all((raw,), text_times=text_times)[0]

    def decode_all(self, raws: Iterable[Sequence], *, text_times: bool = False) -> list[dict]:
        """``decode`` for many rows (the loop's lookups made once: an export decodes 100,000).
        SQLite's JSON text is read here in the loop rather than by ``_read_json`` (the same
        steps): the call per value cost as much as orjson's reading."""
        readers = self.text_time_readers if text_times and self.fast else self.readers
        columns = self.columns
        if not readers:
            return [dict(zip(columns, raw)) for raw in raws]
        json_at = [i for i, read in readers if read is _read_json] if self.fast else []
        others = [(i, read) for i, read in readers if i not in json_at]
        loads, bad_json = orjson.loads, orjson.JSONDecodeError
        out = []
        for raw in raws:
            values = list(raw)
            for i in json_at:
                value = values[i]
                if value.__class__ is str:
                    try:
                        values[i] = loads(value)
                    except bad_json:  # what only ``json`` reads (NaN, Infinity)
                        values[i] = json.loads(value)
            for i, read in others:
                values[i] = read(values[i])
            out.append(dict(zip(columns, values)))
        return out


@lru_cache(maxsize=8)
def _tables(dialect_name: str, dialect) -> dict[str, _Table]:
    return {"deals": _Table(DEALS, DEAL_COLUMNS, dialect, OPTIONAL_DEAL_COLUMNS), "team": _Table(TEAM, TEAM_COLUMNS, dialect),
            "notes": _Table(NOTES, NOTE_COLUMNS, dialect), "events": _Table(EVENTS, EVENT_COLUMNS, dialect)}


def tables_for(session: Session) -> dict[str, _Table]:
    return tables_for_dialect(session.get_bind().dialect)


def tables_for_dialect(dialect) -> dict[str, _Table]:
    return _tables(dialect.name, dialect)
