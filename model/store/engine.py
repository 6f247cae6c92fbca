"""Where the data lives and how a transaction starts.

SQLite is the embedded default (a file in the user's data dir, WAL, a busy
timeout, foreign keys on); ``--db PATH`` or ``COSELL_DATABASE_URL`` choose
another file or a PostgreSQL URL.

Writers are serialised the same way on both engines, so every service's
load → check → write sees the latest committed state and nothing is lost:
- SQLite: writes open with ``BEGIN IMMEDIATE``; a read-then-write transaction
  under WAL otherwise fails with "database is locked" whatever the busy timeout.
  A busy file is waited for (busy timeout) and then retried, never surfaced.
- PostgreSQL: writes take a transaction-scoped advisory lock first. Row locks
  alone would leave read-then-insert races (the outbox's dedupe key, the first
  user becoming admin) to fail with unique violations; a write transaction here
  lasts milliseconds, so one writer at a time costs nothing a sales team notices.

A SQLite file in a shared directory (setgid, group-writable: see
``model.shared_setup``) is created group-writable, and SQLite gives its -wal and
-shm files the database file's mode, so teammates' processes can all write.
"""
from __future__ import annotations

import os
import sqlite3
import stat
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from model.store import faults
from model.store.faults import DatabaseUnavailable
from model.store.migrations import create_search_index
from model.store.migrations import migrate as _migrate
from model.store.tables import SCHEMA_VERSION, Base, ChangeCounter, Meta

BUSY_TIMEOUT_MS = 10_000
# How often a write retries BEGIN IMMEDIATE after the busy timeout ran out (a
# very long writer elsewhere); the waits add up to minutes, not a crash.
LOCK_RETRIES = 40
# pg_advisory_xact_lock key serialising cosell writers ("cosell" in ASCII).
PG_WRITE_LOCK = 0x636F73656C6C
SHARED_FILE_MODE = 0o660


def default_database_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("cosell", appauthor=False)) / "cosell.db"


def default_database_url() -> str:
    return os.environ.get("COSELL_DATABASE_URL") or f"sqlite:///{default_database_path()}"


def url_for(db: str | os.PathLike | None) -> str:
    """A ``--db`` value may be a URL or a file path."""
    if db is None:
        return default_database_url()
    text_ = str(db)
    if "://" in text_:
        return text_
    return f"sqlite:///{Path(text_).expanduser().resolve()}"


