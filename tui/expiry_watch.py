"""On-call: notice when an inbound deal crosses into the < 72 h or < 24 h band while the app is open.

The first look only records where every deal stands (the header already says
how many expire soon); after that, each move into a more urgent band is
reported once, so a person watching the dashboard is told, not just shown.

The app's own sweep (R8.2) yields to the dashboard: ``after_page_loads`` lets the
reads that paint the first frame finish before it starts (B11), so a sweep of
thousands of deals never delays the rows, nor makes them load twice.
"""
from __future__ import annotations

import asyncio
from datetime import datetime

from model.domain.rules.lifecycle import expiry_band, format_left, time_left
from model.domain.schemas import Deal
from tui.widgets.worker_groups import DASHBOARD_SUMMARY, TABLE_PAGE, TABLE_RELOAD

_URGENCY = {None: 0, "ok": 0, "72h": 1, "24h": 2, "overdue": 3}


class ExpiryWatch:
    def __init__(self) -> None:
        self._bands: dict[str, str | None] | None = None

    def crossings(self, deals: list[Deal], now: datetime) -> list[tuple[Deal, str, str]]:
        """(deal, band, time left) for each deal that moved into a more urgent band since last time."""
        current = {d.id: expiry_band(time_left(d, now)) for d in deals}
        previous, self._bands = self._bands, current
        if previous is None:
            return []
        out = []
        for deal in deals:
            band = current[deal.id]
            if band in ("72h", "24h") and _URGENCY[band] > _URGENCY[previous.get(deal.id)]:
                out.append((deal, band, format_left(time_left(deal, now))))
        return out


def message(crossed: list[tuple[Deal, str, str]]) -> str:
    lines = [f"{'< 24 h' if band == '24h' else '< 72 h'}: {deal.name} ({deal.customer.name}), {left} left"
             for deal, band, left in crossed[:5]]
    if len(crossed) > 5:
        lines.append(f"and {len(crossed) - 5} more")
    return "\n".join(lines)


#: The dashboard's reads of what it shows: the grid's pages and the header's totals.
PAGE_GROUPS = frozenset({TABLE_RELOAD, TABLE_PAGE, DASHBOARD_SUMMARY})


def after_page_loads(app, timeout: float = 10.0) -> None:
    """From a worker thread: wait (at most ``timeout`` seconds) until the dashboard's reads in
    flight are done. A read cancelled by a newer one, or failed, ends the wait too."""
    def in_flight():
        return [w for w in app.workers if w.group in PAGE_GROUPS and not w.is_finished]

    async def done(worker) -> None:
        try:
            await worker.wait()
        except Exception:  # cancelled by a newer read, or failed (the app shows that): done either way
            pass

    async def settle() -> None:
        pending = in_flight()
        if pending:
            await asyncio.wait([asyncio.ensure_future(done(w)) for w in pending], timeout=timeout)

    app.call_from_thread(settle)
