"""Issue 13's morning triage: after an action the list and its counts change at once, from the
same change, and the cursor is on the next deal waiting for an answer (R8.2: answer within 14 days).

"At once" is tested while the re-reads that follow every action are held (``held_reads``): what
the screen shows then is what it did with the saved deal alone, before any reload came back.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

import pytest

from dashboard_support import (  # noqa: F401  (config_dir: autouse fixture)
    bulk_deals, config_dir, make_app, pilot_test, screen_text, settle, table_of,
)
from detail_support import put_inbound, wait_until
from model import services as svc
from model.domain.enums import Substatus, Tab
from model.domain.listing import DealQuery
from tui.screens.dialogs import AcceptDialog, ConfirmDialog, ReasonDialog


class HeldReads:
    """While ``hold`` is on, the worker threads' list, count and summary reads (``store.snapshot``) wait."""

    def __init__(self, monkeypatch, store):
        self.gate = threading.Event()
        self.gate.set()
        real = store.snapshot

        @contextmanager
        def snapshot():
            if threading.current_thread() is not threading.main_thread():
                self.gate.wait(10)
            with real() as session:
                yield session

        monkeypatch.setattr(store, "snapshot", snapshot)

    def hold(self) -> None:
        self.gate.clear()

    def release(self) -> None:
        self.gate.set()


@pytest.fixture
def held_reads(monkeypatch, store):
    held = HeldReads(monkeypatch, store)
    yield held
    held.release()


def tab_label(app, tab: Tab) -> str:
    from textual.widgets import Tab as TabWidget

    return str(app.screen.query_one(f"#tab-{tab.value}", TabWidget).label)


def store_count(ctx, tab: Tab) -> int:
    return svc.count_deals(ctx, DealQuery(tab=tab))


async def wait_action_done(pilot) -> None:
    await wait_until(pilot, lambda: type(pilot.app.screen).__name__ == "DashboardScreen"
                     and not pilot.app.screen._action_running, what="action finished")


def received_index(table, after: int) -> int:
    return next(i for i, r in enumerate(table.loaded_rows())
                if i > after and r.substatus in (Substatus.RECEIVED, Substatus.PENDING))


@pilot_test
async def test_after_accept_the_row_updates_at_once_and_the_cursor_is_on_the_next_received_deal(ctx, held_reads):
    bulk_deals(ctx.store, 300)  # received and accepted inbound deals interleaved by expiry
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = table_of(app)
        first = received_index(table, -1)
        table.move_to(first)
        row = table.cursor_deal
        expected_next = table.row_at(received_index(table, first))
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, AcceptDialog), what="accept form")
        held_reads.hold()
        await pilot.press("ctrl+s")
        await wait_action_done(pilot)
        assert svc.get_deal(ctx, row.id).substatus is Substatus.ACCEPTED
        # Before any reload came back: the row shows Accepted and the cursor moved on to the next received deal.
        assert table.row_at(first).id == row.id and table.row_at(first).substatus is Substatus.ACCEPTED
        assert table.cursor_deal.id == expected_next.id
        held_reads.release()
        await settle(pilot)
        assert table.cursor_deal.id == expected_next.id  # the reload keeps it there (the accepted deal moved)
        assert tab_label(app, Tab.INBOUND) == f"Inbound {store_count(ctx, Tab.INBOUND):,}"


