"""The expiry countdown of a received inbound deal (R8.2): "13d 4h", "5h 12m", "overdue".

The words and the bands come from ``model.domain.rules.lifecycle`` (``format_left``,
``expiry_band``); this module only decides how they look. Bands are told apart
by more than colour (bold under 24 h, reverse once overdue) so they survive
``NO_COLOR`` and monochrome terminals.

Time is whatever ``app.ctx.clock`` says; the app's tick (``app.clock_tick``,
every 30 s) re-renders countdowns, so they move without a restart.
"""
from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from model.domain.enums import Direction, Substatus
from model.domain.rules.lifecycle import expiry_band, format_left, is_received_substatus

#: Band name -> the CSS class / component suffix that styles it.
BANDS = ("ok", "72h", "24h", "overdue")


def countdown(direction: Direction, substatus: Substatus, expires_at: datetime | None,
              now: datetime) -> tuple[str, str | None]:
    """(text, band) for a deal's expiry; ("", None) when the deal cannot expire (answered or outbound)."""
    if direction is not Direction.INBOUND or not is_received_substatus(substatus) or expires_at is None:
        return "", None
    left = expires_at - now
    return format_left(left), expiry_band(left)


class ExpiryCountdown(Static):
    """A one-line countdown for a deal (for detail screens); ticks with the app's clock."""

    DEFAULT_CSS = """
    ExpiryCountdown { width: auto; height: 1; }
    ExpiryCountdown.-band-72h { color: $warning; }
    ExpiryCountdown.-band-24h { color: $error; text-style: bold; }
    ExpiryCountdown.-band-overdue { color: $error; text-style: bold reverse; }
    """

    band: reactive[str | None] = reactive(None)

    def __init__(self, direction: Direction, substatus: Substatus, expires_at: datetime | None, **kw) -> None:
        super().__init__("", **kw)
        self._deal = (direction, substatus, expires_at)

    def on_mount(self) -> None:
        self._update_text()
        tick = getattr(self.app, "clock_tick", None)
        if tick is not None:
            tick.subscribe(self, lambda _now: self._update_text())

    def _update_text(self) -> None:
        text, band = countdown(*self._deal, self.app.ctx.clock.now())
        self.band = band
        self.update(Text(f"expires in {text}" if band and band != "overdue" else text))

    def watch_band(self, old: str | None, new: str | None) -> None:
        if old:
            self.remove_class(f"-band-{old}")
        if new:
            self.add_class(f"-band-{new}")
