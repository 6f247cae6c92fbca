"""The store behaves the same on SQLite and PostgreSQL (run the suite with
COSELL_TEST_DATABASE_URL=postgresql+psycopg://... for the second): text search,
the change counter other dashboards poll, schema creation by several processes at
once, and writers waiting for each other instead of failing."""
from __future__ import annotations

import threading
import time

import pytest

from model import services as svc
from model.domain.enums import Tab
from model.domain.errors import RuleViolation
from model.store import engine as store_engine
from model.store import open_store
from model.domain.listing import DealQuery
from model.store.tables import SCHEMA_VERSION, Base
from shared_support import make_draft


def test_search_treats_percent_and_underscore_as_characters(ctx):
    svc.create_deal(ctx, make_draft(name="Spring promo 50% off_seats"))
    svc.create_deal(ctx, make_draft(name="Spring promo 50 percent offXseats"))

    def names(text):
        return sorted(r.name for r in svc.list_deals(ctx, DealQuery(tab=Tab.OUTBOUND, text=text)))

    assert names("50%") == ["Spring promo 50% off_seats"]
    assert names("off_seats") == ["Spring promo 50% off_seats"]
    assert names("SPRING promo") == ["Spring promo 50 percent offXseats", "Spring promo 50% off_seats"]
    assert names("spring autumn") == []


def test_the_change_counter_ticks_once_per_committed_write_only(ctx):
    start = ctx.store.change_counter()
    deal = svc.create_deal(ctx, make_draft())
    assert ctx.store.change_counter() == start + 1
    svc.get_deal(ctx, deal.id)
    svc.list_deals(ctx, DealQuery(tab=Tab.OUTBOUND))
    assert ctx.store.change_counter() == start + 1  # reads do not count
    svc.set_favorite(ctx, deal.id, True)
    svc.set_favorite(ctx, deal.id, True)  # already a favorite: nothing written
    assert ctx.store.change_counter() == start + 2
    with pytest.raises(RuleViolation):
        svc.won(ctx, deal.id)  # refused (R8.9): rolled back, not counted
    svc.add_note(ctx, deal.id, "hello")
    assert ctx.store.change_counter() == start + 3
    # another Store (another process's view) sees the same number
    other = open_store(ctx.store.url, create=False)
    try:
        assert other.change_counter() == start + 3
    finally:
        other.dispose()


def test_several_processes_creating_the_schema_at_once(store, tmp_path):
    url = store.url
    if store.is_sqlite:
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
    else:
        Base.metadata.drop_all(store.engine)
    errors, barrier = [], threading.Barrier(4)

    def first_open():
        barrier.wait()
        try:
            open_store(url).dispose()
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            errors.append(exc)

    threads = [threading.Thread(target=first_open) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    fresh = open_store(url, create=False)
    try:
        assert fresh.schema_version() == SCHEMA_VERSION and fresh.change_counter() == 0
    finally:
        fresh.dispose()


def test_a_writer_waits_for_a_long_transaction_instead_of_failing(ctx, monkeypatch):
    # A tiny busy timeout makes SQLite give up quickly, so the retry loop has to carry the wait.
    monkeypatch.setattr(store_engine, "BUSY_TIMEOUT_MS", 50)
    deal = svc.create_deal(ctx, make_draft())
    holder = open_store(ctx.store.url, create=False)
    writer = open_store(ctx.store.url, create=False)
    held = threading.Event()

    def hold_the_write_lock():
        with holder.write() as session:
            session.connection()
            held.set()
            time.sleep(1.0)

    t = threading.Thread(target=hold_the_write_lock)
    t.start()
    try:
        held.wait(5)
        started = time.perf_counter()
        result = svc.add_note(svc.Ctx(store=writer, clock=ctx.clock, user=ctx.user), deal.id, "waited my turn")
        waited = time.perf_counter() - started
    finally:
        t.join()
        holder.dispose()
        writer.dispose()
    assert result.notes[-1].text == "waited my turn"
    assert waited > 0.5  # it really queued behind the other writer