class Store:
    """An engine plus the two kinds of transaction the services need."""

    def __init__(self, url: str, *, background_checkpoints: bool = False):
        """``background_checkpoints``: a long-lived process (the dashboard) copies the WAL on a thread of
        its own after writes, not inside the commit that crosses SQLite's threshold (``checkpoint``)."""
        self.url = url
        self._checkpointer = None
        self.is_sqlite = url.startswith("sqlite")
        self.is_postgres = url.startswith("postgresql")
        self.sqlite_path: Path | None = None
        self.is_shared = False
        self.read_only = False
        if self.is_sqlite:
            path = faults.sqlite_file(url)
            if path is not None:
                self.sqlite_path = path
                faults.check_sqlite_path(self.sqlite_path)
                try:
                    self.is_shared = prepare_sqlite_file(self.sqlite_path)
                except OSError as exc:
                    raise DatabaseUnavailable(f"database {path}: cannot create its directory "
                                              f"({exc.strerror or exc})") from None
            # A file this login may only read, in a directory it cannot write, and nobody has open
            # (no -shm): SQLite cannot read a WAL database that way except as immutable. Reads work;
            # a write ends in the "read-only" line of ``model.store.faults``.
            self.read_only = self.sqlite_path is not None and faults.needs_immutable(self.sqlite_path)
            engine_url = f"sqlite:///file:{self.sqlite_path}?mode=ro&immutable=1&uri=true" if self.read_only else url
            self.engine: Engine = create_engine(
                engine_url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
            )
            event.listen(self.engine, "connect", _sqlite_on_connect)
            event.listen(self.engine, "connect", self._remember_file)
            if self.is_shared:
                event.listen(self.engine, "connect", self._keep_group_writable)
            # Take over transaction start so writes can say BEGIN IMMEDIATE.
            event.listen(self.engine, "begin", _sqlite_on_begin)
            if background_checkpoints and not self.read_only and self.sqlite_path is not None:
                from model.store.checkpoint import Checkpointer, no_automatic_checkpoint

                event.listen(self.engine, "connect", no_automatic_checkpoint)
                self._checkpointer = Checkpointer(self.engine)
        else:
            try:
                self.engine = create_engine(url, pool_pre_ping=True)
            except (ImportError, ArgumentError) as exc:
                raise DatabaseUnavailable(
                    f"database {faults.where(url, None)}: cosell cannot use this URL ({type(exc).__name__}: {exc}); "
                    "give a SQLite file or postgresql+psycopg://user@host/dbname (pip install '.[pg]')") from None
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(
            self.engine.execution_options(cosell_immediate=True), expire_on_commit=False
        )
        # Note every flush and every ORM UPDATE/DELETE/INSERT so the change counter is
        # bumped exactly when something was written (autoflush empties ``session.new``).
        event.listen(self._write_sessions, "after_flush", _mark_wrote)
        event.listen(self._write_sessions, "do_orm_execute", _mark_dml)

    @property
    def name(self) -> str:
        """The database as messages name it: the file, or the URL without its password."""
        return faults.where(self.url, self.sqlite_path)

    # -- transactions -----------------------------------------------------
    @contextmanager
    def faults_explained(self) -> Iterator[None]:
        """A damaged, read-only, full or unreachable database becomes one ``DatabaseUnavailable`` line."""
        try:
            yield
        except Exception as exc:
            if faults.is_database_fault(exc):
                raise faults.translate(exc, self.name) from None
            raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.faults_explained(), self._sessions() as session:
            yield session

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A read whose statements all see the same moment (a count and the rows it counts).

        SQLite: a read transaction under WAL keeps its first snapshot to the end. PostgreSQL's
        default (read committed) gives each statement its own, so this one is repeatable read."""
        with self.faults_explained(), self._sessions() as session:
            if self.is_postgres:
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            yield session

    def counter_in(self, session: Session) -> int:
        """The change counter as ``session``'s own read sees it (``change_counter``)."""
        return session.scalar(select(ChangeCounter.counter).where(ChangeCounter.id == 1)) or 0

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction, alone among writers (see the module docstring).

        Waits for a busy SQLite file (busy timeout, then retries) instead of failing.
        """
        with self.faults_explained():
            session = self._begin_write()
            try:
                yield session
                _bump_change_counter(session)
                self._still_the_same_file(session)
                session.commit()
                if self._checkpointer is not None:
                    self._checkpointer.poke()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    def _remember_file(self, _dbapi_conn, record) -> None:
        """Which file this connection opened (see ``model.store.faults.same_database``)."""
        record.info["cosell_file"] = faults.file_identity(self.sqlite_path) if self.sqlite_path else None

    def _still_the_same_file(self, session: Session) -> None:
        """Just before a commit: the file at the path is the one written (not deleted or replaced)."""
        if self.sqlite_path is None:
            return
        opened = session.connection().connection.info.get("cosell_file")
        our_id = session.execute(select(Meta.value).where(Meta.key == faults.DATABASE_ID)).scalar()
        faults.same_database(self.sqlite_path, opened, our_id)

    def _begin_write(self) -> Session:
        attempts = 0
        while True:
            session = self._write_sessions()
            try:
                # Start the transaction eagerly so a lock wait happens here, before any work.
                session.connection()
                if self.is_postgres:
                    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_WRITE_LOCK})
                return session
            except OperationalError as exc:
                session.close()
                if _is_locked(exc) and attempts < LOCK_RETRIES:
                    attempts += 1
                    time.sleep(min(0.02 * attempts, 0.5))
                    continue
                raise

    # -- schema -------------------------------------------------------------
    def create_schema(self) -> None:
        """First use creates the schema and records its version; later versions migrate here.

        Runs as a serialised write (BEGIN IMMEDIATE / advisory lock) so teammates starting
        cosell at the same moment on a new database do not trip over each other's DDL.
        """
        with self.faults_explained():
            if self._is_current():
                return
            session = self._begin_write()
            try:
                conn = session.connection()
                Base.metadata.create_all(conn)
                meta = session.get(Meta, "schema_version")
                if meta is None:
                    session.add(Meta(key="schema_version", value=str(SCHEMA_VERSION)))
                    create_search_index(conn)
                elif int(meta.value) < SCHEMA_VERSION:
                    _migrate(conn, int(meta.value))
                    create_search_index(conn)
                    meta.value = str(SCHEMA_VERSION)
                if session.get(Meta, faults.DATABASE_ID) is None:
                    session.add(Meta(key=faults.DATABASE_ID, value=faults.new_database_id()))
                if session.get(ChangeCounter, 1) is None:
                    session.add(ChangeCounter(id=1, counter=0))
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    def _is_current(self) -> bool:
        """True when the schema is at this version and has its database id: nothing to set up.

        Every CLI call is a new process that asks this first, so it is one plain statement
        (no inspector, no statement compiled); anything unexpected (no ``meta`` table yet)
        falls back to the careful path below.
        """
        try:
            with self.engine.connect() as conn:
                found = dict(conn.exec_driver_sql(
                    "SELECT key, value FROM meta WHERE key IN ('schema_version', '%s')" % faults.DATABASE_ID).all())
                conn.rollback()
        except Exception:  # noqa: BLE001 - e.g. no such table: decided again below, with the inspector
            found = None
        if found is not None and found.get("schema_version") == str(SCHEMA_VERSION):
            return self.read_only or faults.DATABASE_ID in found
        return self.schema_version() == SCHEMA_VERSION and (self.read_only or self._has_database_id())

    def _has_database_id(self) -> bool:
        with self.engine.connect() as conn:
            found = conn.execute(select(Meta.value).where(Meta.key == faults.DATABASE_ID)).scalar()
            conn.rollback()
        return found is not None

    def schema_version(self) -> int | None:
        """The schema's version, or None on a database cosell has not set up yet."""
        from sqlalchemy import inspect

        with self.faults_explained(), self.engine.connect() as conn:
            if not inspect(conn).has_table(Meta.__tablename__):
                return None
            value = conn.execute(select(Meta.value).where(Meta.key == "schema_version")).scalar()
            conn.rollback()
        return int(value) if value else None

    def change_counter(self) -> int:
        """A number that grows with every committed write, by anyone, in any process."""
        with self.faults_explained(), self.engine.connect() as conn:
            return conn.execute(select(ChangeCounter.counter).where(ChangeCounter.id == 1)).scalar() or 0

    @staticmethod
    def holds_deals(session: Session) -> bool:
        """Whether any deal is stored: a database with deals but no users has lost its users table,
        and its next caller must not become its admin (``model.identity``)."""
        from model.store.tables import DealRecord

        return session.scalar(select(DealRecord.id).limit(1)) is not None

    def dispose(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.close()
        self.engine.dispose()

    def _keep_group_writable(self, _dbapi_conn, _record) -> None:
        keep_group_writable(self.sqlite_path)


def _mark_wrote(session: Session, _flush_context) -> None:
    session.info["wrote"] = True


def _mark_dml(state: ORMExecuteState) -> None:
    if state.is_update or state.is_delete or state.is_insert:
        state.session.info["wrote"] = True


def _bump_change_counter(session: Session) -> None:
    if session.new or session.dirty or session.deleted or session.info.get("wrote"):
        session.execute(text("UPDATE change_counter SET counter = counter + 1 WHERE id = 1"))


def is_shared_dir(directory: Path) -> bool:
    """A directory prepared by ``cosell init --shared``: setgid and group-writable."""
    try:
        mode = directory.stat().st_mode
    except FileNotFoundError:
        return False
    return bool(mode & stat.S_ISGID) and bool(mode & stat.S_IWGRP)


def prepare_sqlite_file(path: Path) -> bool:
    """Make the database's directory; in a shared directory, create the file group-writable.

    Whatever the caller's umask (022 would give 0644), the file starts as 0660, and
    SQLite creates -wal and -shm with the database file's mode. Returns "is shared".
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not is_shared_dir(path.parent):
        return False
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, SHARED_FILE_MODE)
    except FileExistsError:
        pass
    else:
        try:
            os.fchmod(fd, SHARED_FILE_MODE)  # fchmod ignores the umask, os.open's mode does not
        finally:
            os.close(fd)
    keep_group_writable(path)
    return True


def keep_group_writable(path: Path | None) -> None:
    """Give g+rw back to the database, -wal and -shm files this user owns (umask 007 for shared dirs)."""
    if path is None:
        return
    uid = os.geteuid() if hasattr(os, "geteuid") else None
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            st = candidate.stat()
        except FileNotFoundError:
            continue
        if (st.st_mode & 0o060) != 0o060 and (uid is None or st.st_uid == uid):
            try:
                os.chmod(candidate, (st.st_mode & 0o7777) | 0o060)
            except PermissionError:  # pragma: no cover - someone else's file
                pass


def _is_locked(exc: OperationalError) -> bool:
    return "locked" in str(exc).lower() or "busy" in str(exc).lower()


def _sqlite_on_connect(dbapi_conn, _record) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is deferred).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys = ON")
    try:
        cur.execute("PRAGMA journal_mode = WAL")
    except sqlite3.OperationalError:
        pass  # a read-only (immutable) file keeps its journal mode; writes say "read-only" later
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()


def _sqlite_on_begin(conn) -> None:
    immediate = conn.get_execution_options().get("cosell_immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def open_store(db: str | os.PathLike | None = None, *, create: bool = True,
               background_checkpoints: bool = False) -> Store:
    store = Store(url_for(db), background_checkpoints=background_checkpoints)
    if create:
        store.create_schema()
    return store
