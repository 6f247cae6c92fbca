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

What an action saved shows in the list at once (``dashboard_followup``); the header's
numbers change together, from one moment (``dashboard_header``); the quick filters are
``dashboard_filters``, the R13 keys ``dashboard_reporting``.
"""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Input, Static, Tab as TabWidget, Tabs

from model import services as svc
from model.domain.enums import DealKind, Tab
from model.domain.errors import CosellError
from model.domain.rules.lifecycle import Action
from model.domain.stages import Stage
from model.domain.listing import DealQuery
from tui.deal_actions import verdict
from tui.deal_keys import OffersDealActions
from tui.screens.dashboard_filters import QuickFilters
from tui.screens.dashboard_followup import ActionFollowUp
from tui.screens.dashboard_header import TAB_ORDER, DashboardHeader, tab_title
from tui.screens.dashboard_keys import DASHBOARD_BINDINGS, FOOTER_DROP_FIRST
from tui.screens.dashboard_reporting import ReportingFilter
from tui.marked_actions import BULK
from tui.service_call import in_thread
from tui.sync_watch import local_change
from tui.text import markup_safe
from tui.widgets.deal_table import DealTable
from tui.widgets.frame_pacing import SteadyFrames
from tui.widgets.key_footer import KeyFooter
from tui.widgets.pipeline_summary import PipelineSummary, SyncLine

EXPIRING_WINDOW = timedelta(hours=72)   # `e`: the R8.12/R8.2 "answer soon" band


class DashboardScreen(SteadyFrames, ReportingFilter, QuickFilters, DashboardHeader, ActionFollowUp, OffersDealActions,
                      Screen):
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
        self._init_header()
        self._activating: list[str] = []  # tab bar activations action_show_tab made (their echo is ignored)
        self._typed = ""   # the filter box's latest text (applied at once, or when the query in flight is back)
        self._action_running = False
        self._allowed: tuple[str, int, frozenset[Action]] | None = None  # (deal id, version, allowed actions)

    # -- layout ---------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        self.tab = self.app.settings.default_tab
        yield Tabs(*(TabWidget(tab_title(t), id=f"tab-{t.value}") for t in TAB_ORDER), id="tabs",
                   active=f"tab-{self.tab.value}")
        yield PipelineSummary(id="summary")
        yield SyncLine(id="sync-line")
        with Horizontal(id="filter-bar"):
            yield Input(placeholder="/ filter: name, customer, CRM ID, notes", id="filter", compact=True)
            yield Static(id="quick-filters")
            yield Static(id="identity")
        yield DealTable(id="deals")
        yield KeyFooter(drop_first=FOOTER_DROP_FIRST)

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
        return self._query_for(self.tab)

    def _query_for(self, tab: Tab) -> DealQuery:
        sort, desc = self._sorts.get(tab, (None, False))
        return DealQuery(tab=tab, text=self.text, stage=self.stage, kind=self.kind,
                         expiring_within=EXPIRING_WINDOW if self.expiring else None, sort=sort, descending=desc,
                         ids=self.reporting_ids)

    def _apply_query(self, cursor: int = 0, summary: bool = False) -> None:
        self._expect("rows")
        self.table.set_query(self.current_query(), self.app.settings.columns_for(self.tab), cursor=cursor)
        self._show_quick_filters()
        if summary:
            self._load_summary()
        self.refresh_bindings()

    def on_resize(self) -> None:
        self._show_identity()

    def reload_data(self) -> None:
        """Data changed: re-query the visible page and the header; cursor, filter and marks stay."""
        self._expect("rows")
        self.table.reload()
        self._load_summary()

    def _on_tick(self, _now) -> None:
        # Time moved: the countdowns and the "expire in 48 h"; under the expiring filter, its rows too.
        self._show_identity()
        if self.expiring:
            self.reload_data()
            return
        self.table.refresh()
        self._load_summary()

    # -- table events -----------------------------------------------------------------------
    @on(DealTable.Loaded)
    def _table_loaded(self, message: DealTable.Loaded) -> None:
        self._rows_counted(message.total)
        self._typed_meanwhile()
        self.after_submit()  # an enter in the filter box waited for these rows
        if not self.text.strip():  # the other tabs' first screens, so a switch draws at once (not while typing)
            self.table.read_ahead([(self._query_for(t), self._cursors.get(t, 0))
                                   for t in TAB_ORDER if t is not self.tab])
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
        self._paint_header()
        self.refresh_bindings()

    @on(DealTable.SortChanged)
    def _sort_changed(self, message: DealTable.SortChanged) -> None:
        self._sorts[self.tab] = (message.sort, message.descending)

    @on(DealTable.Selected)
    def _selected(self, message: DealTable.Selected) -> None:
        self._open(message.row.id)

    @on(Tabs.TabActivated)
    def _tab_clicked(self, message: Tabs.TabActivated) -> None:
        if message.tab.id in self._activating:
            self._activating.remove(message.tab.id)  # set by action_show_tab, which switched already
            return
        tab = Tab(message.tab.id.removeprefix("tab-"))
        if tab is not self.tab:
            self._switch(tab)

    # -- filter --------------------------------------------------------------------------------
    # Leading edge: a key runs its query at once when none is in flight; keys typed while one is
    # coalesce into one query of the latest text when it is back, so typing never queues queries and
    # never waits for a pause.
    @on(Input.Changed, "#filter")
    def _filter_typed(self, message: Input.Changed) -> None:
        self._typed = message.value
        if not self.table.fetching:
            self._set_text(message.value)

    def _typed_meanwhile(self) -> None:
        if self._typed != self.text and not self.table.fetching:
            self._set_text(self._typed)

    @on(DealTable.LoadFailed)
    def _table_load_failed(self) -> None:
        self._submitted = False  # no answer to wait for: an enter stays in the grid
        self._typed_meanwhile()  # a failed query (the app shows why) must not hold back what was typed

    def _set_text(self, value: str) -> None:
        self._typed = value
        if value != self.text:
            self.text = value
            self._apply_query(cursor=0)

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.filter_submitted()

    # -- actions: view --------------------------------------------------------------------------
    def action_show_tab(self, name: str) -> None:
        tab = Tab(name)
        if tab is not self.tab:
            self._switch(tab)  # now, not when the tab bar's TabActivated comes back
            bar = self.query_one(Tabs)
            if bar.active != f"tab-{tab.value}":
                self._activating.append(f"tab-{tab.value}")  # its TabActivated is this switch's echo
                bar.active = f"tab-{tab.value}"
        self.set_focus(self.table)

    def _switch(self, tab: Tab) -> None:
        self._cursors[self.tab] = self.table.cursor_row
        self.tab = tab
        self.table.clear_marks()
        self._apply_query(cursor=self._cursors.get(tab, 0), summary=True)

    def action_filter(self) -> None:
        self._submitted = False  # back in the box: a pending enter is taken back
        # Focus now, not after a refresh: keys typed right after `/` (pasted, or batched over SSH) must land in the box.
        self.set_focus(self.query_one("#filter", Input))

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
        bulk = dict(self.table.marked) if action in BULK else {}
        row = self.table.cursor_deal
        if not bulk and row is None:
            return
        self._action_running = True
        self._run_action(action, row, bulk)

    @work(group="deal-action")
    async def _run_action(self, action: Action, row, bulk: dict) -> None:
        """One action (or one on every marked row); what it saved shows in the list at once (``follow_up``)."""
        from tui.deal_actions import run_deal_action
        from tui.marked_actions import run_bulk_action

        try:
            if bulk:
                saved = await run_bulk_action(self, action, list(bulk))
                self.table.clear_marks()
                local_change(self.app)  # one push for the marked deals (single actions push in save_checked)
                self.follow_up(action, bulk, saved)
            else:
                deal = await run_deal_action(self, action, row.id, version=row.version)
                if deal is not None:
                    self.follow_up(action, {row.id: row}, [deal])
        finally:
            self._action_running = False
            self.reload_data()
