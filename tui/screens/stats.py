"""R13 on one screen: how fast inbound deals were answered this week and this month (R13.1),
how selective the answers were (R13.2) and the deals that still need reporting (R13.3).

Opened from the dashboard with ``S`` (or the palette). The figures are the model's
(``model.domain.rules.stats``, the same as ``cosell stats``); the list is the deals that need
reporting, and ``enter`` opens one to report it. The screen re-reads when the deals change.
"""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from model.domain.errors import CosellError
from model.domain.rules.stats import Stats, format_duration, format_rate, reporting_gap
from model.services import stats as stats_svc
from tui.deal_actions import show_error
from tui.service_call import in_thread
from tui.text import literal

STATS_CSS = """
StatsScreen #stats-title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
StatsScreen #stats-figures { height: auto; padding: 0 1; margin-bottom: 1; }
StatsScreen #stats-reporting-title { height: 1; padding: 0 1; text-style: bold; }
StatsScreen #stats-reporting { height: 1fr; }
"""


def figures_text(stats: Stats) -> Text:
    """The R13.1/R13.2 table: one line a period, then what waits and what needs reporting."""
    text = Text()
    text.append(f"{'':<12}{'answered':>9}{'median answer':>15}{'accept rate':>13}{'accepted/declined':>19}"
                f"{'expired':>9}\n", style="dim")
    for p in stats.periods:
        text.append(f"{p.name:<12}{p.answered:>9}{format_duration(p.median_answer):>15}"
                    f"{format_rate(p.accept_rate):>13}{f'{p.accepted}/{p.declined}':>19}{p.expired:>9}\n")
    text.append("\n")
    text.append(f"{stats.waiting:,}", style="bold")
    text.append(f" inbound {'deal waits' if stats.waiting == 1 else 'deals wait'} for an answer: "
                "respond quickly (R13.1). Accept only what you can work (R13.2).\n")
    text.append(f"{stats.needs_reporting:,}", style="bold")
    text.append(f" {'deal needs' if stats.needs_reporting == 1 else 'deals need'} reporting: size, close date "
                "and outcome of every deal (R13.3).")
    return text


class StatsScreen(Screen):
    """R13's numbers and the deals that need reporting; ``esc`` goes back."""

    DEFAULT_CSS = STATS_CSS
    BINDINGS = [
        Binding("escape", "back", "Back", id="stats.back", tooltip="Back to the dashboard"),
        Binding("enter", "open_deal", "Open", id="stats.open", tooltip="Open the deal to report it (R13.3)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.stats: Stats | None = None
        self.rows: list = []

    def compose(self) -> ComposeResult:
        yield Static("Co-sell guidance in numbers (R13)", id="stats-title")
        yield Static("Counting…", id="stats-figures")
        yield Static("Needs reporting", id="stats-reporting-title")
        table = DataTable(id="stats-reporting", cursor_type="row", zebra_stripes=True)
        table.add_columns("Deal", "Customer", "Status", "Close date", "Why")
        yield table
        yield Footer(show_command_palette=False)  # ^p is listed once, as the app key

    def on_mount(self) -> None:
        changed = getattr(self.app, "deals_changed", None)
        if changed is not None:
            changed.subscribe(self, lambda _none: self.reload())
        self.query_one(DataTable).focus()
        self.reload()

    def on_unmount(self) -> None:
        changed = getattr(self.app, "deals_changed", None)
        if changed is not None:
            changed.unsubscribe(self)

    def reload(self) -> None:
        self.run_worker(self._load(), group="stats-load", exclusive=True)

    async def _load(self) -> None:
        ctx = self.app.ctx
        try:
            stats, rows = await in_thread(self, lambda: (stats_svc.stats(ctx), stats_svc.needs_reporting(ctx)))
        except CosellError as exc:
            show_error(self.app, exc)
            return
        self.stats, self.rows = stats, rows
        self.query_one("#stats-figures", Static).update(figures_text(stats))
        today = stats.now.date()
        table = self.query_one(DataTable)
        table.clear()
        for r in rows:
            why = reporting_gap(r.substatus, r.close_date, r.value, today) or ""
            table.add_row(literal(r.name), literal(r.customer_name), r.substatus.value,
                          r.close_date.isoformat() if r.close_date else "", Text(why.split(":")[0]), key=r.id)
        table.display = bool(rows)
        if not rows:
            self.query_one("#stats-reporting-title", Static).update("Needs reporting: nothing, every deal is reported")
        else:
            self.query_one("#stats-reporting-title", Static).update(f"Needs reporting ({len(rows):,})")

    def action_back(self) -> None:
        self.dismiss()

    def action_open_deal(self) -> None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row < 0 or table.cursor_row >= len(self.rows):
            return
        from tui.screens.deal_detail import DealDetailScreen

        self.app.push_screen(DealDetailScreen(self.rows[table.cursor_row].id), lambda _result: self.reload())

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_deal()
