"""Schema 3 (``sync_state``, ``sync_cursor``): a database of schema 2 gets the sync tables when it
is opened, keeping its deals; the new outbound deal it holds is then pending."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import inspect, text

from factories import make_draft
from model import services as svc
from model.services import sync
from model.store import open_store
from model.store.tables import SCHEMA_VERSION
from transfer_support import fresh_ctx


@pytest.mark.skipif(bool(os.environ.get("COSELL_TEST_DATABASE_URL")), reason="a SQLite file of the old schema")
def test_a_schema_2_database_gets_the_sync_tables_on_open(tmp_path):
    ctx = fresh_ctx(tmp_path, "old")
    deal = svc.create_deal(ctx, make_draft(), confirm_warnings=True)
    with ctx.store.engine.begin() as conn:  # make it what schema 2 was
        conn.execute(text("DROP TABLE sync_state"))
        conn.execute(text("DROP TABLE sync_cursor"))
        conn.execute(text("UPDATE meta SET value = '2' WHERE key = 'schema_version'"))
    ctx.store.dispose()
    store = open_store(tmp_path / "old.db")
    assert store.schema_version() == SCHEMA_VERSION >= 3
    with store.engine.connect() as conn:
        assert inspect(conn).has_table("sync_state") and inspect(conn).has_table("sync_cursor")
    ctx.store = store
    assert svc.get_deal(ctx, deal.id) == deal
    assert [(d.deal_id, d.state) for d in sync.sync_status(ctx)] == [(deal.id, "pending")]
    store.dispose()
