"""The customer-search modal (R4): the first step of every new deal.

The user types a name (and optionally a city or country); results arrive in
three tabs (Microsoft Managed, Microsoft Unmanaged, Other (DUNS)) each with
its count, while they type. A managed customer with several Microsoft
records is one row whose linked records open with ``space``; any of them may
be chosen (R4.3). Whether an account may be chosen from a tab, and what the
choice means, is asked of ``model.domain.rules.customer`` and shown in its words:
federal accounts only from Other (R4.6); Unmanaged and Other make the deal
ineligible for registration (R4.4, R4.5) and fixed for good (R4.9), so
choosing from them takes a second ``enter`` after the consequences are shown.

Dismisses with ``(AccountTab, Account)``, a hand-typed ``Customer``, or None.
"""
from __future__ import annotations

from typing import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static, TabbedContent, TabPane

from model.domain.enums import AccountTab
from model.domain.rules.customer import customer_choice_notes, customer_choice_violations
from model.domain.schemas import Account
from model.services.accounts import SearchResult
from tui.matcher_service import LiveSearch, MatcherService
from tui.screens.customer_hits import (
    RESULT_TABS, SHORT_TABS_BELOW, Choice, ResultList, best_tab, tab_label, tab_options,
)
from tui.screens.customer_manual import ManualCustomerForm
from tui.screens.dialogs.type_ahead import TYPE_AHEAD_BINDINGS, Input, TypeAhead, focus_now
from tui.text import literal


