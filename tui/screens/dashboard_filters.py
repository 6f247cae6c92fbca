"""The dashboard's quick filters: ``e`` expiring only, ``g`` stage, ``t`` kind, and ``esc`` to back out;
and ``enter`` in the filter box (to the grid's first row, or into the one deal that matches).

A mixin of ``DashboardScreen`` (it supplies ``table``, ``_apply_query``, ``current_query`` and the
filter box). Each quick filter only changes the ``DealQuery``; the store does the filtering and the
counting. ``g`` offers only the stages the deals in view are in (``stages_in_view``, asked off the
UI thread on each press, in stage-track order), so it never lands on a stage that shows nothing;
presses that come while it is asked are all counted.
"""
from __future__ import annotations

from rich.text import Text
from textual import work
from textual.widgets import Input, Static

from model.domain.enums import DealKind
from model.domain.errors import CosellError
from model.domain.listing import STAGE_TRACK
from model.domain.stages import Stage
from model.services.facets import stages_in_view
from tui.deal_actions import show_error
from tui.service_call import in_thread

_KINDS = (None, *DealKind)


def next_stage_filter(current: Stage | None, in_view: list[Stage]) -> Stage | None:
    """The stage ``g`` goes to: the first in view after ``current`` on the stage track; after the last, none."""
    order = {stage: i for i, stage in enumerate(STAGE_TRACK)}
    after = order.get(current, -1) if current is not None else -1
    return next((stage for stage in in_view if order.get(stage, -1) > after), None)


class QuickFilters:
    text: str = ""
    stage: Stage | None = None
    kind: DealKind | None = None
    expiring: bool = False
    _quick_shown = ""   # what #quick-filters shows

    @property
    def _filtered(self) -> bool:
        return bool(self.text.strip() or self.stage or self.kind or self.expiring or self.reporting_ids is not None)

    def _show_quick_filters(self) -> None:
        parts = []
        if self.stage:
            parts.append(f"stage: {self.stage.value}")
        if self.kind:
            parts.append(f"kind: {self.kind.label}")
        if self.expiring:
            parts.append("expiring ≤ 72 h")
        if self.reporting_ids is not None:
            parts.append("needs reporting (R13.3)")
        shown = " · ".join(parts)
        if shown != self._quick_shown:  # an update lays the filter bar out again
            self._quick_shown = shown
            self.query_one("#quick-filters", Static).update(Text(shown, no_wrap=True))
        self.set_class(bool(parts), "-quick-filtered")

    def action_toggle_expiring(self) -> None:
        self.expiring = not self.expiring
        self._apply_query()

    _stage_presses = 0

    def action_cycle_stage(self) -> None:
        self._stage_presses += 1
        if self._stage_presses == 1:
            self._stage_worker(self.app.ctx, self.current_query())

    @work(group="stages-in-view")
    async def _stage_worker(self, ctx, query) -> None:
        try:
            in_view = await in_thread(self, stages_in_view, ctx, query)
        except CosellError as exc:
            self._stage_presses = 0
            show_error(self.app, exc)
            return
        except BaseException:
            self._stage_presses = 0
            raise
        presses, self._stage_presses = self._stage_presses, 0
        stage = self.stage
        for _ in range(presses):
            stage = next_stage_filter(stage, in_view)
        if not in_view:
            self.notify("No deal in view has reached a stage yet (received deals have none, R8.5)",
                        title="Stage filter", markup=False)
        if stage is not self.stage:
            self.stage = stage
            self._apply_query()

    def action_cycle_kind(self) -> None:
        self.kind = _KINDS[(_KINDS.index(self.kind) + 1) % len(_KINDS)]
        self._apply_query()

    # -- enter in the filter box -------------------------------------------------------------
    _submitted = False   # enter was pressed in the filter box and waits for the answer to what was typed

    def filter_submitted(self) -> None:
        """enter in the filter box: to the grid's first row, and with exactly one deal matching, into it."""
        self.set_focus(self.table)
        self._submitted = True
        self.after_submit()

    def after_submit(self) -> None:
        """Finish an enter once the grid has the answer to the text typed (called again on each load)."""
        if not self._submitted or self.table.fetching or self._typed != self.text:
            return
        self._submitted = False
        if self.app.screen is not self:
            return  # something else was opened meanwhile
        self.table.action_first()
        if self.table.total == 1 and self.table.cursor_deal is not None:
            self._open(self.table.cursor_deal.id)

    def action_back_out(self) -> None:
        """esc: leave the filter box, then drop marks, then clear every filter."""
        self._submitted = False
        box = self.query_one("#filter", Input)
        if box.has_focus:
            box.value = ""
            self._set_text("")
            self.set_focus(self.table)
        elif self.table.marked:
            self.table.clear_marks()
        elif self._filtered:
            box.value = ""
            self._typed = ""  # what was typed is dropped with the filter (dashboard._typed_meanwhile)
            self.text, self.stage, self.kind, self.expiring = "", None, None, False
            self.reporting_ids = None
            self._apply_query()
