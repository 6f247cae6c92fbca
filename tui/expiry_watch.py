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
from datetime import datetime, timedelta

from model.domain.rules.lifecycle import expiry_band, format_left, time_left
from model.domain.schemas import Deal
from tui.widgets.worker_groups import DASHBOARD_SUMMARY, TABLE_PAGE, TABLE_RELOAD

_URGENCY = {None: 0, "ok": 0, "72h": 1, "24h": 2, "overdue": 3}


#: The bands a deal is announced on entering, widest first (R8.2's 72 h and 24 h).
BANDS = (timedelta(hours=72), timedelta(hours=24))


class ExpiryWatch:
    """Where the watch last looked, which deals were inside the widest band then, and the band
    each announced deal was announced in.

    Each look reads in full only the deals that can have moved (``services.expiry_moves``: a
    band's edge passed since the last look, or new inside the band), so a tick costs a few rows,
    not every deal of the next 72 hours with its team: at 100k deals that was half a second of
    work every tick, taken from the event loop while someone typed."""

    def __init__(self) -> None:
        self.since: datetime | None = None
        self.inside: frozenset[str] | None = None  # None until the first look
        self._told: dict[str, str] = {}

    def start(self, now: datetime, inside: frozenset[str]) -> None:
        """The first look only records where things stand: the header already says what expires soon."""
        self.since, self.inside = now, inside

    def crossings(self, moves: list[tuple[Deal, bool]], inside: frozenset[str], now: datetime
                  ) -> list[tuple[Deal, str, str]]:
        """(deal, band, time left) for each deal of ``moves`` in a more urgent band than at the last
        look (a newcomer was in none), each band told once."""
        since, self.since, self.inside = self.since, now, inside
        self._told = {i: band for i, band in self._told.items() if i in inside}
        out = []
        for deal, new in moves:
            band = expiry_band(time_left(deal, now))
            before = None if new else expiry_band(time_left(deal, since))
            if _URGENCY[self._told.get(deal.id)] > _URGENCY[before]:
                before = self._told[deal.id]
            if band in ("72h", "24h") and _URGENCY[band] > _URGENCY[before]:
                self._told[deal.id] = band
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