class CustomerSearchScreen(TypeAhead, ModalScreen[Choice | None]):
    CSS_PATH = "customer_search.tcss"
    BINDINGS = [
        *TYPE_AHEAD_BINDINGS,
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+r", "search_more", "Search more"),
        Binding("ctrl+t", "manual", "Enter manually", priority=True),  # as it is read: typing goes on there
        Binding("down", "focus_results", "Results", show=False),
        Binding("q", "ignore", show=False),  # not the app's quit: esc closes the search
    ]

    HOLDS_EARLY_KEYS = True  # what is typed while the search opens goes into the search box
    AUTO_FOCUS = ""  # the box is focused in on_mount, right before the held keys go into it, in order

    def __init__(self, matcher_provider: Callable, *, query: str = "", where: str = "", limit: int = 20,
                 typed_ahead: list | None = None):
        super().__init__()
        self.typed_ahead = list(typed_ahead or [])  # keys typed before the search opened (the wizard's)
        self.pick_on_answer = False  # enter was typed before the answer came: pick the only result then
        self.matcher_provider = matcher_provider
        self.initial_query = query
        self.initial_where = where
        self.more = False
        self.result: SearchResult | None = None
        self.expanded: set[str] = set()
        self.rows: dict[str, tuple[AccountTab, Account]] = {}
        self.pending: str | None = None  # option id awaiting a second enter (Unmanaged/Other)
        self.search = LiveSearch(self, matcher_provider, self._show_result, self._show_failure, limit=limit)

    # -- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(id="search-dialog"):
            yield Static("Choose the customer (R4.1): type the name, and a city or country if you like",
                         id="search-title")
            with Horizontal(id="search-inputs"):
                yield Input(self.initial_query, placeholder="Customer name", id="q", compact=True, max_length=300)
                yield Input(self.initial_where, placeholder="City or country", id="where",
                            compact=True, max_length=120)
            yield Static("", id="search-status")
            with TabbedContent(id="result-tabs"):
                for tab in RESULT_TABS:
                    with TabPane(tab_label(tab, None, short=self._short_tabs()), id=f"pane-{tab.value}"):
                        yield ResultList(id=f"list-{tab.value}")
            yield ManualCustomerForm(id="manual-form")
            yield Static("", id="choice-notes")
        yield Footer(show_command_palette=False)  # ^p is listed once, as the app key

    @property
    def service(self) -> MatcherService | None:
        """The app's matcher service, when the provider is its getter (then the index can be built early)."""
        owner = getattr(self.matcher_provider, "__self__", None)
        return owner if isinstance(owner, MatcherService) else None

    def on_mount(self) -> None:
        box = self.query_one("#q", Input)
        focus_now(box)
        for key in self.typed_ahead + self.release_early_keys():  # in the order they were typed
            box.post_message(key)
        if self.service is not None:
            self.service.prewarm(self.app)  # build the index while the user types the first letters
        self._status()
        if self.initial_query.strip():
            self._ask()

    # -- searching ------------------------------------------------------------------------
    @on(Input.Changed, "#q, #where")
    def _typed(self, event: Input.Changed) -> None:
        self._ask()

    def _ask(self) -> None:
        query = self.query_one("#q", Input).value
        where = self.query_one("#where", Input).value
        self.pending = None
        if not query.strip():
            self.search.ask("", more=self.more)  # newest question: an empty one, which clears the lists
        else:
            self.search.ask(query, city_or_country=where, more=self.more)
        self._status()

    def _show_result(self, result: SearchResult) -> None:
        self.result = result
        self._render_lists()
        best = best_tab(result)  # open where the best match is, not always on Managed (issue 13)
        if best is not None and best is not self._active_tab():
            self.query_one(TabbedContent).active = f"pane-{best.value}"
        self._status()
        self._notes()
        if self.pick_on_answer and not self.search.busy:
            self.pick_on_answer = False
            self._pick_only()

    def _show_failure(self, exc: BaseException) -> None:
        self.pick_on_answer = False
        self.query_one("#search-status", Static).update(
            literal(f"The customer search failed: {exc}. You can still enter the customer manually (ctrl+t).",
                    style="bold red"))

    def _status(self) -> None:
        status = self.query_one("#search-status", Static)
        more = " · search more: on (looser matching, more results)" if self.more else ""
        query = self.query_one("#q", Input).value.strip()
        if self.search.busy and query:
            building = self.service is not None and not self.service.ready
            status.update(Text("Building the customer index (once per session)…" if building
                               else f"Searching…{more}", style="dim"))
        elif not query:
            status.update(Text("Type a customer name: misspellings, Ltd/Inc/AB variants and abbreviations are "
                               "all found.", style="dim"))
        elif self.result is not None and not any(self.result.tabs.values()):
            status.update(Text(f"No matches.{more} Try ctrl+r (search more) or ctrl+t (enter manually).",
                               style="yellow"))
        else:
            total = sum(self.result.counts.values()) if self.result else 0
            noun = "account" if total == 1 else "accounts"
            status.update(Text(f"{total} matching {noun}{more} · ↓ results · ←/→ tabs · enter chooses",
                               style="dim"))

    def _render_lists(self) -> None:
        result = self.result
        self.rows = {}
        self._label_tabs()
        for tab in RESULT_TABS:
            olist = self.query_one(f"#list-{tab.value}", ResultList)
            keep = olist.highlighted_option.id if olist.highlighted_option else None
            options = tab_options(tab, result, self.expanded, self.rows)
            olist.set_options(options)
            if keep and keep in self.rows and any(o.id == keep for o in options):
                olist.highlighted = olist.get_option_index(keep)
            elif options:
                olist.highlighted = 0

    def _short_tabs(self) -> bool:
        return self.app.size.width < SHORT_TABS_BELOW

    def _label_tabs(self) -> None:
        """Each tab's count and best score (issue 13), short enough for three tabs on one line."""
        tabbed = self.query_one(TabbedContent)
        for tab in RESULT_TABS:
            label = tab_label(tab, self.result, short=self._short_tabs())
            if tabbed.get_tab(f"pane-{tab.value}").label.plain != label:
                tabbed.get_tab(f"pane-{tab.value}").label = label

    def on_resize(self) -> None:
        try:
            self._label_tabs()  # relabel for the new width
        except NoMatches:  # the tabs are not composed yet: they start with the right labels
            pass

    # -- the choice -----------------------------------------------------------------------
    def _active_tab(self) -> AccountTab:
        active = self.query_one(TabbedContent).active or "pane-managed"
        return AccountTab(active.removeprefix("pane-"))

    def _active_list(self) -> ResultList:
        return self.query_one(f"#list-{self._active_tab().value}", ResultList)

    def _highlighted(self) -> tuple[str, AccountTab, Account] | None:
        option = self._active_list().highlighted_option
        if option is None or option.id not in self.rows:
            return None
        tab, account = self.rows[option.id]
        return option.id, tab, account

    def _notes(self) -> None:
        """What choosing the highlighted account would mean, in the model's words."""
        notes = self.query_one("#choice-notes", Static)
        current = self._highlighted()
        if current is None:
            notes.update("")
            return
        oid, tab, account = current
        text = Text()
        text.append_text(literal(account.name, style="bold"))
        text.append(" ")
        text.append_text(literal(f"#{account.account_id}", style="dim"))
        text.append(f" · {tab.label}")
        text.append(" · MACC contract: " + ("yes (R4.7)" if account.macc else "no"))
        if account.federal:
            text.append(" · federal")
        for v in customer_choice_violations(tab, account):
            text.append("\n✗ ", style="bold red")
            text.append_text(literal(f"{v.message} ({v.rule})", style="red"))
        for note in customer_choice_notes(tab):
            text.append("\n! ", style="bold yellow")
            text.append_text(literal(note[:1].upper() + note[1:], style="yellow"))
        if self.pending == oid:
            text.append("\nPress enter again to choose this account, or move on.", style="bold")
        notes.update(text)

    @on(OptionList.OptionHighlighted)
    def _highlight(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id and event.option_list.id.startswith("list-"):
            if self.pending != event.option.id:
                self.pending = None
            self._notes()

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.pending = None
        self._notes()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        oid = event.option.id
        if oid not in self.rows:
            return
        tab, account = self.rows[oid]
        if customer_choice_violations(tab, account):
            self.pending = None
            self._notes()  # shows why not (R4.6)
            self.app.bell()
            return
        if customer_choice_notes(tab) and self.pending != oid:
            self.pending = oid  # R4.4/R4.5/R4.9: the consequences first, then a second enter
            self._notes()
            return
        self.dismiss((tab, account))

    # -- actions --------------------------------------------------------------------------
    def action_toggle_linked(self) -> None:
        current = self._highlighted()
        if current is None:
            return
        _, tab, account = current
        hits = self.result.tabs.get(tab, []) if self.result else []
        hit = next((h for h in hits if h.account.account_id == account.account_id), None)
        if hit is None or not hit.linked:
            return
        self.expanded ^= {account.account_id}
        self._render_lists()

    def _switch(self, step: int) -> None:
        """The next result tab that has rows (any tab, when none has)."""
        tabs = list(RESULT_TABS)
        filled = [t for t in tabs if self.result and self.result.tabs.get(t)]
        i = tabs.index(self._active_tab())
        for _ in tabs:
            i = (i + step) % len(tabs)
            if not filled or tabs[i] in filled:
                break
        self.query_one(TabbedContent).active = f"pane-{tabs[i].value}"
        focus_now(self.query_one(f"#list-{tabs[i].value}", ResultList))

    def action_next_tab(self) -> None:
        self._switch(1)

    def action_previous_tab(self) -> None:
        self._switch(-1)

    def action_focus_results(self) -> None:
        if isinstance(self.focused, Input) and not self.has_class("-manual"):
            focus_now(self._active_list())

    @on(Input.Submitted, "#q, #where")
    def _submitted(self) -> None:
        """enter in a search box: the only result is picked (as enter on it would); else to the results.
        Typed before the answer to what was typed came in, it waits for that answer."""
        if self.search.busy:
            self.pick_on_answer = True
            return
        self._pick_only()

    def _pick_only(self) -> None:
        results = self._active_list()
        focus_now(results)
        if len(self.rows) == 1 and results.option_count == 1:
            results.highlighted = 0
            results.action_select()

    def action_search_more(self) -> None:
        """R4.8: looser matching and more results; pressed again, back to normal."""
        self.more = not self.more
        self._ask()

    def action_manual(self) -> None:
        self.set_class(True, "-manual")
        self.query_one(ManualCustomerForm).start(self.query_one("#q", Input).value, self.query_one("#where", Input).value)

    @on(ManualCustomerForm.Chosen)
    def _manual_chosen(self, event: ManualCustomerForm.Chosen) -> None:
        self.dismiss(event.customer)

    def action_ignore(self) -> None:
        """Keys the modal swallows on purpose."""

    def action_cancel(self) -> None:
        if self.has_class("-manual"):
            self.set_class(False, "-manual")
            focus_now(self.query_one("#q", Input))
            return
        self.dismiss(None)
