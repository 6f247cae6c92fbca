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
