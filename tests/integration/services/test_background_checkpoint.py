"""The dashboard's writes never pay for SQLite's WAL checkpoint (issue 10, B9d).

A long-lived store (``open_store(..., long_lived=True)``, the dashboard's) turns the checkpoint
inside commits off and copies the log on its own thread after writes; every other store keeps
SQLite's default. These tests use their own SQLite file whatever database the suite runs on.
"""
from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

from model.services.setup import open_store
from model.store import checkpoint

BIG = "x" * 40_000  # about ten pages a write


def _write_many(store, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        with store.write() as session:
            session.execute(text("INSERT INTO meta (key, value) VALUES (:k, :v)"), {"k": f"bench-{i}", "v": BIG})


def _log_frames(path) -> tuple[int, int, int]:
    """(busy, frames in the log, frames copied) from another connection's PASSIVE checkpoint."""
    with sqlite3.connect(path) as other:
        return tuple(other.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone())


def _autocheckpoint(store) -> int:
    with store.engine.connect() as conn:
        return conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()


def test_only_the_long_lived_store_turns_the_commit_checkpoint_off(tmp_path):
    short, long_ = open_store(tmp_path / "a.db"), open_store(tmp_path / "b.db", long_lived=True)
    try:
        assert _autocheckpoint(short) == 1000  # SQLite's default, untouched
        assert _autocheckpoint(long_) == 0
    finally:
        short.dispose()
        long_.dispose()


def test_a_commit_of_the_long_lived_store_never_checkpoints(tmp_path, monkeypatch):
    monkeypatch.setattr(checkpoint, "SETTLE_SECONDS", 3600.0)  # the thread never gets to it here
    store = open_store(tmp_path / "c.db", long_lived=True)
    try:
        _write_many(store, 150)  # about 2,000 pages: twice SQLite's 1,000-page threshold
        busy, frames, _copied = _log_frames(tmp_path / "c.db")
        assert busy == 0 and frames > 1500  # every write is still in the log: no commit copied it
    finally:
        store.dispose()
    default = open_store(tmp_path / "d.db")
    try:
        _write_many(default, 150)
        # The same writes on a default store: a commit past the threshold copied the log and restarted it.
        assert _log_frames(tmp_path / "d.db")[1] < frames - 500
    finally:
        default.dispose()


def test_the_thread_copies_the_log_soon_after_writes_and_nothing_is_lost(tmp_path, monkeypatch):
    monkeypatch.setattr(checkpoint, "SETTLE_SECONDS", 0.01)
    path = tmp_path / "e.db"
    store = open_store(path, long_lived=True)
    try:
        _write_many(store, 30)
        assert store._checkpointer.wait_idle(10)
        assert store._checkpointer.rounds >= 1
        busy, frames, copied = _log_frames(path)
        assert busy == 0 and frames == copied  # everything in the log is in the file already
        _write_many(store, 30, start=30)
        assert store._checkpointer.wait_idle(10)
    finally:
        store.dispose()
    assert not store._checkpointer._thread.is_alive()
    with sqlite3.connect(path) as again:
        assert again.execute("SELECT count(*) FROM meta WHERE key LIKE 'bench-%'").fetchone()[0] == 60


@pytest.mark.parametrize("long_lived", [False, True])
def test_a_memory_or_postgres_store_has_no_checkpointer(long_lived):
    store = open_store("sqlite:///:memory:", long_lived=long_lived)
    try:
        assert store._checkpointer is None
    finally:
        store.dispose()
