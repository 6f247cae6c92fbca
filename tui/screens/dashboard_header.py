"""The dashboard's header: the tab counts, the summary line ("N open deals · M matches · ..."),
the quick filters shown, and who you are.

A mixin of ``DashboardScreen``. The numbers come from two reads that run apart: the grid's
(its rows and their count, which is the "N matches") and the summary's (every tab's count and
the shown tab's totals). Each reload asks for both, and the header changes only once both
answers of that reload are in, so it never shows a match count from after a change beside a
tab count from before it ("25,673 match" of 25,672 deals). Right after an action went through,
the header is corrected at once from the saved deal (``moved``), before the reload confirms it.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from rich.text import Text
from textual import work
from textual.widgets import Static, Tab as TabWidget

from model import services as svc
from model.services.queries import tab_counts
from model.domain.enums import Tab
from model.domain.listing import DealQuery, TabSummary
from model.domain.schemas import Deal, DealRow
from tui.service_call import in_thread
from tui.text import literal
from tui.widgets.pipeline_summary import PipelineSummary, SummaryView
from tui.widgets.worker_groups import DASHBOARD_SUMMARY

TAB_ORDER = (Tab.INBOUND, Tab.OUTBOUND, Tab.FAVORITES, Tab.CLOSED)


@dataclass
class HeaderNumbers:
    """What the header shows, all from the same moment."""

    counts: dict[Tab, int] = field(default_factory=dict)
    tab: Tab = Tab.INBOUND        # the tab ``summary`` is of
    summary: TabSummary | None = None
    expiring_48h: int = 0
    matching: int | None = None   # the grid's count (rows and count are one read)


def tab_title(tab: Tab) -> str:
    return tab.value.capitalize()


def summaries(ctx, tab: Tab) -> tuple[dict[Tab, int], TabSummary, int]:
    """Every tab's count (one read), the shown tab's totals and the inbound deals expiring within 48 h."""
    counts = tab_counts(ctx)
    summary = svc.tab_summary(ctx, DealQuery(tab=tab))
    inbound = summary if tab is Tab.INBOUND else svc.tab_summary(ctx, DealQuery(tab=Tab.INBOUND))
    return counts, summary, inbound.expiring_48h


class DashboardHeader:
    """Header state of ``DashboardScreen`` (it supplies ``tab``, ``table``, ``_filtered``)."""

    def _init_header(self) -> None:
        self._shown = HeaderNumbers()
        self._incoming = HeaderNumbers()
        self._waiting: set[str] = set()     # "rows", "summary": the answers this reload still waits for
        self._summary_generation = 0

    # -- asking ---------------------------------------------------------------------------
    def _expect(self, *parts: str) -> None:
        """A reload started: the header waits for these answers before it changes."""
        self._waiting.update(parts)

    def _load_summary(self) -> None:
        self._expect("summary")
        self._summary_generation += 1
        self._summary_worker(self.app.ctx, self._summary_generation, self.tab)

    @work(exclusive=True, group=DASHBOARD_SUMMARY)
    async def _summary_worker(self, ctx, generation: int, tab: Tab) -> None:
        counts, summary, expiring_48h = await in_thread(self, summaries, ctx, tab)
        if generation != self._summary_generation:
            return  # the tab or the data changed meanwhile: a newer summary is coming
        incoming = self._incoming
        incoming.counts, incoming.tab, incoming.summary, incoming.expiring_48h = counts, tab, summary, expiring_48h
        self._arrived("summary")

    def _rows_counted(self, total: int) -> None:
        self._incoming.matching = total
        self._arrived("rows")

    def _arrived(self, part: str) -> None:
        self._waiting.discard(part)
        if self._waiting:
            return  # the other half of this reload is still coming: keep showing one moment
        self._shown = replace(self._incoming, counts=dict(self._incoming.counts))
        self._paint_header()

    # -- right after an action ----------------------------------------------------------------
    def moved(self, before: DealRow, after: Deal, *, left_view: bool) -> None:
        """Correct the shown counts at once for one saved deal (the reload that follows confirms them).

        ``before`` was listed on the shown tab, so that is the tab it left when ``after.tab`` is another;
        on Favorites (a tag, not a tab) only the heart's count is corrected here.
        """
        shown = self._shown
        counts = shown.counts
        if counts and self.tab is not Tab.FAVORITES and after.tab is not self.tab:
            counts[self.tab] = max(counts.get(self.tab, 0) - 1, 0)
            counts[after.tab] = counts.get(after.tab, 0) + 1
        if counts and before.favorite != after.favorite:
            counts[Tab.FAVORITES] = max(counts.get(Tab.FAVORITES, 0) + (1 if after.favorite else -1), 0)
        if left_view and shown.matching is not None:
            shown.matching = max(shown.matching - 1, 0)
        if shown.summary is not None and shown.tab in counts:
            shown.summary = replace(shown.summary, count=counts[shown.tab])
        self._paint_header()

    # -- drawing --------------------------------------------------------------------------------
    def _paint_header(self) -> None:
        shown = self._shown
        for t in TAB_ORDER:
            if t in shown.counts:
                tab, label = self.query_one(f"#tab-{t.value}", TabWidget), f"{tab_title(t)} {shown.counts[t]:,}"
                if tab.label.plain != label:  # a new label lays the tab bar out again and moves its underline
                    tab.label = label
        if shown.summary is None:
            return
        self.query_one(PipelineSummary).show(SummaryView(
            tab=shown.tab, summary=shown.summary, expiring_48h=shown.expiring_48h,
            matching=shown.matching if self._filtered else None, marked=len(self.table.marked)))

    def _show_identity(self) -> None:
        user = self.app.ctx.user
        scope = f"{user.location} scope" if user.location else "all locations"
        now = self.app.ctx.clock.now()
        text = Text(no_wrap=True, overflow="ellipsis", justify="right")
        text.append_text(literal(user.display_name or user.login, style="bold"))
        wide = self.size.width >= 110  # the filter box comes first on narrow terminals
        if wide:
            text.append(f" · {user.role.label}")
        text.append(" · ")
        text.append_text(literal(scope))
        text.append(f" · {now:%d %b %H:%M} UTC" if wide else f" · {now:%H:%M} UTC")
        self.query_one("#identity", Static).update(text)
