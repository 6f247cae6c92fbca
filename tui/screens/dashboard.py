"""The deals dashboard: Inbound / Outbound / Favorites / Closed, triaged from the keyboard.

One ``DealTable`` shows the current tab; switching tabs, filtering and quick
filters only change its ``DealQuery``. The screen owns the keys that act on a
deal; the rules stay in the model: which deal keys the footer lists is what
``available_actions`` allows the deal under the cursor (asked off the UI
thread whenever the cursor lands on another deal or the deal changes), so a
closed deal offers the heart and, once won, registration (R8.14, R10.3), and
an outbound deal never offers accept. A key pressed anyway is asked of the
model again and answered with its reason (``tui.deal_actions``). With rows
marked, the marked-row actions (``tui.marked_actions.BULK``) act on all of them.
"""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static, Tab as TabWidget, Tabs

from model import services as svc
from model.domain.enums import DealKind, Tab
from model.domain.errors import CosellError
from model.domain.rules.lifecycle import Action
from model.domain.stages import Stage
from model.domain.listing import DealQuery, TabSummary
from tui.deal_actions import verdict
from tui.deal_keys import OffersDealActions
from tui.screens.dashboard_keys import DASHBOARD_BINDINGS
from tui.screens.dashboard_reporting import ReportingFilter
from tui.marked_actions import BULK
from tui.service_call import in_thread
from tui.sync_watch import local_change
from tui.text import literal, markup_safe
from tui.widgets.deal_table import DealTable
from tui.widgets.key_footer import KeyFooter
from tui.widgets.pipeline_summary import PipelineSummary, SummaryView, SyncLine

EXPIRING_WINDOW = timedelta(hours=72)   # `e`: the R8.12/R8.2 "answer soon" band
FILTER_DEBOUNCE = 0.08                   # seconds of quiet typing before the query runs

TAB_ORDER = (Tab.INBOUND, Tab.OUTBOUND, Tab.FAVORITES, Tab.CLOSED)
_STAGES = (None, *Stage)
_KINDS = (None, *DealKind)



