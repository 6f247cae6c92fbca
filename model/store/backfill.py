"""Stored ``value_usd`` recomputed by the one conversion rule (issue 13).

``deals.value_usd`` is derived (``codec.derive``): the list, the JSON and CSV exports and the
grid's sort read it, while the detail and the registration check convert the deal's value
themselves. Both now use ``model.domain.rules.fx.usd_day`` (the month the deal closed, else its
close date, else its creation), but a deal stored before that rule may still hold a value
converted at another day's rate, so the faces disagreed on it. ``backfill_value_usd`` rewrites
the column for every stored deal whose value differs, with the same ``codec.usd`` every write
uses: read in keyset batches (no OFFSET scans, one batch in memory), one ``executemany`` per
batch. It changes nothing else: not the version (the deal is the same deal), not the history.
Run once by the schema migration (``model.store.engine``); running it again changes nothing.
"""
from __future__ import annotations

from sqlalchemy import bindparam, select, update

from model.domain.rules.fx import usd_day
from model.store.codec import usd
from model.store.tables import DealRecord

DEALS = DealRecord.__table__
BATCH = 5_000
_READ = (DEALS.c.id, DEALS.c.value, DEALS.c.currency, DEALS.c.closed_at, DEALS.c.close_date, DEALS.c.created_at,
         DEALS.c.value_usd)


def backfill_value_usd(conn, *, batch: int = BATCH) -> int:
    """Recompute ``value_usd`` of every stored deal (``conn``: a Connection or Session inside the
    caller's transaction); returns how many deals changed."""
    stmt = update(DEALS).where(DEALS.c.id == bindparam("b_id")).values(value_usd=bindparam("b_usd"))
    changed, last = 0, None
    while True:
        query = select(*_READ).order_by(DEALS.c.id).limit(batch)
        if last is not None:
            query = query.where(DEALS.c.id > last)
        rows = conn.execute(query).all()
        if not rows:
            return changed
        fixes = []
        for deal_id, value, currency, closed_at, close_date, created_at, stored in rows:
            right = usd(value, currency, usd_day(closed_at, close_date, created_at))
            if stored is None or round(float(stored), 2) != right:
                fixes.append({"b_id": deal_id, "b_usd": right})
        if fixes:
            conn.execute(stmt, fixes)
            changed += len(fixes)
        if len(rows) < batch:
            return changed
        last = rows[-1][0]
