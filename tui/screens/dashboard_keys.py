"""The dashboard's keys, each with an id a ``[keymap]`` entry can remap and a tooltip the help shows.

Deal keys (``deal_action(...)``) are listed in the footer only when the model allows the deal
under the cursor the action (``tui.deal_keys``); with rows marked, the marked-row actions are.
"""
from __future__ import annotations

from textual.binding import Binding

_TABS = Binding.Group("Tabs", compact=True)
_ACT = Binding.Group("Act", compact=True)
_QUICK = Binding.Group("Quick", compact=True)

DASHBOARD_BINDINGS = [
    Binding("1", "show_tab('inbound')", "Inbound", id="tab.inbound", group=_TABS,
            tooltip="Deals sent to you (R3.1)"),
    Binding("2", "show_tab('outbound')", "Outbound", id="tab.outbound", group=_TABS,
            tooltip="Deals you created (R3.2)"),
    Binding("3", "show_tab('favorites')", "Favorites", id="tab.favorites", group=_TABS,
            tooltip="Deals with a heart (R3.3)"),
    Binding("4", "show_tab('closed')", "Closed", id="tab.closed", group=_TABS,
            tooltip="Won, lost, declined, expired and error-closed deals (R8.14)"),
    Binding("enter", "open_deal", "Open", id="deal.open", tooltip="Open the deal: every field and its history"),
    # Priority: runs as the key arrives, so keys typed in the same burst (`/north` pasted, or
    # batched over SSH) already find the filter box focused instead of firing n, r, t...
    Binding("slash", "filter", "Filter", id="view.filter", priority=True,
            tooltip="Filter as you type over deal name, customer, CRM ID and notes; enter goes to the first "
                    "match (opens it when it is the only one)"),
    Binding("e", "toggle_expiring", "Expiring", id="view.expiring", group=_QUICK,
            tooltip="Only received inbound deals expiring within 72 hours"),
    Binding("g", "cycle_stage", "Stage", id="view.stage", group=_QUICK,
            tooltip="Quick filter: cycle through the stages"),
    Binding("t", "cycle_kind", "Kind", id="view.kind", group=_QUICK,
            tooltip="Quick filter: IP co-sell, services co-sell, IP and services co-sell, solution assessment"),
    Binding("R", "toggle_reporting", "Needs reporting", id="view.needs_reporting", group=_QUICK, show=False,
            tooltip="Quick filter: open deals past their close date, won/lost with no value (R13.3)"),
    Binding("percent_sign", "show_stats", "Stats", id="view.stats", show=False, key_display="%",
            tooltip="Answer time, accept rate and what needs reporting (R13); S is sync"),
    Binding("c", "choose_columns", "Columns", id="view.columns", tooltip="Choose the grid's columns (R11.3)"),
    Binding("f", "deal_action('favorite')", "♥", id="deal.favorite",
            tooltip="Toggle the heart (every marked deal if some are marked)"),
    Binding("a", "deal_action('accept')", "Accept", id="deal.accept", group=_ACT,
            tooltip="Accept the received deal (R8.3)"),
    Binding("d", "deal_action('decline')", "Decline", id="deal.decline", group=_ACT,
            tooltip="Decline with a reason (R8.4); every marked deal if some are marked"),
    Binding("greater_than_sign", "deal_action('stage')", "Next stage", id="deal.next_stage", group=_ACT,
            tooltip="Mark the next sales stage (R8.7)"),
    Binding("w", "deal_action('won')", "Won", id="deal.won", group=_ACT,
            tooltip="Mark won: only after every earlier stage (R8.9)"),
    Binding("l", "deal_action('lost')", "Lost", id="deal.lost", group=_ACT,
            tooltip="Mark lost with a reason (R8.11); every marked deal if some are marked"),
    Binding("x", "deal_action('error')", "Close as error", id="deal.error", group=_ACT,
            tooltip="Close as error, a reason optional (R8.13); every marked deal if some are marked"),
    Binding("r", "deal_action('register')", "Register", id="deal.register", group=_ACT,
            tooltip="Register a won deal (R10)"),
    Binding("n", "new_deal", "New", id="deal.new", tooltip="Create a deal (new-deal wizard)"),
    Binding("escape", "back_out", "Clear", id="view.clear", tooltip="Clear the filter, quick filters and marks"),
]

#: The footer is one line (the grid keeps its rows at 80x24): when the keys do not fit, these
#: are left out first, in this order; the deal keys, the heart and `?` (every key) stay longest.
FOOTER_DROP_FIRST = (
    "app.palette", "view.columns", "view.sort", "app.quit", "Quick", "deal.new", "deal.mark", "Tabs",
    "view.filter", "deal.open", "view.clear", "deal.favorite",
)
