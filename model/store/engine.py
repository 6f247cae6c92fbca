"""Where the data lives and how a transaction starts.

SQLite is the embedded default (a file in the user's data dir, WAL, a busy
timeout, foreign keys on); ``--db PATH`` or ``COSELL_DATABASE_URL`` choose
another file or a PostgreSQL URL. Writes open with ``BEGIN IMMEDIATE`` on
SQLite: a read-then-write transaction under WAL otherwise fails with "database
is locked" whatever the busy timeout.
"""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from model.store.tables import SCHEMA_VERSION, Base, ChangeCounter, Meta

BUSY_TIMEOUT_MS = 10_000


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

    def __init__(self, url: str):
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            path = url.split("sqlite:///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = create_engine(
                url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
            )
            event.listen(self.engine, "connect", _sqlite_on_connect)
            # Take over transaction start so writes can say BEGIN IMMEDIATE.
            event.listen(self.engine, "begin", _sqlite_on_begin)
        else:
            self.engine = create_engine(url, pool_pre_ping=True)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(
            self.engine.execution_options(cosell_immediate=True), expire_on_commit=False
        )

    # -- transactions -----------------------------------------------------
    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: BEGIN IMMEDIATE on SQLite, retried if the file is busy."""
        attempts = 0
        while True:
            session = self._write_sessions()
            try:
                # Start the transaction eagerly so a lock error surfaces here, before any work.
                session.connection()
                break
            except OperationalError as exc:
                session.close()
                if _is_locked(exc) and attempts < 40:
                    attempts += 1
                    time.sleep(min(0.02 * attempts, 0.5))
                    continue
                raise
        try:
            yield session
            _bump_change_counter(session)
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    # -- schema -------------------------------------------------------------
    def create_schema(self) -> None:
        """First use creates the schema and records its version; later versions migrate here."""
        Base.metadata.create_all(self.engine)
        with self._sessions() as session, session.begin():
            if session.get(Meta, "schema_version") is None:
                session.add(Meta(key="schema_version", value=str(SCHEMA_VERSION)))
            if session.get(ChangeCounter, 1) is None:
                session.add(ChangeCounter(id=1, counter=0))

    def schema_version(self) -> int | None:
        with self.read() as session:
            try:
                row = session.get(Meta, "schema_version")
            except OperationalError:
                return None
            return int(row.value) if row else None

    def change_counter(self) -> int:
        """A number that grows with every committed write, by anyone, in any process."""
        with self.engine.connect() as conn:
            return conn.execute(select(ChangeCounter.counter).where(ChangeCounter.id == 1)).scalar() or 0

    def dispose(self) -> None:
        self.engine.dispose()


def _bump_change_counter(session: Session) -> None:
    if session.new or session.dirty or session.deleted or session.info.get("wrote"):
        session.execute(text("UPDATE change_counter SET counter = counter + 1 WHERE id = 1"))


def _is_locked(exc: OperationalError) -> bool:
    return "locked" in str(exc).lower() or "busy" in str(exc).lower()


def _sqlite_on_connect(dbapi_conn, _record) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is deferred).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()


def _sqlite_on_begin(conn) -> None:
    immediate = conn.get_execution_options().get("cosell_immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def open_store(db: str | os.PathLike | None = None, *, create: bool = True) -> Store:
    store = Store(url_for(db))
    if create:
        store.create_schema()
    return store
