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
        from model.store.tables import Base

        st = open_store(url, create=False)
        Base.metadata.drop_all(st.engine)
        st.create_schema()
    else:
        st = open_store(tmp_path / "test.db")
    yield st
    st.dispose()


@pytest.fixture
def ctx(store, clock):
    return Ctx(store=store, clock=clock, user=ADMIN)
