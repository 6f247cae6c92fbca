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


def summary_text(view: SummaryView, width: int | None = None) -> Text:
    """The header line, whole within ``width`` cells: what matters least goes first (the pipeline,
    the total, the word "deals", the tab's count, which the tab bar shows too), so the expiry
    warning, the match count and the marks are never cut; only what is left of them past that is."""
    parts = _summary_parts(view)
    for drop in ("pipeline", "total", "deals", "count"):
        text = _joined(parts)
        if width is None or text.cell_len <= width:
            return text
        if drop == "deals":  # "64 open deals" becomes "64 open"
            parts["count"] = _count(view, short=True)
        else:
            parts.pop(drop, None)
    return _joined(parts)


def _count(view: SummaryView, short: bool = False) -> Text:
    n = view.summary.count
    text = Text()
    text.append(f"{n:,}", style="bold")
    text.append(f" {_NOUN[view.tab]}" + ("" if short else f" deal{'s' if n != 1 else ''}"))
    return text


def _summary_parts(view: SummaryView) -> dict[str, Text]:
    """The header's parts, in the order shown."""
    s = view.summary
    parts = {"count": _count(view)}
    if view.matching is not None:
        parts["matching"] = Text(f"{view.matching:,} match{'' if view.matching == 1 else 'es'}", style="bold")
    parts["total"] = Text.assemble("total ", (money(s.total_usd), "bold"))
    if view.tab is not Tab.CLOSED:
        parts["pipeline"] = Text.assemble("pipeline ", (money(s.weighted_usd), "bold"))
    if view.expiring_48h:
        n = view.expiring_48h
        parts["expiring"] = Text(f"⚠ {n:,} expire{'s' if n == 1 else ''} in 48 h", style="bold reverse")
    if view.marked:
        parts["marked"] = Text(f"{view.marked:,} marked", style="bold")
    return parts


def _joined(parts: dict[str, Text]) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    for i, part in enumerate(parts.values()):
        if i:
            text.append(" · ")
        text.append_text(part)
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
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        if self.view is not None:  # one line of a fixed size: no layout of the screen
            self.update(summary_text(self.view, self.content_size.width or None), layout=False)


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