class DashboardScreen(ReportingFilter, OffersDealActions, Screen):
    CSS_PATH = Path(__file__).with_suffix(".tcss")
    AUTO_FOCUS = "DealTable"

    BINDINGS = DASHBOARD_BINDINGS

    def __init__(self) -> None:
        super().__init__()
        self.tab: Tab = Tab.INBOUND
        self.text = ""
        self.stage: Stage | None = None
        self.kind: DealKind | None = None
        self.expiring = False
        self._sorts: dict[Tab, tuple[str | None, bool]] = {}
        self._cursors: dict[Tab, int] = {}
        self._matching: int | None = None
        self._summary_generation = 0
        self._last_summary: _SummaryState | None = None
        self._debounce: Timer | None = None
        self._action_running = False
        self._allowed: tuple[str, int, frozenset[Action]] | None = None  # (deal id, version, allowed actions)

    # -- layout ---------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        self.tab = self.app.settings.default_tab
        yield Tabs(*(TabWidget(_tab_title(t), id=f"tab-{t.value}") for t in TAB_ORDER), id="tabs",
                   active=f"tab-{self.tab.value}")
        yield PipelineSummary(id="summary")
        yield SyncLine(id="sync-line")
        with Horizontal(id="filter-bar"):
            yield Input(placeholder="/ filter: name, customer, CRM ID, notes", id="filter", compact=True)
            yield Static(id="quick-filters")
            yield Static(id="identity")
        yield DealTable(id="deals")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(Tabs).can_focus = False
        self._show_identity()
        self.app.deals_changed.subscribe(self, lambda _none: self.reload_data())
        self.app.clock_tick.subscribe(self, self._on_tick)
        self._apply_query(cursor=0, summary=True)
        self.table.focus()

    @property
    def table(self) -> DealTable:
        return self.query_one(DealTable)

    def current_query(self) -> DealQuery:
        sort, desc = self._sorts.get(self.tab, (None, False))
        return DealQuery(tab=self.tab, text=self.text, stage=self.stage, kind=self.kind,
                         expiring_within=EXPIRING_WINDOW if self.expiring else None, sort=sort, descending=desc,
                         ids=self.reporting_ids)

    def _apply_query(self, cursor: int = 0, summary: bool = False) -> None:
        self.table.set_query(self.current_query(), self.app.settings.columns_for(self.tab), cursor=cursor)
        self._show_quick_filters()
        if summary:
            self._load_summary()
        else:
            self._show_summary()
        self.refresh_bindings()

    def on_resize(self) -> None:
        self._show_identity()

    def reload_data(self) -> None:
        """Data changed: re-query the visible page and the header; cursor, filter and marks stay."""
        self.table.reload()
        self._load_summary()

    def _on_tick(self, _now) -> None:
        self.table.refresh()
        self._show_identity()
        self._load_summary()

    # -- header -------------------------------------------------------------------------
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

    def _load_summary(self) -> None:
        self._summary_generation += 1
        self._summary_worker(self.app.ctx, self._summary_generation, self.tab)

    @work(exclusive=True, group="dashboard-summary")
    async def _summary_worker(self, ctx, generation: int, tab: Tab) -> None:
        counts, summary, expiring_48h = await in_thread(self, _summaries, ctx, tab)
        if generation != self._summary_generation:
            return  # the tab or the data changed meanwhile: a newer summary is coming
        self._last_summary = _SummaryState(summary, expiring_48h)
        for t in TAB_ORDER:
            self.query_one(f"#tab-{t.value}", TabWidget).label = f"{_tab_title(t)} {counts[t]:,}"
        self._show_summary()

    def _show_summary(self) -> None:
        if self._last_summary is None:
            return
        self.query_one(PipelineSummary).show(SummaryView(
            tab=self.tab, summary=self._last_summary.summary, expiring_48h=self._last_summary.expiring_48h,
            matching=self._matching if self._filtered else None, marked=len(self.table.marked)))

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
        self.query_one("#quick-filters", Static).update(Text(" · ".join(parts), no_wrap=True))
        self.set_class(bool(parts), "-quick-filtered")

    # -- table events -----------------------------------------------------------------------
    @on(DealTable.Loaded)
    def _table_loaded(self, message: DealTable.Loaded) -> None:
        self._matching = message.total
        self._show_summary()
        self._ask_allowed()
        self.refresh_bindings()

    @on(DealTable.Highlighted)
    def _highlighted(self, message: DealTable.Highlighted) -> None:
        self._ask_allowed()

    # -- what the deal under the cursor may do (the footer lists that) -----------------------
    def _ask_allowed(self) -> None:
        row = self.table.cursor_deal
        if row is None:
            self._set_allowed(None)
        elif self._allowed is None or self._allowed[:2] != (row.id, row.version):
            self._allowed_worker(row.id, row.version)

    @work(exclusive=True, group="cursor-actions")
    async def _allowed_worker(self, deal_id: str, version: int) -> None:
        ctx = self.app.ctx
        try:
            deal = await in_thread(self, svc.get_deal, ctx, deal_id)
        except CosellError:  # gone or out of scope meanwhile: the next reload shows it
            self._set_allowed(None)
            return
        allowed = frozenset(action for action, why in verdict(ctx, deal).items() if not why)
        self._set_allowed((deal_id, version, allowed))

    def _set_allowed(self, allowed: tuple[str, int, frozenset[Action]] | None) -> None:
        before = self._allowed[2] if self._allowed else None
        self._allowed = allowed
        if (allowed[2] if allowed else None) != before:  # the footer redraws only when the keys change
            self.refresh_bindings()

    def offered_actions(self) -> frozenset[Action] | None:
        """The deal keys listed now: the cursor deal's allowed actions, and with marks the marked-row ones."""
        allowed = self._allowed[2] if self._allowed and self.table.cursor_deal is not None else frozenset()
        return allowed | BULK if self.table.marked else allowed

    @on(DealTable.MarksChanged)
    def _marks_changed(self) -> None:
        self._show_summary()
        self.refresh_bindings()

    @on(DealTable.SortChanged)
    def _sort_changed(self, message: DealTable.SortChanged) -> None:
        self._sorts[self.tab] = (message.sort, message.descending)

    @on(DealTable.Selected)
    def _selected(self, message: DealTable.Selected) -> None:
        self._open(message.row.id)

    @on(Tabs.TabActivated)
    def _tab_clicked(self, message: Tabs.TabActivated) -> None:
        tab = Tab(message.tab.id.removeprefix("tab-"))
        if tab is not self.tab:
            self._switch(tab)

    # -- filter --------------------------------------------------------------------------------
    @on(Input.Changed, "#filter")
    def _filter_typed(self, message: Input.Changed) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        value = message.value
        self._debounce = self.set_timer(FILTER_DEBOUNCE, lambda: self._set_text(value))

    def _set_text(self, value: str) -> None:
        if value != self.text:
            self.text = value
            self._apply_query(cursor=0)

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.set_focus(self.table)

    # -- actions: view --------------------------------------------------------------------------
    def action_show_tab(self, name: str) -> None:
        tab = Tab(name)
        if tab is not self.tab:
            self.query_one(Tabs).active = f"tab-{tab.value}"  # posts TabActivated → _switch
        self.set_focus(self.table)

    def _switch(self, tab: Tab) -> None:
        self._cursors[self.tab] = self.table.cursor_row
        self.tab = tab
        self.table.clear_marks()
        self._apply_query(cursor=self._cursors.get(tab, 0), summary=True)

    def action_filter(self) -> None:
        # Focus now, not after a refresh: keys typed right after `/` (pasted, or batched over SSH) must land in the box.
        self.set_focus(self.query_one("#filter", Input))

    def action_toggle_expiring(self) -> None:
        self.expiring = not self.expiring
        self._apply_query()

    def action_cycle_stage(self) -> None:
        self.stage = _STAGES[(_STAGES.index(self.stage) + 1) % len(_STAGES)]
        self._apply_query()

    def action_cycle_kind(self) -> None:
        self.kind = _KINDS[(_KINDS.index(self.kind) + 1) % len(_KINDS)]
        self._apply_query()

    def action_back_out(self) -> None:
        """esc: leave the filter box, then drop marks, then clear every filter."""
        box = self.query_one("#filter", Input)
        if box.has_focus:
            box.value = ""
            self._set_text("")
            self.set_focus(self.table)
        elif self.table.marked:
            self.table.clear_marks()
        elif self._filtered:
            box.value = ""
            self.text, self.stage, self.kind, self.expiring = "", None, None, False
            self.reporting_ids = None
            self._apply_query()

    def action_choose_columns(self) -> None:
        from tui.screens.columns import ColumnChooser

        tab = self.tab

        def chosen(columns: list[str] | None) -> None:
            if columns:
                self.app.settings.set_columns(tab, columns)
                if self.app.settings.save() is None:
                    self.notify("Columns changed for this session only: the settings file could not be read",
                                severity="warning")
                if tab is self.tab:
                    self.table.set_columns(self.app.settings.columns_for(tab))

        self.app.push_screen(ColumnChooser(tab, self.app.settings.columns_for(tab)), chosen)

    # -- actions: deals ----------------------------------------------------------------------------
    DEAL_ACTIONS = ("deal_action",)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "deal_action":
            # Every deal key runs when there is a deal to ask about; the model answers (see the module doc).
            if self.table.marked and Action(parameters[0]) in BULK:
                return True
            return None if self.table.cursor_deal is None else True
        if action == "filter":  # in the box, `/` is just a character
            return not self.query_one("#filter", Input).has_focus
        if action == "open_deal":
            return None if self.table.cursor_deal is None else True
        if action == "back_out":
            box = self.query_one("#filter", Input)
            return bool(box.has_focus or self._filtered or self.table.marked)
        return True

    def action_open_deal(self) -> None:
        row = self.table.cursor_deal
        if row is not None:
            self._open(row.id)

    def _open(self, deal_id: str) -> None:
        from tui.screens.deal_detail import DealDetailScreen

        self.app.push_screen(DealDetailScreen(deal_id), lambda _result: self.reload_data())

    def action_new_deal(self) -> None:
        from tui.screens.new_deal import NewDealWizard

        def created(deal) -> None:
            if deal is not None:
                self.notify(f"Created {markup_safe(deal.name)}", title="New deal")
                local_change(self.app)  # push it to Partner Center (when sync is set up)
                self.reload_data()
                self._open(deal.id)  # taken to the new deal (issue 13)

        self.app.push_screen(NewDealWizard(), created)

    def action_deal_action(self, name: str) -> None:
        action = Action(name)
        if self._action_running:
            return
        bulk = [r.id for r in self.table.marked.values()] if action in BULK else []
        row = self.table.cursor_deal
        if not bulk and row is None:
            return
        self._action_running = True
        self._run_action(action, row, bulk)

    @work(group="deal-action")
    async def _run_action(self, action: Action, row, bulk: list[str]) -> None:
        from tui.deal_actions import run_deal_action
        from tui.marked_actions import run_bulk_action

        try:
            if bulk:
                await run_bulk_action(self, action, bulk)
                self.table.clear_marks()
                local_change(self.app)  # one push for the marked deals (single actions push in save_checked)
            else:
                await run_deal_action(self, action, row.id, version=row.version)
        finally:
            self._action_running = False
            self.reload_data()


def _summaries(ctx, tab: Tab) -> tuple[dict[Tab, int], TabSummary, int]:
    """Every tab's count, the shown tab's totals and the inbound deals expiring within 48 h (one read)."""
    counts = {t: svc.count_deals(ctx, DealQuery(tab=t)) for t in TAB_ORDER}
    summary = svc.tab_summary(ctx, DealQuery(tab=tab))
    inbound = summary if tab is Tab.INBOUND else svc.tab_summary(ctx, DealQuery(tab=Tab.INBOUND))
    return counts, summary, inbound.expiring_48h


def _tab_title(tab: Tab) -> str:
    return tab.value.capitalize()


class _SummaryState:
    __slots__ = ("summary", "expiring_48h")

    def __init__(self, summary: TabSummary, expiring_48h: int) -> None:
        self.summary, self.expiring_48h = summary, expiring_48h
