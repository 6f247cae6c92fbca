"""On-call: notice when an inbound deal crosses into the < 72 h or < 24 h band while the app is open.

The first look only records where every deal stands (the header already says
how many expire soon); after that, each move into a more urgent band is
reported once, so a person watching the dashboard is told, not just shown.
"""
from __future__ import annotations

from datetime import datetime

from model.domain.rules.lifecycle import expiry_band, format_left, time_left
from model.domain.schemas import Deal

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