@pilot_test
async def test_after_decline_the_row_leaves_and_the_tab_counts_change_at_once(ctx, held_reads):  # R8.4
    bulk_deals(ctx.store, 300)
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = table_of(app)
        first = received_index(table, -1)
        table.move_to(first)
        row, total = table.cursor_deal, table.total
        expected_next = table.row_at(received_index(table, first))
        inbound, closed = store_count(ctx, Tab.INBOUND), store_count(ctx, Tab.CLOSED)
        assert tab_label(app, Tab.INBOUND) == f"Inbound {inbound:,}"
        await pilot.press("d", "1", "ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="confirmation")
        held_reads.hold()
        await pilot.press("y")
        await wait_action_done(pilot)
        assert svc.get_deal(ctx, row.id).substatus is Substatus.DECLINED
        assert row.id not in {r.id for r in table.loaded_rows()} and table.total == total - 1
        assert row.name not in screen_text(app)
        assert table.cursor_deal.id == expected_next.id
        assert tab_label(app, Tab.INBOUND) == f"Inbound {inbound - 1:,}"
        assert tab_label(app, Tab.CLOSED) == f"Closed {closed + 1:,}"
        held_reads.release()
        await settle(pilot)
        assert table.cursor_deal.id == expected_next.id
        assert tab_label(app, Tab.INBOUND) == f"Inbound {store_count(ctx, Tab.INBOUND):,}" == f"Inbound {inbound - 1:,}"
        assert tab_label(app, Tab.CLOSED) == f"Closed {closed + 1:,}"


@pilot_test
async def test_bulk_decline_takes_every_marked_row_out_at_once(ctx, held_reads):  # R8.4
    for i in range(4):
        put_inbound(ctx, name=f"Inbound {i}")
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = table_of(app)
        last = table.loaded_rows()[3]
        await pilot.press("space", "space", "space", "d", "1", "ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="confirmation")
        held_reads.hold()
        await pilot.press("y")
        await wait_action_done(pilot)
        assert [r.id for r in table.loaded_rows()] == [last.id]
        assert table.cursor_deal.id == last.id and not table.marked
        assert tab_label(app, Tab.INBOUND) == "Inbound 1" and tab_label(app, Tab.CLOSED) == "Closed 3"
        held_reads.release()
        await settle(pilot)
        assert tab_label(app, Tab.INBOUND) == "Inbound 1" and tab_label(app, Tab.CLOSED) == "Closed 3"


@pilot_test
async def test_removing_the_heart_on_favorites_takes_the_row_out_at_once(ctx, held_reads):  # R3.3
    deals = [put_inbound(ctx, name=f"Inbound {i}") for i in range(3)]
    for deal in deals:
        svc.set_favorite(ctx, deal.id)
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        table = table_of(app)
        gone = table.cursor_deal
        held_reads.hold()
        await pilot.press("f")
        await wait_action_done(pilot)
        assert not svc.get_deal(ctx, gone.id).favorite
        assert gone.id not in {r.id for r in table.loaded_rows()} and table.total == 2
        assert tab_label(app, Tab.FAVORITES) == "Favorites 2"
        held_reads.release()
        await settle(pilot)
        assert tab_label(app, Tab.FAVORITES) == "Favorites 2" and table.total == 2


@pilot_test
async def test_tab_counts_follow_each_action_never_one_behind(ctx):  # R8.3, R8.4, R3.3
    bulk_deals(ctx.store, 200)
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = table_of(app)

        def labels_match_store() -> bool:
            return all(tab_label(app, t).endswith(f" {store_count(ctx, t):,}") for t in Tab)

        for keys in (("a", "ctrl+s"), ("d", "2", "ctrl+s", "y"), ("f",), ("d", "3", "ctrl+s", "y")):
            table.move_to(received_index(table, -1))
            for key in keys:
                await pilot.press(key)
                await pilot.pause(0.05)
            await wait_action_done(pilot)
            await settle(pilot)
            assert labels_match_store(), [tab_label(app, t) for t in Tab]


@pilot_test
async def test_match_count_and_tab_count_change_together(ctx, monkeypatch):
    """The "N matches" (the grid's read) and "N open deals" (the summary's) are never from two moments."""
    import tui.screens.dashboard_header as header_module

    ids = bulk_deals(ctx.store, 120)
    gate = threading.Event()
    gate.set()
    real = header_module.summaries

    def summaries(ctx, tab):
        gate.wait(10)
        return real(ctx, tab)

    monkeypatch.setattr(header_module, "summaries", summaries)
    app = make_app(ctx)
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(pilot)
            await pilot.press("slash", *"deal", "enter")
            await wait_until(pilot, lambda: table_of(app).query_spec.text == "deal", what="filter applied")
            await settle(pilot)
            before = store_count(ctx, Tab.INBOUND)
            header = screen_text(app).splitlines()[2]
            assert f"{before:,} open deals · {before:,} matches" in header, header
            victim = next(r for r in svc.list_deals(ctx, DealQuery(tab=Tab.INBOUND, limit=500))
                          if r.substatus is Substatus.RECEIVED and r.id in ids)
            svc.decline(ctx, victim.id, "Not a fit for our solutions")  # someone else, meanwhile
            gate.clear()
            app.refresh_deals()
            screen, table = app.screen, table_of(app)
            await wait_until(pilot, lambda: screen._waiting == {"summary"}, what="the grid's read, not the summary")
            assert table.total == before - 1  # the grid has its new rows and count...
            # ...but the header still shows one moment, the earlier one, until the summary's read is in too.
            assert f"{before:,} open deals · {before:,} matches" in screen_text(app).splitlines()[2]
            assert tab_label(app, Tab.INBOUND) == f"Inbound {before:,}"
            gate.set()
            await settle(pilot)
            after = before - 1
            assert f"{after:,} open deals · {after:,} matches" in screen_text(app).splitlines()[2]
            assert tab_label(app, Tab.INBOUND) == f"Inbound {after:,}"
    finally:
        gate.set()


@pilot_test
async def test_a_dropped_row_moves_the_loaded_rows_below_it_up_across_pages(ctx):
    from tui.widgets.deal_pages import PAGE

    bulk_deals(ctx.store, 900)
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = table_of(app)
        table.move_to(PAGE + 50)  # pages 0 and 1 in memory
        await settle(pilot)
        table.move_to(0)
        await settle(pilot)
        assert {0, 1} <= set(table.cache.pages)
        before, total = table.loaded_rows(), table.total
        victim = before[10]
        assert table.drop_row(victim.id)
        after = table.loaded_rows()
        assert [r.id for r in after] == [r.id for r in before if r.id != victim.id][:len(after)]
        assert table.row_at(PAGE - 1).id == before[PAGE].id and table.total == total - 1
        assert not {0, 1} & set(table.cache.keys)  # their first/last rows changed: asked for by position
        assert not table.drop_row(victim.id)  # already gone
        await settle(pilot)
