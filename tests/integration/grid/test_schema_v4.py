"""Schema 4 (the grid's indexes): a database of schema 3 is upgraded in place when it is opened,
keeping its deals, on SQLite and PostgreSQL."""
from __future__ import annotations

from sqlalchemy import text

from dashboard_support import bulk_deals
from model.domain.enums import Tab
from model.domain.listing import DealQuery, PageWant
from model.services.context import Ctx
from model.services.queries import deal_view
from model.store import open_store
from model.store.tables import REPLACED_INDEXES, SCHEMA_VERSION, DealRecord

#: What schema 3 had on the deals table, by name.
V3_INDEXES = {
    "ix_deals_tab_status_expires": "tab, substatus, expires_at", "ix_deals_tab_close": "tab, close_date",
    "ix_deals_tab_value": "tab, value_usd", "ix_deals_tab_customer": "tab, customer_name",
    "ix_deals_tab_name": "tab, name", "ix_deals_tab_updated": "tab, updated_at", "ix_deals_tab_stage": "tab, stage_pct",
    "ix_deals_favorite": "favorite, tab",
}
V4_ONLY = {i.name for i in DealRecord.__table__.indexes} - {"ix_deals_location", "ix_deals_crm", "ix_deals_expires",
                                                            "ix_deals_mpn_id"}


def deal_indexes(conn) -> set[str]:
    """Every index of the deals table, expression indexes too (which reflection leaves out)."""
    if conn.dialect.name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'deals'"
    else:
        sql = "SELECT indexname FROM pg_indexes WHERE tablename = 'deals'"
    return set(conn.execute(text(sql)).scalars())


def test_a_schema_3_database_is_upgraded_in_place(store, ctx):
    ids = bulk_deals(store, 60)
    before = deal_view(ctx, DealQuery(tab=Tab.INBOUND), [PageWant(0, 100)])
    assert SCHEMA_VERSION == 4 and set(REPLACED_INDEXES) == set(V3_INDEXES)
    with store.engine.begin() as conn:  # make it what schema 3 was
        for name in V4_ONLY | {"ix_deals_search_trgm"}:
            conn.execute(text(f"DROP INDEX IF EXISTS {name}"))
        for name, columns in V3_INDEXES.items():
            conn.execute(text(f"CREATE INDEX {name} ON deals ({columns})"))
        conn.execute(text("UPDATE meta SET value = '3' WHERE key = 'schema_version'"))
        # a value_usd stored by the old USD rule (issue 13): the upgrade recomputes it by the one rule
        conn.execute(text("UPDATE deals SET value_usd = 1.5 WHERE id = :id"), {"id": ids[0]})
    store.dispose()

    upgraded = open_store(store.url)
    try:
        assert upgraded.schema_version() == SCHEMA_VERSION
        with upgraded.engine.connect() as conn:
            have = deal_indexes(conn)
        assert V4_ONLY <= have and not have & set(V3_INDEXES)
        if upgraded.is_postgres:
            assert "ix_deals_search_trgm" in have
        after = deal_view(Ctx(store=upgraded, clock=ctx.clock, user=ctx.user), DealQuery(tab=Tab.INBOUND),
                          [PageWant(0, 100)])
        assert after.total == before.total and [r.id for r in after.pages[0].rows] == \
            [r.id for r in before.pages[0].rows]
        with upgraded.engine.connect() as conn:
            fixed = conn.execute(text("SELECT value_usd FROM deals WHERE id = :id"), {"id": ids[0]}).scalar()
        assert fixed != 1.5  # backfilled (``model.store.backfill``) in the same upgrade
    finally:
        upgraded.dispose()


def test_a_new_database_has_the_schema_4_indexes(store):
    with store.engine.connect() as conn:
        have = deal_indexes(conn)
    assert V4_ONLY <= have and not have & set(V3_INDEXES)
    assert ("ix_deals_search_trgm" in have) == store.is_postgres
