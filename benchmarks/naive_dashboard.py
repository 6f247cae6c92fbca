"""The naive dashboard the benchmarks compare cosell with (B1 start-up, B6 memory).

`python -m benchmarks.naive_dashboard --db PATH [--names]`: what a first
version would do: load every deal of the Inbound tab through the services into
a stock ``DataTable`` before the first frame, and (``--names``) hold every
account name in a Python list for ``rapidfuzz.process.extract``. Same data,
same columns, same clock as cosell; nothing here is used by cosell itself.
"""
from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.naive_dashboard")
    parser.add_argument("--db", required=True)
    parser.add_argument("--names", action="store_true", help="also hold every account name in memory")
    args = parser.parse_args(argv)

    from sqlalchemy import select
    from textual.app import App
    from textual.widgets import DataTable, Static

    from model import services as svc
    from model.clock import clock_from_env
    from model.domain.enums import Tab
    from model.identity import resolve_user
    from model.services.context import Ctx
    from model.store import open_store
    from model.domain.listing import DealQuery
    from model.store.tables import AccountRecord
    from tui.settings import DEFAULT_COLUMNS
    from tui.widgets.deal_columns import COLUMNS

    store = open_store(args.db)
    ctx = Ctx(store=store, clock=clock_from_env(), user=resolve_user(store))
    columns = [COLUMNS[k] for k in DEFAULT_COLUMNS[Tab.INBOUND.value]]

    class NaiveDashboard(App):
        BINDINGS = [("q", "quit", "Quit")]
        CSS = "#status { height: 1; } DataTable { height: 1fr; }"

        def compose(self):
            yield Static(id="status")
            yield DataTable(id="deals")

        def on_mount(self) -> None:
            now = ctx.clock.now()
            total = svc.count_deals(ctx, DealQuery(tab=Tab.INBOUND))
            deals = svc.list_deals(ctx, DealQuery(tab=Tab.INBOUND, limit=max(total, 1)))
            table = self.query_one(DataTable)
            table.add_columns(*(c.title for c in columns))
            table.add_rows([tuple(c.cell(d, now)[0] for c in columns) for d in deals])
            self.names: list[str] = []
            if args.names:
                with store.read() as session:
                    self.names = list(session.scalars(select(AccountRecord.name)))
            self.query_one("#status", Static).update(f"{len(deals):,} deals, {len(self.names):,} names")
            table.focus()

    NaiveDashboard().run()
    store.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
