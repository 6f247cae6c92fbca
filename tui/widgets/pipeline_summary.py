"""The header lines of a tab: how many deals, what they are worth, and what is about to expire;
and, while sync with Partner Center is in use, where sync stands (``SyncLine``).

Numbers come from ``svc.tab_summary`` (aggregated in SQL, never by loading
rows): the count, the total value and the stage-weighted pipeline (value ×
stage %) in USD, and how many received inbound deals expire within 48 hours
(R8.2, R13.1: answer quickly). Rendered as ``Text`` pieces, never markup.
"""
from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

from model.domain.enums import Tab
from model.domain.listing import TabSummary

_NOUN = {Tab.INBOUND: "open", Tab.OUTBOUND: "open", Tab.FAVORITES: "favorite", Tab.CLOSED: "closed"}


def money(usd: float) -> str:
    """$950, $12.3K, $4.56M, $1.2B: short enough for an 80-column header."""
    amount = abs(usd)
    sign = "-" if usd < 0 else ""
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if amount >= limit:
            value = amount / limit
            digits = 2 if value < 10 else 1 if value < 100 else 0
            return f"{sign}${value:.{digits}f}{suffix}"
    return f"{sign}${amount:,.0f}"


@dataclass
class SummaryView:
    tab: Tab
    summary: TabSummary
    expiring_48h: int         # inbound deals expiring within 48 h (shown on every tab)
    matching: int | None = None  # deals matching the filter, when one is set
    marked: int = 0


def summary_text(view: SummaryView) -> Text:
    s = view.summary
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{s.count:,}", style="bold")
    text.append(f" {_NOUN[view.tab]} deal{'s' if s.count != 1 else ''}")
    if view.matching is not None:
        text.append(" · ")
        text.append(f"{view.matching:,} match{'' if view.matching == 1 else 'es'}", style="bold")
    text.append(" · total ")
    text.append(money(s.total_usd), style="bold")
    if view.tab is not Tab.CLOSED:
        text.append(" · pipeline ")
        text.append(money(s.weighted_usd), style="bold")
    if view.expiring_48h:
        text.append(" · ")
        text.append(f"⚠ {view.expiring_48h:,} expire{'s' if view.expiring_48h == 1 else ''} in 48 h", style="bold reverse")
    if view.marked:
        text.append(" · ")
        text.append(f"{view.marked} marked", style="bold")
    return text


class PipelineSummary(Static):
    """One line above the grid; ``show(view)`` replaces it."""

    DEFAULT_CSS = """
    PipelineSummary { height: 1; width: 1fr; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, **kw) -> None:
        super().__init__("", **kw)
        self.view: SummaryView | None = None

    def show(self, view: SummaryView) -> None:
        if view == self.view:
            return
        self.view = view
        self.update(summary_text(view), layout=False)  # one line of a fixed size: no layout of the screen


class SyncLine(Static):
    """The line under the summary while sync with Partner Center is in use: last pull, queued
    changes, refusals, conflicts (``SyncWatch.header_line``). Hidden otherwise: a database that
    never syncs says nothing about it."""

    DEFAULT_CSS = """
    SyncLine { height: 1; width: 1fr; padding: 0 1; color: $text-muted; display: none; }
    SyncLine.-shown { display: block; }
    """

    def on_mount(self) -> None:
        from tui.sync_watch import watch_of

        watch = watch_of(self.app)
        if watch is not None:
            watch.changed.subscribe(self, lambda _summary: self.show())
        self.show()

    def on_unmount(self) -> None:
        from tui.sync_watch import watch_of

        watch = watch_of(self.app)
        if watch is not None:
            watch.changed.unsubscribe(self)

    def show(self) -> None:
        from tui.sync_watch import watch_of

        watch = watch_of(self.app)
        line = watch.header_line(self.app.ctx.clock.now()) if watch is not None else ""
        self.set_class(bool(line), "-shown")
        self.update(Text(line, no_wrap=True, overflow="ellipsis"))
