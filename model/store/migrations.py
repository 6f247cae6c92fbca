"""Schema upgrades in place: what an older database needs to become the current schema.

Kept apart from ``engine`` (how a transaction starts) because it grows with every schema
version and runs once per database, in ``Store.create_schema``'s one write transaction.
"""
from __future__ import annotations

from sqlalchemy import text

from model.store.tables import REPLACED_INDEXES, DealRecord


def migrate(conn, version: int) -> None:
    """Bring a database of an older schema up to date, in place, in the caller's one write
    transaction (new tables come from ``create_all``; new indexes of existing tables do not)."""
    from sqlalchemy import inspect
    from sqlalchemy.schema import CreateIndex

    if version < 2:
        have = {c["name"] for c in inspect(conn).get_columns("deals")}
        json_type = "JSON"
        if "mpn_id" not in have:
            conn.execute(text("ALTER TABLE deals ADD COLUMN mpn_id VARCHAR(32)"))
            conn.execute(text("CREATE INDEX IF NOT EXISTS ix_deals_mpn_id ON deals (mpn_id)"))
        if "pc_extra" not in have:
            conn.execute(text(f"ALTER TABLE deals ADD COLUMN pc_extra {json_type}"))
    if version < 4:
        # The grid's indexes: (tab, key, id) for keyset paging, the expiry key, the filter, the sums.
        for name in REPLACED_INDEXES:
            conn.execute(text(f"DROP INDEX IF EXISTS {name}"))
        # Issue 13: one USD rule (``model.domain.rules.fx.usd_day``) also for deals stored before it;
        # before the new indexes are built, so its updates touch none of them.
        from model.store.backfill import backfill_value_usd

        backfill_value_usd(conn)
        for index in DealRecord.__table__.indexes:
            conn.execute(CreateIndex(index, if_not_exists=True))  # (reflection cannot see expression indexes)
    if conn.dialect.name == "sqlite":
        conn.execute(text("ANALYZE deals"))  # the planner's row counts for the new indexes


def create_search_index(conn) -> None:
    """PostgreSQL: the filter's words are found through a ``pg_trgm`` GIN index on ``search_text``
    (a LIKE '%word%' the index answers). Without the extension (a server that lacks it, a role that
    may not create it) the filter still works, by reading the rows."""
    if conn.dialect.name != "postgresql":
        return
    try:
        with conn.begin_nested():
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except Exception:  # noqa: BLE001 - no extension: the LIKE still answers, only slower
        return
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_deals_search_trgm ON deals USING gin (search_text gin_trgm_ops)"))
