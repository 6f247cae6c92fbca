"""The expiry countdown of a received inbound deal (R8.2): "13d 4h", "5h 12m", "overdue".

The words and the bands come from ``model.domain.rules.lifecycle`` (``format_left``,
``expiry_band``); this module only says which of a grid row's words and band
apply (the grid's styles tell the bands apart by more than colour, so they
survive ``NO_COLOR`` and monochrome terminals).

Time is whatever ``app.ctx.clock`` says; the app's tick (``app.clock_tick``,
every 30 s) re-renders the grid, so countdowns move without a restart.
"""
from __future__ import annotations

from datetime import datetime

from model.domain.enums import Direction, Substatus
from model.domain.rules.lifecycle import expiry_band, format_left, is_received_substatus


def countdown(direction: Direction, substatus: Substatus, expires_at: datetime | None,
              now: datetime) -> tuple[str, str | None]:
    """(text, band) for a deal's expiry; ("", None) when the deal cannot expire (answered or outbound)."""
    if direction is not Direction.INBOUND or not is_received_substatus(substatus) or expires_at is None:
        return "", None
    left = expires_at - now
    return format_left(left), expiry_band(left)
