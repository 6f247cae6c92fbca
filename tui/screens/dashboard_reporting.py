"""The dashboard's R13 keys: ``S`` opens the stats screen (answer time, accept rate), ``R``
narrows the list to the deals that need reporting (R13.3: open past their close date, won or
lost with no value), on whichever tab is shown.

A mixin of ``DashboardScreen``, kept apart so the dashboard stays about the grid: the quick
filter is the model's list of ids (``model.services.stats.needs_reporting``) applied as the
query's ``ids``, so the grid, its count and its paging stay the store's work.
"""
from __future__ import annotations

from textual import work

from model.domain.errors import CosellError
from model.services import stats as stats_svc
from tui.deal_actions import show_error
from tui.service_call import in_thread

#: More than this many deals needing reporting is a backlog the stats screen lists; the filter shows these.
REPORTING_LIMIT = 5000


class ReportingFilter:
    """``reporting_ids``: None (no filter) or the ids of the deals that need reporting."""

    reporting_ids: list[str] | None = None

    def action_show_stats(self) -> None:
        from tui.screens.stats import StatsScreen

        self.app.push_screen(StatsScreen(), lambda _result: self.reload_data())

    def action_toggle_reporting(self) -> None:
        if self.reporting_ids is not None:
            self.reporting_ids = None
            self._apply_query()
            return
        self._load_reporting()

    @work(exclusive=True, group="needs-reporting")
    async def _load_reporting(self) -> None:
        ctx = self.app.ctx
        try:
            rows = await in_thread(self, stats_svc.needs_reporting, ctx, REPORTING_LIMIT)
        except CosellError as exc:
            show_error(self.app, exc)
            return
        self.reporting_ids = [r.id for r in rows]
        self._apply_query()
