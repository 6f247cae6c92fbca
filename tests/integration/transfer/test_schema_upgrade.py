"""Schema 2 (``deals.mpn_id``, ``deals.pc_extra``, ``locations``): a database of schema 1 is
brought up to date when it is opened, keeping its deals."""
from __future__ import annotations

from sqlalchemy import inspect, text

from factories import make_draft
from model import services as svc
from model.store import open_store
from model.store.tables import SCHEMA_VERSION
from transfer_support import fresh_ctx
from transfer_support import known_catalogue  # noqa: F401  (autouse: the catalogue the factories name)


def test_a_schema_1_database_is_upgraded_on_open(tmp_path):
    ctx = fresh_ctx(tmp_path, "old")
    deal = svc.create_deal(ctx, make_draft())
    with ctx.store.engine.begin() as conn:  # make it what schema 1 was
        conn.execute(text("DROP INDEX ix_deals_mpn_id"))
        conn.execute(text("ALTER TABLE deals DROP COLUMN mpn_id"))
        conn.execute(text("ALTER TABLE deals DROP COLUMN pc_extra"))
        conn.execute(text("DROP TABLE locations"))
        conn.execute(text("UPDATE meta SET value = '1' WHERE key = 'schema_version'"))
    ctx.store.dispose()
    store = open_store(tmp_path / "old.db")
    assert store.schema_version() == SCHEMA_VERSION >= 2
    with store.engine.connect() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("deals")}
        assert {"mpn_id", "pc_extra"} <= columns and inspect(conn).has_table("locations")
    ctx.store = store
    assert svc.get_deal(ctx, deal.id) == deal
    store.dispose()
