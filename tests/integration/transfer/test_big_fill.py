"""A big import on SQLite builds the deals table's secondary indexes once, after the rows (B7).

The indexes are dropped inside the import's one write transaction and built again before it
commits; a refused file rolls back to the very same indexes. Thresholds are lowered so a few
dozen referrals count as big.
"""
from __future__ import annotations

import json

import pytest

from data.demo import populate
from factories import NOW
from model.domain.errors import ImportRejected
from model.services import transfer_export, transfer_parallel
from model.store import bulk
from transfer_support import all_deals, copy_catalogue, counts, export_text, fresh_ctx
from transfer_support import known_catalogue  # noqa: F401  (autouse: the catalogue the factories name)


@pytest.fixture(autouse=True)
def small_thresholds(monkeypatch):
    monkeypatch.setattr(transfer_parallel, "PARALLEL_MIN", 10)
    monkeypatch.setattr(transfer_parallel, "PART", 7)
    monkeypatch.setattr(transfer_export, "PARALLEL_MIN", 10**9)
    monkeypatch.setattr(bulk, "worker_count", lambda: 2)
    monkeypatch.setattr(bulk, "BIG_FILL", 10)


@pytest.fixture
def dropped(monkeypatch):
    """The index names each big fill dropped (a spy on ``bulk.drop_secondary_indexes``)."""
    seen: list[list[str]] = []
    real = bulk.drop_secondary_indexes

    def spy(session, adding):
        out = real(session, adding)
        seen.append([ix.name for ix in out])
        return out

    monkeypatch.setattr(bulk, "drop_secondary_indexes", spy)
    return seen


def _indexes(store) -> dict[str, str]:
    """Every index of the deals table with its definition, as the database has it."""
    sql = ("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'deals'"
           if store.engine.dialect.name == "sqlite" else
           "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'deals'")
    with store.engine.connect() as conn:
        return dict(conn.exec_driver_sql(sql).all())


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    ctx = fresh_ctx(tmp_path_factory.mktemp("src"), "source")
    populate(ctx.store, deals=40, accounts=300, seed=7, now=NOW)
    yield ctx
    ctx.store.dispose()


def _target(source, tmp_path):
    target = fresh_ctx(tmp_path, "target", catalogue=False)
    copy_catalogue(source.store, target.store)
    return target


def test_a_big_import_rebuilds_the_indexes_and_stores_every_deal(source, tmp_path, dropped):
    target = _target(source, tmp_path)
    before = _indexes(target.store)
    report = transfer_parallel.import_in_parallel(target, export_text(source).encode(), location=None, source="f")
    assert report is not None and report.created == 40
    assert all_deals(target) == all_deals(source)
    assert _indexes(target.store) == before  # every index back, on the same columns
    if target.store.engine.dialect.name == "sqlite":
        assert dropped == [sorted(n for n, sql in before.items() if sql)]  # (not the primary key's own)
    else:  # PostgreSQL: dropping would lock out every reader until the commit
        assert dropped == [[]]


def test_a_refused_big_import_leaves_the_indexes_and_the_data_as_they_were(source, tmp_path, dropped):
    target = _target(source, tmp_path)
    before, rows = _indexes(target.store), counts(target.store)
    doc = json.loads(export_text(source))
    doc["value"][-1]["details"]["dealValue"] = -5  # the last part refuses the file
    text = '{"value": [\n' + ",\n".join(json.dumps(r) for r in doc["value"]) + "\n]}\n"
    with pytest.raises(ImportRejected, match=r"record 40 .*dealValue: must be ≥ 0"):
        transfer_parallel.import_in_parallel(target, text.encode(), location=None, source="f")
    assert counts(target.store) == rows and _indexes(target.store) == before
    if target.store.engine.dialect.name == "sqlite":
        assert dropped and dropped[0]  # they were dropped, and the rollback brought them back


def test_an_import_of_mostly_stored_deals_keeps_the_indexes(source, tmp_path, dropped):
    target = _target(source, tmp_path)
    text = export_text(source).encode()
    transfer_parallel.import_in_parallel(target, text, location=None, source="f")
    dropped.clear()
    again = transfer_parallel.import_in_parallel(target, text, location=None, source="f")
    assert again is not None and again.unchanged == 40 and again.created == 0
    assert dropped == [[]]  # nothing new to fill: no index is rebuilt
