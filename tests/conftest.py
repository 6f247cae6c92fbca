"""Fixtures for every test: a fresh store per test (SQLite, or PostgreSQL when
COSELL_TEST_DATABASE_URL is set), a fixed clock and an admin context.

Shared test data lives in ``factories.py`` (import it as ``from factories import ...``).
"""
from __future__ import annotations

import os

import pytest

from factories import *  # noqa: F401,F403  (re-exported for older imports)
from factories import ADMIN, NOW
from model.clock import FixedClock
from model.services.context import Ctx
from model.store import open_store


_SESSION_PG: dict[str, str] = {}


def pytest_configure(config):
    """On PostgreSQL, each pytest run gets a database of its own (``<name>_<pid>``, one per xdist
    worker too), dropped at the end.

    Tests empty their database with TRUNCATE; two runs on one server (two people, two CI jobs, an
    everyday loop beside a full run) would otherwise empty each other's tables mid-test. The
    environment variable is rewritten so the CLI harness and subprocesses use the same database.
    """
    url = os.environ.get("COSELL_TEST_PG_BASE_URL") or os.environ.get("COSELL_TEST_DATABASE_URL")
    if not url:
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    _SESSION_PG.update(base=url, run=base.set(database=name).render_as_string(hide_password=False))
    os.environ["COSELL_TEST_DATABASE_URL"] = _SESSION_PG["run"]
    os.environ["COSELL_TEST_PG_BASE_URL"] = url  # an xdist worker makes its own from the same server


def pytest_unconfigure(config):
    if not _SESSION_PG:
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    run = make_url(_SESSION_PG["run"]).database
    admin = create_engine(make_url(_SESSION_PG["base"]), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for name in (run, f"{run}_peer"):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
        os.environ["COSELL_TEST_DATABASE_URL"] = _SESSION_PG["base"]
        os.environ.pop("COSELL_TEST_PG_BASE_URL", None)


@pytest.fixture(autouse=True)
def _own_cache_dir(tmp_path_factory, monkeypatch):
    """Search indexes a test stores go under the run's temp dir, never into the user's cache."""
    monkeypatch.setenv("COSELL_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture
def clock():
    return FixedClock(NOW)


@pytest.fixture
def store(tmp_path):
    url = os.environ.get("COSELL_TEST_DATABASE_URL")
    if url:
        st = _fresh_postgres(url)
    else:
        st = open_store(tmp_path / "test.db")
    yield st
    st.dispose()


_PG_READY: set[str] = set()


def _fresh_postgres(url: str):
    """An empty database per test: the schema is made once, then TRUNCATE (~3x faster than drop/create)."""
    from sqlalchemy import text

    from model.store.tables import Base

    st = open_store(url, create=False)
    if url not in _PG_READY:
        Base.metadata.drop_all(st.engine)
        st.create_schema()
        _PG_READY.add(url)
        return st
    names = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with st.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    st.create_schema()
    return st


@pytest.fixture
def ctx(store, clock):
    return Ctx(store=store, clock=clock, user=ADMIN)
